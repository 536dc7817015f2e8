"""The management commands behind `edugov import|export|template|rollover`, and an import killed mid-way."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from edugov.dataio.handlers import CHUNK_ROWS
from edugov.dataio.tests.conftest import STUDENT_HEADERS, many_students, student, write_csv, write_xlsx
from edugov.stats.models import StudentRecord

REPO = Path(__file__).resolve().parents[3]


def test_import_data_prints_the_summary_and_the_encoding(city, tmp_path):
    path = write_csv(tmp_path / "学生.csv", [STUDENT_HEADERS, student("G1")], encoding="gb18030")
    out = io.StringIO()
    call_command("import_data", str(path), stdout=out, verbosity=0)
    text = out.getvalue()
    assert "按 GB18030（GBK） 编码读取" in text
    assert "学生" in text and "已导入" in text
    assert StudentRecord.objects.count() == 1


def test_import_data_lists_problems_in_chinese_and_exits_non_zero(city, personas, tmp_path):
    path = write_csv(tmp_path / "学生.csv", [STUDENT_HEADERS, student("G1", school="2137030001")])
    out = io.StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_data", str(path), "--user", "li", stdout=out, verbosity=0)
    assert "[错误] 学生.csv 第2行 G列（学校标识码）：“2137030001”不在您的管理范围内" in out.getvalue()
    assert not StudentRecord.objects.exists()


def test_import_data_dry_run_writes_nothing(city, tmp_path):
    path = write_csv(tmp_path / "学生.csv", [STUDENT_HEADERS, student("G1")])
    out = io.StringIO()
    call_command("import_data", str(path), "--dry-run", stdout=out, verbosity=0)
    assert "校验通过，尚未写入" in out.getvalue()
    assert not StudentRecord.objects.exists()


def test_an_unknown_user_is_refused(city, tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command("import_data", str(tmp_path), "--user", "nobody", verbosity=0)


def test_export_data_writes_a_workbook_or_a_csv_folder(city, tmp_path):
    write = write_xlsx(tmp_path / "in.xlsx", {"学生": [STUDENT_HEADERS, student("G1")]})
    call_command("import_data", str(write), verbosity=0, stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_data", str(tmp_path / "all.xlsx"), stdout=out)
    assert "学生：1 行" in out.getvalue()
    assert "学生" in openpyxl.load_workbook(tmp_path / "all.xlsx", read_only=True).sheetnames
    call_command("export_data", str(tmp_path / "csv"), "--encoding", "gb18030", stdout=io.StringIO())
    text = (tmp_path / "csv" / "学生.csv").read_bytes().decode("gb18030")
    assert text.startswith("学年,学籍号,身份证号") and "G1" in text


def test_export_template_writes_the_template(tmp_path):
    out = io.StringIO()
    call_command("export_template", str(tmp_path / "模板.xlsx"), stdout=out)
    assert "代码表" in openpyxl.load_workbook(tmp_path / "模板.xlsx", read_only=True).sheetnames


def test_rollover_command_reports_and_refuses_a_second_time(city, tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"学生": [STUDENT_HEADERS, student("G1")]})
    call_command("import_data", str(path), verbosity=0, stdout=io.StringIO())
    out = io.StringIO()
    call_command("rollover", "--from-year", "2024", stdout=out)
    assert "学生升级（人）：1" in out.getvalue()
    with pytest.raises(CommandError, match="已有学生或教师个人记录"):
        call_command("rollover", "--from-year", "2024", stdout=io.StringIO())


def test_killing_a_running_import_leaves_the_database_unchanged(tmp_path):
    """GIVEN a file-based SQLite database with a registry WHEN `manage.py import_data` is SIGKILLed after it has
    written its first chunks of pupils THEN the database has no pupils, no import record and is intact."""
    data = tmp_path / "data"
    env = {**os.environ, "EDUGOV_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "edugov.settings",
           "EDUGOV_PROGRESS_INTERVAL": "0"}  # report every 1,024 rows however fast the machine is
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=REPO, check=True)
    units = write_csv(tmp_path / "机构.csv", [["机构代码", "机构名称", "层级", "上级机构代码", "办学类型代码"],
                                             ["370200", "示范市", "市", None, None],
                                             ["370202", "东区", "区县", "370200", None],
                                             ["2137020001", "东区实验小学", "学校", "370202", "211"]])
    subprocess.run([*manage, "import_data", str(units)], env=env, cwd=REPO, check=True, capture_output=True)
    pupils = write_csv(tmp_path / "学生.csv", [STUDENT_HEADERS, *many_students(20_000)])
    process = subprocess.Popen([*manage, "import_data", str(pupils)], env=env, cwd=REPO, text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    killed_at = 0
    for line in process.stderr:
        if line.startswith("进度："):
            done = int(line.removeprefix("进度：").split("/")[0])
            if done >= 2 * CHUNK_ROWS:  # at least one chunk has been written inside the open transaction
                process.send_signal(signal.SIGKILL)
                killed_at = done
                break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL and 0 < killed_at < 20_000
    with sqlite3.connect(data / "edugov.sqlite3") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT COUNT(*) FROM stats_studentrecord").fetchone() == (0,)
        assert connection.execute("SELECT COUNT(*) FROM stats_gradeenrolment").fetchone() == (0,)
        assert connection.execute("SELECT COUNT(*) FROM dataio_importrun").fetchone() == (1,)  # the registry's
        assert connection.execute("SELECT COUNT(*) FROM registry_orgunit").fetchone() == (3,)
