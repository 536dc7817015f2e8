from __future__ import annotations

from edugov.allocation import services
from edugov.allocation.engine.cli import main
from edugov.allocation.models import Draw

from .helpers import commit_teams


def test_verify_accepts_a_draw_public_id(personas, city, capsys):
    draw = services.perform_draw(actor=personas.east_admin, draw=commit_teams(personas.east_admin, city.east_primary))
    assert main(["verify", draw.public_id]) == 0
    out = capsys.readouterr().out
    assert "验证通过" in out and draw.output_sha256 in out


def test_verify_of_a_tampered_draw_exits_1(personas, city, capsys):
    draw = services.perform_draw(actor=personas.east_admin, draw=commit_teams(personas.east_admin, city.east_primary))
    Draw.objects.filter(pk=draw.pk).update(output_bytes=bytes(draw.output_bytes) + b"9,X,\n")
    assert main(["verify", draw.public_id]) == 1
    assert "结果文件与记录不符" in capsys.readouterr().out


def test_verify_of_an_unknown_id_exits_2(db, capsys):
    assert main(["verify", "no-such-draw-or-file"]) == 2
    assert "找不到" in capsys.readouterr().err
