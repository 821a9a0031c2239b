"""Deactivate people, retire records: nothing with history is deleted, so who did what
stays in every history, submission and report."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import reverse

from actionplans.models import ActionUpdate, IndicatorValue
from tests.factories import PASSWORD
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(police_action, period, officer, indicator, csp_admin):  # type: ignore[no-untyped-def]
    ActionUpdate.objects.create(
        action=police_action, period=period, rag="green", status="approved", submitted_by=officer, reviewed_by=csp_admin
    )
    IndicatorValue.objects.create(indicator=indicator, period=period, value=12, entered_by=officer)
    return police_action


def test_the_admin_refuses_to_delete_an_action_with_approved_updates_or_an_indicator_with_values(  # type: ignore[no-untyped-def]
    approved, indicator, csp_admin
) -> None:
    client = client_for(csp_admin)
    for model, pk in (("action", approved.pk), ("indicator", indicator.pk)):
        url = reverse(f"admin:actionplans_{model}_delete", args=[pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"post": "yes"}).status_code == 403
    approved.refresh_from_db()
    indicator.refresh_from_db()
    assert approved.updates.count() == 1
    assert indicator.values.count() == 1


def test_the_admin_refuses_to_delete_a_person_and_offers_no_bulk_delete(csp_admin, officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(csp_admin)

    refused = client.post(reverse("admin:accounts_user_delete", args=[officer.pk]), {"post": "yes"})
    changelist = client.get(reverse("admin:accounts_user_changelist")).content.decode()

    assert refused.status_code == 403
    assert officer.__class__.objects.filter(pk=officer.pk).exists()
    assert "delete_selected" not in changelist


def test_no_model_with_history_can_be_deleted_in_the_admin(csp_admin) -> None:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/admin/")
    request.user = csp_admin
    deletable = [
        model.__name__
        for model, model_admin in admin.site._registry.items()
        if hasattr(model, "history") and model_admin.has_delete_permission(request)
    ]
    assert deletable == []


def test_the_database_refuses_to_delete_a_person_or_an_action_with_records(approved, officer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ProtectedError):
        officer.delete()
    with pytest.raises(ProtectedError):
        approved.delete()


def test_a_deactivated_person_cannot_sign_in_and_their_records_stay(approved, officer, client) -> None:  # type: ignore[no-untyped-def]
    officer.is_active = False
    officer.save()

    response = client.post(reverse("accounts:login"), {"username": officer.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    update = ActionUpdate.objects.get(action=approved)
    assert update.submitted_by == officer
    assert approved.owner == officer
