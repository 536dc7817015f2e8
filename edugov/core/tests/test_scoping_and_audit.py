import pytest
from django.http import Http404

from edugov.core.choices import AuditAction, Permission
from edugov.core.models import AuditEvent
from edugov.core.scoping import get_in_scope_or_404, scope_for
from edugov.core.services import grant_role
from edugov.registry.models import OrgUnit


def test_a_school_admin_sees_only_their_school(city, personas):
    scope = scope_for(personas.school_admin)
    assert scope.unit_ids == {city.east_primary.pk}


def test_the_city_admin_sees_every_unit(city, personas):
    scope = scope_for(personas.city_admin)
    assert set(OrgUnit.objects.values_list("pk", flat=True)) == scope.unit_ids


def test_an_out_of_scope_unit_is_not_found_rather_than_forbidden(city, personas):
    with pytest.raises(Http404):
        get_in_scope_or_404(personas.west_admin, OrgUnit.objects.all(), "pk", pk=city.east_primary.pk)


def test_inspectors_and_viewers_may_not_see_sensitive_fields(personas):
    assert not scope_for(personas.inspector).can(Permission.VIEW_SENSITIVE)
    assert not scope_for(personas.viewer).can(Permission.VIEW_SENSITIVE)
    assert scope_for(personas.school_admin).can(Permission.VIEW_SENSITIVE)


def test_a_user_with_two_roles_sees_the_union_of_both_subtrees(city, personas):
    grant_role(actor=personas.city_admin, username="li", role="viewer", unit=city.west)
    personas.east_admin.refresh_from_db()
    scope = scope_for(type(personas.east_admin).objects.get(pk=personas.east_admin.pk))
    assert scope.contains(city.west_primary.pk) and scope.contains(city.east_primary.pk)


def test_granting_a_role_is_audited_with_the_acting_user(city, personas):
    grant_role(actor=personas.city_admin, username="newcomer", role="viewer", unit=city.west)
    event = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="core.RoleAssignment").latest("id")
    assert event.actor == personas.city_admin
    assert event.after == {"user": "newcomer", "role": "viewer", "org_unit": city.west.code}
    assert event.org_unit_id == city.west.pk


def test_a_district_keeps_seeing_a_school_it_closed(city, personas):
    import datetime as dt

    from edugov.registry.services import close_unit

    close_unit(actor=None, unit=city.east_junior, closed_on=dt.date(2024, 7, 1))
    assert scope_for(personas.east_admin).contains(city.east_junior.pk)
    assert not scope_for(personas.west_admin).contains(city.east_junior.pk)


def test_a_moved_school_leaves_its_old_districts_scope(city, personas):
    import datetime as dt

    from edugov.registry.services import move_unit

    move_unit(actor=None, unit=city.east_primary, new_parent=city.west, effective_on=dt.date(2024, 9, 1))
    assert not scope_for(personas.east_admin).contains(city.east_primary.pk)
    assert scope_for(personas.west_admin).contains(city.east_primary.pk)


def test_sensitive_access_is_granted_per_role_not_per_user(city, personas):
    grant_role(actor=None, username="zhang", role="viewer", unit=city.east)
    user = type(personas.school_admin).objects.get(pk=personas.school_admin.pk)
    scope = scope_for(user)
    assert scope.contains(city.east_junior.pk)
    assert scope.can_at(Permission.VIEW_SENSITIVE, city.east_primary.pk)
    assert not scope.can_at(Permission.VIEW_SENSITIVE, city.east_junior.pk)


def test_web_logins_and_failed_logins_are_audited_under_the_users_unit(client, city, personas):
    from conftest import PASSWORD

    client.post("/login/", {"username": "li", "password": "wrong-password"})
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.object_repr == "li" and failed.org_unit_id == city.east.pk and failed.message == "网页登录失败"
    client.post("/login/", {"username": "li", "password": PASSWORD})
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert login.actor == personas.east_admin and login.message == "网页登录"


def test_deactivating_an_account_in_the_admin_is_audited_without_the_password_hash(client, city, personas):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="root-pass-123")
    client.force_login(admin)
    user = personas.viewer
    page = client.get(f"/admin/auth/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data.update({"username": user.username, "is_active": "", "date_joined_0": "2024-01-01",
                 "date_joined_1": "00:00:00", "roles-TOTAL_FORMS": "0", "roles-INITIAL_FORMS": "0"})
    data.pop("is_active")
    data.pop("password", None)
    response = client.post(f"/admin/auth/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.filter(object_type="auth.User", action=AuditAction.UPDATE).latest("id")
    assert event.before["is_active"] is True and event.after["is_active"] is False
    assert "password" not in event.after and event.org_unit_id == city.east.pk
