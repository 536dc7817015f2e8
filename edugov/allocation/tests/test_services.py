from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from edugov.allocation import services
from edugov.allocation.choices import DrawStatus
from edugov.allocation.engine.records import commit_seed, sha256_hex
from edugov.allocation.engine.runs import classes_parameters
from edugov.allocation.models import Draw
from edugov.core.models import AuditEvent

from .helpers import SEED, TEAMS_CSV, commit_seats, commit_teams


def _updates(draw: Draw) -> int:
    return AuditEvent.objects.filter(object_type="allocation.Draw", object_id=str(draw.pk), action="update").count()


def test_commit_stores_the_commitment_and_seals_the_seed(personas, city):
    draw = commit_teams(personas.east_admin, city.east_primary)
    assert draw.status == DrawStatus.COMMITTED
    assert draw.seed_commitment == commit_seed(SEED)
    assert draw.seed == "" and draw.sealed_seed == SEED
    assert draw.input_sha256 == sha256_hex(TEAMS_CSV)
    assert len(draw.public_id) >= 16


def test_commit_without_a_seed_generates_a_128_bit_seed(personas, city):
    draw = commit_teams(personas.east_admin, city.east_primary, seed=None)
    assert len(draw.sealed_seed) == 32 and draw.seed_commitment == commit_seed(draw.sealed_seed)


def test_commit_is_audited_without_the_sealed_seed(personas, city):
    draw = commit_teams(personas.east_admin, city.east_primary)
    event = AuditEvent.objects.get(object_type="allocation.Draw", object_id=str(draw.pk), action="create")
    assert event.after["seed_commitment"] == draw.seed_commitment
    assert SEED not in str(event.after) and SEED not in event.message


def test_commit_then_draw_then_verify_passes(personas, city):
    draw = commit_teams(personas.east_admin, city.east_primary)
    draw = services.perform_draw(actor=personas.east_admin, draw=draw, seed=SEED)
    assert draw.status == DrawStatus.DRAWN and draw.seed == SEED and draw.drawn_at is not None
    assert draw.output_sha256 == sha256_hex(bytes(draw.output_bytes))
    assert draw.record["seed_commitment"] == commit_seed(SEED)
    assert draw.record["inputs"] == [{"name": "教师组.csv", "sha256": sha256_hex(TEAMS_CSV)}]
    report = services.verify_draw(draw)
    assert report.ok, report.problems
    assert report.recomputed_output_sha256 == draw.output_sha256
    assert _updates(draw) == 1


def test_drawing_without_typing_the_seed_reveals_the_sealed_one(personas, city):
    draw = services.perform_draw(actor=personas.east_admin, draw=commit_seats(personas.east_admin, city.east_primary))
    assert draw.seed == SEED
    assert services.verify_draw(draw).ok


def test_a_wrong_seed_is_refused_and_nothing_is_stored(personas, city):
    draw = commit_teams(personas.east_admin, city.east_primary)
    with pytest.raises(ValidationError, match="与事先公布的承诺值不符"):
        services.perform_draw(actor=personas.east_admin, draw=draw, seed="another-seed")
    draw.refresh_from_db()
    assert draw.status == DrawStatus.COMMITTED
    assert draw.seed == "" and draw.output_sha256 == "" and bytes(draw.output_bytes) == b"" and draw.record is None
    assert _updates(draw) == 0


def test_a_draw_happens_only_once(personas, city):
    draw = commit_teams(personas.east_admin, city.east_primary)
    services.perform_draw(actor=personas.east_admin, draw=draw)
    with pytest.raises(ValidationError, match="已经完成"):
        services.perform_draw(actor=personas.east_admin, draw=draw)


def test_a_tampered_stored_output_is_detected(personas, city):
    draw = services.perform_draw(actor=personas.east_admin, draw=commit_teams(personas.east_admin, city.east_primary))
    lines = bytes(draw.output_bytes).decode().splitlines()
    lines[1], lines[2] = lines[1].replace(lines[1].split(",")[1], "X"), lines[2]
    Draw.objects.filter(pk=draw.pk).update(output_bytes=("\n".join(lines) + "\n").encode())
    draw.refresh_from_db()
    report = services.verify_draw(draw)
    assert not report.ok
    assert any("结果文件与记录不符" in p for p in report.problems)
    assert [d.line for d in report.row_diffs] == [2]


def test_a_tampered_stored_input_is_detected(personas, city):
    draw = services.perform_draw(actor=personas.east_admin, draw=commit_teams(personas.east_admin, city.east_primary))
    Draw.objects.filter(pk=draw.pk).update(input_bytes=TEAMS_CSV.replace("周八".encode(), "吴九".encode()))
    draw.refresh_from_db()
    report = services.verify_draw(draw)
    assert not report.ok
    assert any("输入文件" in p for p in report.problems)


def test_a_changed_seed_is_detected(personas, city):
    draw = services.perform_draw(actor=personas.east_admin, draw=commit_teams(personas.east_admin, city.east_primary))
    Draw.objects.filter(pk=draw.pk).update(seed="changed")
    draw.refresh_from_db()
    assert any("种子" in p for p in services.verify_draw(draw).problems)


def test_verifying_before_the_draw_says_so(personas, city):
    report = services.verify_draw(commit_teams(personas.east_admin, city.east_primary))
    assert not report.ok and "尚未抽签" in report.problems[0]


def test_an_out_of_scope_user_may_neither_commit_nor_draw(personas, city):
    with pytest.raises(PermissionDenied):
        commit_teams(personas.west_admin, city.east_primary)
    draw = commit_teams(personas.east_admin, city.east_primary)
    with pytest.raises(PermissionDenied):
        services.perform_draw(actor=personas.west_admin, draw=draw)
    assert Draw.objects.get(pk=draw.pk).status == DrawStatus.COMMITTED


def test_a_viewer_without_edit_permission_may_not_commit(personas, city):
    with pytest.raises(PermissionDenied):
        commit_teams(personas.viewer, city.east_primary)


def test_impossible_exclusions_are_refused_at_commitment(personas, city):
    bad = TEAMS_CSV.replace("二组,班主任:王五,".encode(), "二组,班主任:王五,1;2;3;4".encode())
    with pytest.raises(ValidationError, match="回避了全部班级"):
        services.commit_draw(actor=personas.east_admin, org_unit=city.east_primary, kind="teams", title="t",
                             input_name="t.csv", input_bytes=bad, parameters={"command": "teams", "classes": 4})
    assert not Draw.objects.exists()


def test_a_draw_on_a_future_public_number_has_no_commitment_and_needs_the_number(personas, city):
    draw = commit_teams(personas.east_admin, city.east_primary, seed=None, public_source="2026-12-01 福彩3D开奖号码")
    assert draw.seed_commitment == "" and draw.sealed_seed == ""
    with pytest.raises(ValidationError, match="公开数字"):
        services.perform_draw(actor=personas.east_admin, draw=draw)
    draw = services.perform_draw(actor=personas.east_admin, draw=draw, seed="385")
    assert draw.seed == "385"
    assert services.verify_draw(draw).ok


def test_a_classes_draw_verifies(personas, city):
    rows = ["id,gender,math,total"] + [f"S{i:02d},{'M' if i % 2 else 'F'},{50 + i},{50 + i}" for i in range(12)]
    draw = services.commit_draw(actor=personas.school_admin, org_unit=city.east_primary, kind="classes",
                                title="一年级分班", input_name="c.csv", input_bytes="\n".join(rows).encode(),
                                parameters=classes_parameters(3), seed="seed-for-classes-0001")
    draw = services.perform_draw(actor=personas.school_admin, draw=draw)
    assert services.verify_draw(draw).ok
