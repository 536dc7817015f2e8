"""The canonical exchange format: one table per sheet (XLSX) or per file (CSV), Chinese headers.

This module is the single source of truth for sheet names, headers, accepted aliases, value kinds and natural keys.
docs/data-format.md describes the same tables for users; the template workbook, the importer and the exporter are
all generated from here, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One column of a table.

    kind is one of:
      text, int (non-negative whole number), decimal, date, bool (是/否), year (学年), grade (年级),
      unit_code (an org unit already in the registry or earlier in the same file), id_number (GB 11643),
      code:<list> (a national code list in edugov/lib/codes; code or name accepted), choice:<name> (a fixed
      set of words defined in CHOICES below), choices_multi:<name> (several words of a CHOICES set separated by
      、 , ；).
    """

    header: str
    field: str
    kind: str = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    example: str = ""
    max_length: int | None = None


@dataclass(frozen=True)
class Table:
    key: str
    sheet: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    description: str
    file_aliases: tuple[str, ...] = field(default=())

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def column(self, field_name: str) -> Column:
        for column in self.columns:
            if column.field == field_name:
                return column
        raise KeyError(field_name)


# Fixed vocabularies that are not national code lists. Keys are stored values; each maps to accepted words, the
# first being the one written on export.
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "unit_kind": {
        "city": ("市", "地市", "市教育局"),
        "county": ("区县", "县", "区", "县级市"),
        "town": ("镇街", "乡镇", "街道", "镇", "乡"),
        "zone": ("学区",),
        "group": ("教育集团", "集团"),
        "school": ("学校", "幼儿园", "教学点"),
    },
    "ownership": {"public": ("公办",), "private": ("民办",)},
    "stage": {
        "kindergarten": ("学前", "幼儿园"),
        "primary": ("小学",),
        "junior": ("初中",),
        "senior": ("高中",),
    },
    "age_band": {"3-5": ("3-5岁", "3-5"), "6-11": ("6-11岁", "6-11"), "12-14": ("12-14岁", "12-14"),
                 "15-17": ("15-17岁", "15-17")},
    "residence": {"local": ("本地户籍", "本地", "户籍"), "migrant": ("随迁子女", "随迁", "外地")},
    "hierarchy": {"zone": ("学区",), "group": ("教育集团", "集团")},
    # 资助对象类别 as the aid lists name them; stored as the first word, joined by 、.
    "hardship": {
        "脱贫家庭": ("脱贫家庭", "脱贫户", "建档立卡"),
        "防返贫监测": ("防返贫监测", "监测对象", "防返贫监测对象"),
        "低保": ("低保", "最低生活保障", "低保家庭"),
        "特困供养": ("特困供养", "特困", "特困人员"),
        "孤儿": ("孤儿",),
        "事实无人抚养": ("事实无人抚养", "事实无人抚养儿童"),
        "残疾人家庭": ("残疾人家庭", "残疾家庭"),
        "烈士子女": ("烈士子女",),
    },
}

YEAR = Column("学年", "year", "year", required=True, aliases=("学年度", "年度"),
              help="学年起始年份或“2024-2025学年”", example="2024")
SCHOOL = Column("学校标识码", "unit", "unit_code", required=True, aliases=("学校代码", "机构代码"),
                help="10位学校标识码，须已在机构表中", example="2137020001")


UNITS = Table(
    key="units",
    sheet="机构",
    description="市、区县、镇街、学区、教育集团和学校（含幼儿园、教学点）的名录及国家代码。上级须在本表更早的行或系统中已存在。",
    natural_key=("code",),
    file_aliases=("units",),
    columns=(
        Column("机构代码", "code", "text", required=True, aliases=("学校标识码", "代码"), max_length=20,
               help="学校填10位学校标识码；区县填6位行政区划代码；镇街填9位乡镇级统计用区划代码", example="2137020001"),
        Column("机构名称", "name", "text", required=True, aliases=("名称", "学校名称"), max_length=200,
               example="示范区第一实验小学"),
        Column("层级", "kind", "choice:unit_kind", required=True, aliases=("机构层级", "类别"), example="学校"),
        Column("上级机构代码", "parent", "unit_code", aliases=("上级代码", "主管单位代码"),
               help="行政隶属的上级；市级机构留空", example="370202"),
        Column("办学类型代码", "school_type_code", "code:school_type", aliases=("办学类型",), example="211",
               help="3位代码，可填代码或名称，见“代码表”"),
        Column("城乡分类代码", "urban_rural_code", "code:urban_rural", aliases=("城乡分类", "所在地城乡类型"),
               example="111"),
        Column("举办者代码", "sponsor_code", "code:sponsor", aliases=("举办者",), example="831"),
        Column("办学性质", "ownership", "choice:ownership", aliases=("公办民办",), example="公办",
               help="公办或民办；留空时由举办者代码推定（999为民办）"),
        Column("普惠性", "is_inclusive", "bool", aliases=("是否普惠",), example="是", help="仅幼儿园填写"),
        Column("行政区划代码", "division_code", "text", aliases=("区划代码",), example="370202", max_length=6),
        Column("统计用区划代码", "stat_division_code", "text", example="370202001000", max_length=12),
        Column("地址", "address", "text", max_length=300, example="示范路1号"),
        Column("设立日期", "opened_on", "date", aliases=("成立日期",), example="1998-09-01"),
        Column("撤销日期", "closed_on", "date", aliases=("停办日期",), example=""),
        Column("变更生效日期", "effective_on", "date", aliases=("生效日期",),
               help="本行的名称、类型、隶属等变化从哪天起生效；留空为导入当天"),
    ),
)

MEMBERSHIPS = Table(
    key="memberships",
    sheet="学区与集团",
    description="学校所属的学区或教育集团（行政隶属以外的第二层级）。",
    natural_key=("unit", "hierarchy"),
    file_aliases=("memberships",),
    columns=(
        Column("机构代码", "unit", "unit_code", required=True, aliases=("学校标识码",), example="2137020001"),
        Column("体系", "hierarchy", "choice:hierarchy", required=True, example="学区"),
        Column("所属学区或集团代码", "parent", "unit_code", required=True, aliases=("上级代码",), example="Z37020201"),
        Column("变更生效日期", "effective_on", "date", aliases=("生效日期",)),
    ),
)

SCHOOL_STATS = Table(
    key="school_stats",
    sheet="办学条件",
    description="每所学校每学年的校舍、场地、设备、图书和公用经费。",
    natural_key=("unit", "year"),
    file_aliases=("school_stats",),
    columns=(
        YEAR,
        SCHOOL,
        Column("教学及辅助用房面积（平方米）", "teaching_area", "decimal", aliases=("教学及辅助用房面积",),
               example="5230.5", help="不含室内体育用房"),
        Column("运动场地面积（平方米）", "sports_ground_area", "decimal", aliases=("运动场地面积", "运动场面积"),
               example="8600"),
        Column("体育馆面积（平方米）", "gym_area", "decimal", aliases=("体育馆面积",), example="0"),
        Column("教学仪器设备资产值（元）", "equipment_value", "decimal", aliases=("教学仪器设备值", "仪器设备值"),
               example="1680000", help="账面原值"),
        Column("网络多媒体教室（间）", "multimedia_classrooms", "int", aliases=("网络多媒体教室数",), example="24"),
        Column("图书（册）", "library_books", "int", aliases=("图书册数",), example="36000"),
        Column("音乐专用教室（间）", "music_rooms", "int", aliases=("音乐教室",), example="2"),
        Column("美术专用教室（间）", "art_rooms", "int", aliases=("美术教室",), example="2"),
        Column("公用经费支出（元）", "operating_expenditure", "decimal", aliases=("公用经费",), example="720000"),
    ),
)

ENROLMENT = Table(
    key="enrolment",
    sheet="分年级在校生",
    description="每所学校每学年各年级的在校生数（分性别）。已导入学生个人记录的学校，本表由个人记录自动汇总。",
    natural_key=("unit", "year", "grade"),
    file_aliases=("enrolment",),
    columns=(
        YEAR,
        SCHOOL,
        Column("年级", "grade", "grade", required=True, example="一年级"),
        Column("男生数", "male", "int", required=True, aliases=("男",), example="120"),
        Column("女生数", "female", "int", required=True, aliases=("女",), example="113"),
    ),
)

CLASSES = Table(
    key="classes",
    sheet="班级",
    description="每个教学班的班额。已导入学生个人记录的学校，本表由个人记录自动汇总。",
    natural_key=("unit", "year", "grade", "name"),
    file_aliases=("classes",),
    columns=(
        YEAR,
        SCHOOL,
        Column("年级", "grade", "grade", required=True, example="一年级"),
        Column("班级名称", "name", "text", required=True, aliases=("班级", "班名"), max_length=50, example="1班"),
        Column("班额（人）", "size", "int", required=True, aliases=("班额", "人数"), example="45"),
    ),
)

TEACHER_STATS = Table(
    key="teacher_stats",
    sheet="专任教师统计",
    description="每所学校每学年每个学段的专任教师汇总数。已导入教师个人记录的学校，本表由个人记录自动汇总。",
    natural_key=("unit", "year", "stage"),
    file_aliases=("teacher_stats",),
    columns=(
        YEAR,
        SCHOOL,
        Column("学段", "stage", "choice:stage", required=True, example="小学"),
        Column("专任教师数", "fulltime", "int", required=True, example="86"),
        Column("其中女", "female", "int", example="61"),
        Column("研究生学历", "edu_postgraduate", "int", example="3"),
        Column("本科学历", "edu_bachelor", "int", example="62"),
        Column("专科学历", "edu_associate", "int", example="19"),
        Column("高中及以下学历", "edu_below_associate", "int", example="2"),
        Column("县级骨干教师", "backbone_county", "int", example="4"),
        Column("市级骨干教师", "backbone_city", "int", example="2"),
        Column("省级及以上骨干教师", "backbone_province", "int", example="0"),
        Column("体育专任教师", "pe_teachers", "int", example="5"),
        Column("音乐专任教师", "music_teachers", "int", example="3"),
        Column("美术专任教师", "art_teachers", "int", example="3"),
        Column("持教师资格证", "certified", "int", example="86"),
        Column("本年培训学时合计", "training_hours", "decimal", example="7740"),
    ),
)

POPULATION = Table(
    key="population",
    sheet="分年龄人口",
    description="区县（或镇街）分年龄段常住人口，用于计算毛入园率、毛入学率。",
    natural_key=("unit", "year", "age_band"),
    file_aliases=("population",),
    columns=(
        YEAR,
        Column("区域代码", "unit", "unit_code", required=True, aliases=("行政区划代码", "机构代码"), example="370202"),
        Column("年龄段", "age_band", "choice:age_band", required=True, example="3-5岁"),
        Column("人口数", "population", "int", required=True, example="15230"),
    ),
)

STUDENTS = Table(
    key="students",
    sheet="学生",
    description="学生学籍个人记录（每学年一行）。含未成年人个人信息，按机构范围授权访问。",
    natural_key=("year", "student_no"),
    file_aliases=("students",),
    columns=(
        YEAR,
        Column("学籍号", "student_no", "text", required=True, aliases=("全国学籍号", "学号"), max_length=32,
               example="G370202201801010012"),
        Column("身份证号", "id_number", "id_number", aliases=("身份证件号", "公民身份号码"),
               example="370202201801010013", help="18位，校验位须正确；无身份证的学生留空"),
        Column("姓名", "name", "text", required=True, max_length=50, example="张小明"),
        Column("性别", "sex", "code:sex", required=True, example="男"),
        Column("出生日期", "birth_date", "date", required=True, example="2018-01-01"),
        Column("民族", "ethnicity", "code:ethnicity", aliases=("民族代码",), example="汉族"),
        SCHOOL,
        Column("年级", "grade", "grade", required=True, example="一年级"),
        Column("班级", "class_name", "text", aliases=("班级名称",), max_length=50, example="1班"),
        Column("是否寄宿", "boarding", "bool", aliases=("寄宿",), example="否"),
        Column("户籍类别", "residence", "choice:residence", aliases=("户口类别",), example="本地户籍"),
        Column("是否留守儿童", "left_behind", "bool", aliases=("留守儿童",), example="否"),
        Column("残疾类型", "disability", "code:disability", example=""),
        Column("家庭经济困难类型", "hardship", "choices_multi:hardship", aliases=("困难类型",), example="",
               help="可填多个，用顿号分隔，如“低保、孤儿”"),
    ),
)

TEACHERS = Table(
    key="teachers",
    sheet="教师",
    description="教师个人记录（每学年一行）。",
    natural_key=("year", "staff_no"),
    file_aliases=("teachers",),
    columns=(
        YEAR,
        Column("教职工号", "staff_no", "text", required=True, aliases=("工号", "教师编号"), max_length=32,
               example="T0001"),
        Column("身份证号", "id_number", "id_number", aliases=("公民身份号码",), example="370202198501010025"),
        Column("姓名", "name", "text", required=True, max_length=50, example="李老师"),
        Column("性别", "sex", "code:sex", required=True, example="女"),
        Column("出生日期", "birth_date", "date", example="1985-01-01"),
        Column("民族", "ethnicity", "code:ethnicity", example="汉族"),
        SCHOOL,
        Column("任教学段", "stage", "choice:stage", required=True, aliases=("学段",), example="小学"),
        Column("是否专任教师", "is_fulltime", "bool", aliases=("专任教师",), example="是"),
        Column("学历", "education_code", "code:education_level", required=True, aliases=("学历代码", "最高学历"),
               example="21", help="GB/T 4658 学历代码或名称，如“21”或“大学本科毕业”"),
        Column("职称", "title_code", "code:teacher_title", aliases=("专业技术职务",), example="一级教师"),
        Column("任教学科", "subject", "code:subject", aliases=("学科",), example="语文"),
        Column("骨干级别", "backbone_level", "code:backbone_level", aliases=("骨干教师级别",), example="县级"),
        Column("是否持教师资格证", "has_certificate", "bool", aliases=("教师资格证",), example="是"),
        Column("本年培训学时", "training_hours", "decimal", aliases=("培训学时",), example="90"),
    ),
)

# The order people see: registry first, then the annual aggregates, then person records.
TABLES: tuple[Table, ...] = (UNITS, MEMBERSHIPS, SCHOOL_STATS, ENROLMENT, CLASSES, TEACHER_STATS, POPULATION,
                             STUDENTS, TEACHERS)
TABLES_BY_KEY: dict[str, Table] = {t.key: t for t in TABLES}

# The order the importer processes tables in, whatever the order of sheets or files: units before everything that
# refers to them, and person records before the aggregates they replace (so that an aggregate row for a school-year
# that has person records can be recognised and refused).
IMPORT_ORDER: tuple[Table, ...] = (UNITS, MEMBERSHIPS, SCHOOL_STATS, POPULATION, STUDENTS, TEACHERS, ENROLMENT,
                                   CLASSES, TEACHER_STATS)
