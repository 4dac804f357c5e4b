"""The platform's home page points each kind of visitor to their pages."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.catalogue import factories as f
from tests.conftest import second_factor_given

pytestmark = pytest.mark.django_db


def test_visitors_are_offered_provider_registration(public_client: Client) -> None:
    page = public_client.get("/").content.decode()
    assert 'href="/providers/register/"' in page
    assert 'href="/providers/vetting/"' not in page


def test_provider_staff_get_their_dashboard_and_operators_vetting() -> None:
    _, owner = f.provider_registered("Bright Days CIC")
    staff = Client(HTTP_HOST="localhost")
    staff.force_login(owner)
    page = staff.get("/").content.decode()
    assert "Bright Days CIC: your services and vetting" in page
    assert 'href="/providers/"' in page
    assert 'href="/providers/vetting/"' not in page

    operator = Client(HTTP_HOST="localhost")
    operator.force_login(f.operator())
    second_factor_given(operator)
    page = operator.get("/").content.decode()
    assert 'href="/providers/vetting/"' in page
    assert "your services and vetting" not in page
