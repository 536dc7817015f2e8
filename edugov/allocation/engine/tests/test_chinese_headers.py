"""Chinese cohort headers (学号, 性别, 语文 …), GB/T 2261.1 gender codes and custom class-size bounds."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from edugov.allocation.engine.classes import assign_classes, check_size_bounds, cohort_from_rows, read_cohort
from edugov.allocation.engine.errors import AllocationInputError
from edugov.allocation.engine.runs import classes_parameters, execute, read_csv, validate

from .helpers import small_cohort

ENGLISH = ["id", "gender", "chinese", "math", "english", "total", "together_group", "apart_group", "special_needs"]
CHINESE = ["学号", "性别", "语文", "数学", "英语", "总分", "同班组", "分班组", "特殊需要"]
SHARED_BENCH = Path("/work/shared/bench/gen_students.py")


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _rows(gender: dict[str, str] | None = None) -> list[list[str]]:
    gender = gender or {"M": "M", "F": "F"}
    out = []
    for p in small_cohort(60).pupils:
        out.append([p.id, gender[p.gender], *(str(int(x)) for x in p.scores), str(int(p.total)), p.together_group,
                    p.apart_group, "1" if p.special_needs else "0"])
    return out


def test_a_chinese_header_csv_gives_the_same_result_as_the_english_one():
    english = _csv(ENGLISH, _rows())
    chinese = ("\ufeff" + _csv(CHINESE, _rows({"M": "男", "F": "女"})).decode()).encode("utf-8")  # BOM as Excel
    params = classes_parameters(3)
    out_en = execute("classes", [english], params, "seed-1")
    out_zh = execute("classes", [chinese], params, "seed-1")
    assert out_zh.data == out_en.data
    rows, header = read_csv(chinese)
    cohort = cohort_from_rows(rows, header)
    assert cohort.subjects == ("语文", "数学", "英语")
    keys = [m.key for m in out_zh.detail.metrics]
    assert "subject_mean_range.数学" in keys
    assert out_zh.detail.violations == {"together_groups_split": 0, "apart_groups_clashing": 0, "fixed_moved": 0}


def test_gender_codes_of_gb_t_2261_1_and_other_aliases_are_accepted():
    header = ["编号", "性别", "数学", "同班", "不同班", "随班就读", "固定班级", "姓名"]
    table = [
        ["A1", "1", "90", "g", "", "是", "2", "张三"],
        ["A2", "2", "80", "g", "", "", "", "李四"],
        ["A3", "f", "70", "", "x", "", "", "王五"],
        ["A4", "男", "60", "", "x", "√", "", "赵六"],
    ]
    rows = [dict(zip(header, r, strict=True)) for r in table]
    cohort = cohort_from_rows(rows, list(rows[0]), 2)
    assert cohort.subjects == ("数学",)  # 姓名 is ignored, not a subject
    by_id = {p.id: p for p in cohort.pupils}
    assert [by_id[i].gender for i in ("A1", "A2", "A3", "A4")] == ["M", "F", "F", "M"]
    assert by_id["A1"].total == 90  # no 总分 column: the sum of the subjects
    assert by_id["A1"].together_group == "g" and by_id["A3"].apart_group == "x"
    assert by_id["A1"].special_needs and by_id["A4"].special_needs and not by_id["A2"].special_needs
    assert by_id["A1"].fixed_class == 2
    result = assign_classes(cohort, 2, seed="s")
    assert result.assignment["A1"] == result.assignment["A2"] == 2
    assert result.assignment["A3"] != result.assignment["A4"]


def test_a_roster_with_gender_only_can_be_assigned():
    rows = [{"学籍号": f"G{i:03d}", "性别": "男" if i % 2 else "女"} for i in range(10)]
    cohort = cohort_from_rows(rows, ["学籍号", "性别"])
    assert cohort.subjects == () and all(p.total == 0 for p in cohort.pupils)
    result = assign_classes(cohort, 2, seed="s")
    boys = [sum(1 for p in cohort.pupils if p.gender == "M" and result.assignment[p.id] == c) for c in (1, 2)]
    assert sorted(boys) == [2, 3]


@pytest.mark.parametrize(("header", "missing"), [
    (["性别", "语文", "总分"], "学号（id）"),
    (["学号", "语文", "总分"], "性别（gender）"),
])
def test_a_missing_id_or_gender_column_is_refused_in_chinese(header, missing):
    with pytest.raises(AllocationInputError, match="缺少列") as exc:
        cohort_from_rows([], header)
    assert missing in str(exc.value)


def test_bad_gender_and_duplicate_columns_are_refused_in_chinese():
    with pytest.raises(AllocationInputError, match="性别必须是 男/女"):
        cohort_from_rows([{"学号": "1", "性别": "9"}], ["学号", "性别"])
    with pytest.raises(AllocationInputError, match="表示同一项"):
        cohort_from_rows([], ["学号", "id", "性别"])


def test_class_size_bounds_refuse_impossible_k_and_are_recorded_only_when_given():
    check_size_bounds(90, 2, min_size=40, max_size=45)
    with pytest.raises(AllocationInputError, match="超过班额上限 45"):
        check_size_bounds(91, 2, max_size=45)
    with pytest.raises(AllocationInputError, match="低于班额下限 40"):
        check_size_bounds(79, 2, min_size=40)
    with pytest.raises(AllocationInputError, match="下限 5 大于上限 4"):
        check_size_bounds(10, 2, min_size=5, max_size=4)
    data = _csv(ENGLISH, _rows())
    assert "max_size" not in classes_parameters(3)
    with pytest.raises(AllocationInputError, match="班额上限"):
        validate("classes", [data], classes_parameters(3, max_size=19))
    bounded = execute("classes", [data], classes_parameters(3, min_size=20, max_size=20), "s")
    assert bounded.data == execute("classes", [data], classes_parameters(3), "s").data


@pytest.mark.skipif(not SHARED_BENCH.exists(), reason="shared benchmark generator not available")
def test_the_shared_benchmark_format_reads_as_before(tmp_path):
    subprocess.run([sys.executable, str(SHARED_BENCH), "--preset", "s600", "--outdir", str(tmp_path)], check=True,
                   capture_output=True)
    path = next(tmp_path.glob("cohort_s600_*.csv"))
    cohort = read_cohort(path, 12)
    assert cohort.subjects == ("chinese", "math", "english")
    with path.open(encoding="utf-8") as f:
        first = next(csv.DictReader(f))
    pupil = cohort.pupils[0]
    assert pupil.id == first["id"] and pupil.gender == first["gender"] and pupil.total == float(first["total"])
    assert len(cohort.pupils) == 600

