from __future__ import annotations

import csv
import json

import pytest

from edugov.allocation.engine.cli import main
from edugov.allocation.engine.records import RunRecord, commit_seed, sha256_hex

from .test_cli import _write_cohort

TEAMS = "team_id,members,exclude_classes\nT1,班主任:张三;数学:李四,1\nT2,班主任:王五,\nT3,班主任:赵六,2\nT4,钱七,\n"
ROSTER = "id,name,front,apart_group\n" + "".join(
    f"S{i:02d},学生{i},{1 if i % 7 == 0 else ''},{'x' if i < 2 else ''}\n" for i in range(20)
)


@pytest.fixture
def teams_run(tmp_path, capsys):
    src, out, rec = tmp_path / "teams.csv", tmp_path / "out.csv", tmp_path / "run.json"
    src.write_text(TEAMS, encoding="utf-8")
    assert main(["teams", str(src), "--classes", "4", "--seed", "s-1", "--out", str(out), "--record", str(rec)]) == 0
    capsys.readouterr()
    return src, out, rec


def test_classes_record_holds_inputs_parameters_seed_commitment_and_output_hash(tmp_path, capsys):
    cohort, out, rec = tmp_path / "cohort.csv", tmp_path / "out.csv", tmp_path / "run.json"
    _write_cohort(cohort, n=30)
    assert main(["classes", str(cohort), "--classes", "3", "--seed", "42", "--out", str(out), "--record",
                 str(rec)]) == 0
    record = RunRecord.from_json(rec.read_bytes())
    assert record.kind == "classes" and record.seed == "42" and record.seed_commitment == commit_seed("42")
    assert record.inputs[0].sha256 == sha256_hex(cohort.read_bytes())
    assert record.output_sha256 == sha256_hex(out.read_bytes())
    assert record.parameters["classes"] == 3 and "moves_per_pupil" in record.parameters
    capsys.readouterr()
    assert main(["verify", str(rec)]) == 0
    assert "验证通过" in capsys.readouterr().out


def test_record_file_is_canonical_json(teams_run):
    _src, _out, rec = teams_run
    text = rec.read_text(encoding="utf-8").rstrip("\n")
    assert text == json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def test_verify_passes_and_prints_the_hashes(teams_run, capsys):
    _src, out, rec = teams_run
    assert main(["verify", str(rec)]) == 0
    printed = capsys.readouterr().out
    assert "验证通过" in printed
    assert sha256_hex(out.read_bytes()) in printed
    assert commit_seed("s-1") in printed


def test_a_tampered_result_file_is_reported_with_the_rows_that_differ(teams_run, capsys):
    _src, out, rec = teams_run
    rows = list(csv.reader(out.open(encoding="utf-8")))
    rows[1][1], rows[2][1] = rows[2][1], rows[1][1]  # swap two teams' classes
    with out.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    assert main(["verify", str(rec)]) == 1
    printed = capsys.readouterr().out
    assert "验证失败" in printed
    assert "结果文件与记录不符" in printed
    assert "第 2 行" in printed and "第 3 行" in printed


def test_a_tampered_result_file_given_with_output_is_reported(teams_run, tmp_path, capsys):
    _src, out, rec = teams_run
    other = tmp_path / "copy.csv"
    other.write_bytes(out.read_bytes().replace(b"T1", b"T9"))
    assert main(["verify", str(rec), "--output", str(other)]) == 1
    assert "结果文件与记录不符" in capsys.readouterr().out


def test_a_changed_input_is_reported_and_not_rerun(teams_run, capsys):
    src, _out, rec = teams_run
    src.write_text(TEAMS.replace("钱七", "孙八"), encoding="utf-8")
    assert main(["verify", str(rec)]) == 1
    printed = capsys.readouterr().out
    assert "输入文件" in printed and "与记录不符" in printed
    assert "未重新计算" in printed


def test_inputs_can_be_given_explicitly(teams_run, tmp_path, capsys):
    src, _out, rec = teams_run
    moved = tmp_path / "elsewhere.csv"
    moved.write_bytes(src.read_bytes())
    src.unlink()
    assert main(["verify", str(rec), "--inputs", str(moved)]) == 0
    assert "验证通过" in capsys.readouterr().out


def test_a_seed_that_does_not_match_the_commitment_is_reported(teams_run, capsys):
    _src, _out, rec = teams_run
    data = json.loads(rec.read_text(encoding="utf-8"))
    data["seed_commitment"] = commit_seed("another seed")
    rec.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["verify", str(rec)]) == 1
    assert "种子与事先公布的承诺值不符" in capsys.readouterr().out


def test_an_edited_record_output_hash_is_reported(teams_run, capsys):
    _src, _out, rec = teams_run
    data = json.loads(rec.read_text(encoding="utf-8"))
    data["output_sha256"] = "0" * 64
    rec.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["verify", str(rec)]) == 1
    assert "重新计算的结果与记录的输出 SHA-256 不同" in capsys.readouterr().out


def test_a_run_refuses_a_seed_that_does_not_match_the_given_commitment(tmp_path, capsys):
    src = tmp_path / "teams.csv"
    src.write_text(TEAMS, encoding="utf-8")
    code = main(["teams", str(src), "--classes", "4", "--seed", "s-2", "--out", str(tmp_path / "o.csv"),
                 "--commitment", commit_seed("s-1")])
    assert code == 2
    assert "承诺值不符" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_seats_command_writes_every_period_and_verifies(tmp_path, capsys):
    src, out, rec = tmp_path / "roster.csv", tmp_path / "seats.csv", tmp_path / "run.json"
    src.write_text(ROSTER, encoding="utf-8")
    assert main(["seats", str(src), "--rows", "4", "--cols", "6", "--periods", "3", "--seed", "7", "--out",
                 str(out), "--record", str(rec)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 60 and {r["period"] for r in rows} == {"1", "2", "3"}
    assert all(r["row"] == "1" for r in rows if r["id"] in {"S00", "S07", "S14"})
    capsys.readouterr()
    assert main(["verify", str(rec)]) == 0


def test_match_record_without_seed_verifies(tmp_path, capsys):
    sp, stp, out, rec = (tmp_path / n for n in ("s.csv", "a.csv", "o.csv", "r.json"))
    sp.write_text("school_id,district,capacity\nH1,D1,1\nH2,D2,1\n", encoding="utf-8")
    stp.write_text("student_id,district,lottery,prefs\nA,D1,01,H1;H2\nB,D1,02,H1\nC,D2,03,H2\n", encoding="utf-8")
    assert main(["match", str(sp), str(stp), "--out", str(out), "--record", str(rec)]) == 0
    record = RunRecord.from_json(rec.read_bytes())
    assert record.seed is None and record.seed_commitment == "" and len(record.inputs) == 2
    capsys.readouterr()
    assert main(["verify", str(rec)]) == 0


def test_verify_of_a_missing_input_file_exits_with_code_2(teams_run, capsys):
    src, _out, rec = teams_run
    src.unlink()
    assert main(["verify", str(rec)]) == 2
    assert "找不到输入文件" in capsys.readouterr().err
