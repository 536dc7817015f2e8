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
