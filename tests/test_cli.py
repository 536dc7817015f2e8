import subprocess
import sys

from edugov.cli import SUBCOMMANDS, main


def test_help_lists_every_subcommand(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out


def test_an_unknown_subcommand_is_refused_with_the_list(capsys):
    assert main(["frobnicate"]) == 2
    assert "未知子命令" in capsys.readouterr().err


def test_the_installed_console_command_runs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "edugov.cli", "--help"], capture_output=True, text=True,
                            check=True, cwd=tmp_path)
    assert "edugov" in result.stdout


def test_plan_extract_prints_targets_as_json_lines(tmp_path, capsys):
    import json

    plan = tmp_path / "plan.txt"
    plan.write_text("到2025年，学前三年毛入园率达到95%以上。", encoding="utf-8")
    assert main(["plan", "extract", str(plan), "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert rows and rows[0]["value"] == 95 and rows[0]["comparator"] == ">="
    text = plan.read_text(encoding="utf-8")
    assert text[rows[0]["start"]:rows[0]["end"]] == rows[0]["quote"]


def test_allocate_classes_writes_one_class_per_student_and_reports_the_run(tmp_path, capsys):
    rows = ["id,gender,chinese,math,total,together_group,apart_group,special_needs"]
    for i in range(24):
        score_a, score_b = 60 + (i * 7) % 40, 55 + (i * 11) % 45
        rows.append(f"S{i:03d},{'M' if i % 2 else 'F'},{score_a},{score_b},{score_a + score_b},,,0")
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["allocate", "classes", str(cohort), "--classes", "3", "--seed", "7", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,class" and len(lines) == 25
    assert {line.split(",")[1] for line in lines[1:]} == {"1", "2", "3"}
    assert "input_sha256" in capsys.readouterr().out


def test_plan_and_cases_without_a_known_action_print_their_usage(capsys):
    from edugov.cli import main

    assert main(["plan"]) == 2
    assert "plan escalate" in capsys.readouterr().err
    assert main(["cases", "nothing"]) == 2
    assert "cases detect" in capsys.readouterr().err
