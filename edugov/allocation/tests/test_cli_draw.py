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



def test_verify_accepts_an_enrolment_round_public_id_and_reports_tampering(personas, city, capsys, settings,
                                                                           tmp_path):
    from conftest import make_school
    from edugov.enrolment import services as enrolment
    from edugov.enrolment.models import EnrolmentRound
    from edugov.enrolment.tests.helpers import close, draw_and_publish, make_parent, make_round, submit

    settings.MEDIA_ROOT = tmp_path
    admin = personas.east_admin
    rnd = make_round(admin, city, make_school("2137020009", "东区第二小学", city.east))
    parent = make_parent("parent1")
    applications = [submit(parent, rnd, seq=seq, name=f"儿童{seq}") for seq in (1, 3, 5)]
    close(admin, rnd)
    for application in applications:
        enrolment.approve(actor=admin, application=application)
    draw_and_publish(admin, rnd)
    assert main(["verify", rnd.public_id]) == 0
    out = capsys.readouterr().out
    assert "招生摇号" in out and "验证通过" in out
    rnd = EnrolmentRound.objects.get(pk=rnd.pk)
    EnrolmentRound.objects.filter(pk=rnd.pk).update(output_bytes=bytes(rnd.output_bytes) + b"X,0,,\n")
    assert main(["verify", rnd.public_id]) == 1
    assert "验证失败" in capsys.readouterr().out
