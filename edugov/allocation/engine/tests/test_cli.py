from __future__ import annotations

import csv
import hashlib

from edugov.allocation.engine import ALGORITHM_VERSION
from edugov.allocation.engine.cli import main

from .helpers import small_cohort, small_instance


def _write_cohort(path, n=60):
    cohort = small_cohort(n)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "gender", *cohort.subjects, "total", "together_group", "apart_group", "special_needs"])
        for p in cohort.pupils:
            w.writerow([p.id, p.gender, *(int(x) for x in p.scores), int(p.total), p.together_group, p.apart_group,
                        int(p.special_needs)])


def test_classes_command_writes_id_class_and_prints_provenance(tmp_path, capsys):
    cohort, out = tmp_path / "cohort.csv", tmp_path / "out.csv"
    _write_cohort(cohort)
    assert main(["classes", str(cohort), "--classes", "3", "--seed", "42", "--out", str(out), "--time-limit",
                 "0.2"]) == 0
    printed = capsys.readouterr().out
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 60
    assert {r["class"] for r in rows} == {"1", "2", "3"}
    assert hashlib.sha256(cohort.read_bytes()).hexdigest() in printed
    assert hashlib.sha256(out.read_bytes()).hexdigest() in printed
    assert ALGORITHM_VERSION in printed
    assert "seed: 42" in printed
    assert "总分均分极差 total_mean_range" in printed


def test_match_command_leaves_school_empty_for_unplaced_students(tmp_path, capsys):
    schools, students = small_instance(30, 3, "cli")
    sp, stp, out = tmp_path / "schools.csv", tmp_path / "students.csv", tmp_path / "out.csv"
    with sp.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["school_id", "district", "capacity", "quality"])
        w.writerows([h.school_id, h.district, h.capacity, 0] for h in schools)
    with stp.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "district", "sibling_school", "lottery", "prefs"])
        w.writerows([s.student_id, s.district, s.sibling_school, "", ";".join(s.prefs)] for s in students)
    assert main(["match", str(sp), str(stp), "--out", str(out), "--seed", "7"]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["student_id"] for r in rows] == [s.student_id for s in students]
    assert any(r["school_id"] == "" for r in rows)
    assert "seed: 7" in capsys.readouterr().out


def test_bad_input_exits_with_code_2_and_a_chinese_message(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,math,total\nS1,80,80\n", encoding="utf-8")
    assert main(["classes", str(bad), "--classes", "1", "--seed", "1", "--out", str(tmp_path / "o.csv")]) == 2
    assert "缺少列" in capsys.readouterr().err
