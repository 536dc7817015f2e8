import io
import json

from django.core.management import call_command

from edugov.core.models import RoleAssignment
from edugov.registry.models import OrgUnit
from edugov.stats.models import StudentRecord


def test_the_demo_command_loads_a_city_creates_one_user_per_role_and_reuses_them_on_rerun(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first = io.StringIO()
    call_command("demo", "--no-serve", "--scale", "county", stdout=first)
    assert OrgUnit.objects.filter(kind="school").count() > 20
    assert StudentRecord.objects.count() > 10_000
    users = json.loads((tmp_path / "demo-users.json").read_text(encoding="utf-8"))
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == {"city_admin", "district_admin", "school_admin", "inspector", "viewer", "counsellor"}
    assert {u["username"] for u in users} >= {"shiju", "quxian", "xiaozhang", "duxue", "chakan", "admin"}

    students_before = StudentRecord.objects.count()
    second = io.StringIO()
    call_command("demo", "--no-serve", stdout=second)
    assert "已有数据" in second.getvalue()
    assert StudentRecord.objects.count() == students_before
    for user in users:
        assert user["password"] in second.getvalue()
