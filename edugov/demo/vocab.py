"""Word lists for the synthetic city: surnames, characters for given names, place names and school names.

Frequencies are rounded from published surname rankings and are only meant to look plausible on a roll call; none
of the lists is a statistical source. Every list is a tuple so that its order (and therefore every draw) is fixed.
"""

from __future__ import annotations

# (surname, relative weight). The big five cover about 30% of people in the north, as in the national rankings.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 710), ("李", 700), ("张", 680), ("刘", 540), ("陈", 460), ("杨", 310), ("赵", 230), ("黄", 200),
    ("周", 190), ("吴", 190), ("徐", 150), ("孙", 150), ("胡", 130), ("朱", 130), ("高", 120), ("林", 110),
    ("何", 110), ("郭", 120), ("马", 110), ("罗", 80), ("梁", 70), ("宋", 70), ("郑", 70), ("谢", 60),
    ("韩", 60), ("唐", 50), ("冯", 50), ("于", 60), ("董", 50), ("萧", 20), ("程", 40), ("曹", 40),
    ("袁", 40), ("邓", 40), ("许", 40), ("傅", 30), ("沈", 30), ("曾", 30), ("彭", 30), ("吕", 40),
    ("苏", 40), ("卢", 40), ("蒋", 40), ("蔡", 30), ("贾", 30), ("丁", 30), ("魏", 30), ("薛", 30),
    ("叶", 30), ("阎", 20), ("余", 30), ("潘", 30), ("杜", 30), ("戴", 30), ("夏", 30), ("钟", 20),
    ("汪", 20), ("田", 30), ("任", 30), ("姜", 40), ("范", 30), ("方", 30), ("石", 30), ("姚", 30),
    ("谭", 20), ("廖", 10), ("邹", 20), ("熊", 20), ("金", 20), ("陆", 20), ("郝", 20), ("孔", 20),
    ("白", 20), ("崔", 30), ("康", 20), ("毛", 20), ("邱", 20), ("秦", 20), ("江", 20), ("史", 20),
    ("顾", 20), ("侯", 20), ("邵", 20), ("孟", 20), ("龙", 10), ("万", 10), ("段", 20), ("雷", 10),
    ("钱", 10), ("汤", 10), ("尹", 20), ("易", 10), ("常", 20), ("武", 20), ("乔", 20), ("贺", 10),
    ("龚", 10), ("文", 10), ("庞", 10), ("樊", 10), ("殷", 10), ("施", 10), ("陶", 10), ("翟", 10),
    ("安", 10), ("颜", 10), ("倪", 10), ("严", 10), ("牛", 20), ("温", 10), ("季", 10), ("章", 10),
    ("鲁", 10), ("葛", 10), ("韦", 10), ("申", 10), ("毕", 10), ("聂", 10), ("丛", 10), ("焦", 10),
    ("柳", 10), ("邢", 10), ("路", 10), ("岳", 10), ("齐", 10), ("庄", 10), ("辛", 10), ("管", 10),
    ("祝", 10), ("左", 10), ("谷", 10), ("时", 10), ("耿", 10), ("牟", 10), ("肖", 60), ("宫", 10),
    ("栾", 5), ("隋", 5), ("逄", 3), ("欧阳", 3), ("司马", 1), ("诸葛", 1), ("上官", 1),
)

# Characters for given names of children born 2006–2021; the neutral ones are used by both sexes.
BOY_CHARS: tuple[str, ...] = tuple(
    "浩宇轩泽博文俊杰涛鹏辰睿晨铭豪磊强伟明阳天诚航宸逸凯彬昊然哲峰斌毅嘉瑞皓煜骏翔栋鑫健宏志晟霖奕锦宁康恒远帆"
    "彦硕钧胜坤琦展鸿亮庆政晖松柏林森"
)
GIRL_CHARS: tuple[str, ...] = tuple(
    "欣怡涵诗雨婷佳萱琪悦雅静妍馨可依若瑶璐洁颖慧玲芳丽娜敏蕾倩茜婧媛雪月彤楠菲岚琳霏嫣语沐梦晴诺艺晗晓蓉薇桐淑美"
    "乐心欢宁蕊希然"
)
NEUTRAL_FIRST_CHARS: tuple[str, ...] = tuple("子一思梓嘉雨欣若家文金晨")

# Teachers were born 1965–2002: their names carry the older fashion as well.
OLDER_MALE_CHARS: tuple[str, ...] = tuple("建国军华平勇刚伟强明东海波涛峰斌亮磊鹏志永立新春红光")
OLDER_FEMALE_CHARS: tuple[str, ...] = tuple("红霞英秀丽娟燕玲芳静敏艳梅萍华颖洁琳雪莉晶慧")

# (ethnicity name as in the GB/T 3304 list, relative weight): a northern city, mostly 汉族.
ETHNICITIES: tuple[tuple[str, float], ...] = (
    ("汉族", 9850), ("回族", 60), ("满族", 30), ("蒙古族", 15), ("朝鲜族", 10), ("壮族", 10), ("苗族", 8),
    ("土家族", 8), ("彝族", 3), ("布依族", 3), ("侗族", 3), ("藏族", 2), ("维吾尔族", 2), ("瑶族", 2),
)

# 资助对象类别 (words of the hardship CHOICES set) and how often each is the reason for aid.
HARDSHIP_KINDS: tuple[tuple[str, float], ...] = (
    ("低保", 34), ("脱贫家庭", 28), ("防返贫监测", 10), ("残疾人家庭", 12), ("特困供养", 5), ("事实无人抚养", 5),
    ("孤儿", 3), ("烈士子女", 0.5),
)
# Canonical order used when a pupil has two kinds, so the written value never depends on draw order.
HARDSHIP_ORDER: tuple[str, ...] = ("脱贫家庭", "防返贫监测", "低保", "特困供养", "孤儿", "事实无人抚养", "残疾人家庭",
                                   "烈士子女")

# (disability name, weight) for pupils in mainstream schools and in the special school.
DISABILITIES_MAINSTREAM: tuple[tuple[str, float], ...] = (
    ("肢体残疾", 30), ("听力残疾", 15), ("视力残疾", 15), ("智力残疾", 20), ("言语残疾", 10), ("其他残疾", 10),
)
DISABILITIES_SPECIAL: tuple[tuple[str, float], ...] = (
    ("智力残疾", 45), ("听力残疾", 15), ("视力残疾", 8), ("精神残疾", 10), ("多重残疾", 15), ("言语残疾", 4),
    ("肢体残疾", 3),
)

# County-level codes (GB/T 2260) where migrant pupils' 户籍 often lies: poorer counties of the same and
# neighbouring provinces. Used only as the address part of synthetic ID numbers.
MIGRANT_ORIGINS: tuple[str, ...] = (
    "371302", "371321", "371522", "371721", "370883", "411521", "411623", "341221", "341321", "130433", "320830",
)

# Two-character words for 街道, 镇 and 乡 names. Drawn without replacement within a county.
STREET_WORDS: tuple[str, ...] = (
    "东关", "西关", "南关", "北关", "文化", "人民", "解放", "新华", "和平", "胜利", "建设", "朝阳", "光明", "振兴",
    "青年", "府前", "古城", "滨河", "凤凰", "龙泉", "翠屏", "金山", "银河", "明湖", "锦绣", "花园", "工业", "站前",
    "湖滨", "望海", "中山", "长安", "春晖", "泉城", "鼓楼", "东湖", "南湖", "北园", "西苑", "新城",
)
TOWN_WORDS: tuple[str, ...] = (
    "王庄", "马集", "柳林", "石门", "官庄", "新店", "杨柳", "大营", "桃园", "李家", "石桥", "双河", "河口", "青石",
    "北岭", "南屯", "白沙", "黄土", "清水", "高庄", "孙家", "王村", "临泉", "白马", "长青", "永安", "太平", "安乐",
    "丰收", "大屯", "孟店", "刘集", "赵庙", "姜庄", "崔家", "张集", "梁山", "龙湾", "枣林", "梨园", "苇河", "沙河",
)
TOWNSHIP_WORDS: tuple[str, ...] = (
    "松岭", "柏树", "云台", "峪口", "黄岩", "九龙", "红石", "桃花", "青龙", "白云", "石佛", "鹰嘴", "狮子", "马鞍",
    "凤岭", "栗树", "杏山", "梨峪", "卧龙", "双峰", "石屋", "泉头", "岭南", "山后", "涧沟", "磨盘", "獐子", "鹿角",
)
# Villages: surname + suffix (王家庄, 李家屯, 张营 …); communities: street word + 社区.
VILLAGE_SUFFIXES: tuple[str, ...] = ("家庄", "庄", "家屯", "营", "店", "集", "家洼", "家峪", "楼", "村", "家岭", "官庄")
ROAD_WORDS: tuple[str, ...] = (
    "人民路", "建设路", "解放路", "文化路", "育才路", "和平路", "胜利路", "青年路", "新华路", "光明路", "学府路",
    "朝阳街", "府前街", "滨河路", "中山路", "长安街", "工业路", "振兴路", "健康路", "泰山路",
)
PRIVATE_KINDERGARTEN_WORDS: tuple[str, ...] = (
    "阳光", "蓝天", "七彩", "金色童年", "小天鹅", "博雅", "启明星", "贝贝", "童心", "小太阳", "彩虹", "快乐宝贝",
    "爱心", "春苗", "育英", "智慧树", "小博士", "童乐", "未来星", "金摇篮", "绿苑", "海贝", "书香", "新蕾",
)
PRIVATE_SCHOOL_WORDS: tuple[str, ...] = ("育才", "博文", "英才", "启航", "明德", "弘毅", "致远", "精诚")
