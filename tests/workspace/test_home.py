"""The workspace's home page: each role sees the sections it may open, and no other."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tests.conftest import signed_in_client
from tests.purse.plan_builders import staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("care_manager", ["Caseload"], ["Finance", "Administration", "Reports"]),
        ("finance_officer", ["Finance"], ["Caseload", "Administration", "Reports"]),
        ("commissioner", ["Reports"], ["Caseload", "Finance", "Administration"]),
        ("council_admin", ["Administration", "Import budget holders", "Reports"], ["Finance"]),
    ],
)
def test_each_role_sees_its_own_sections(tenant_a, role, shown, hidden):
    with tenant_context(tenant_a.tenant):
        user = staff(f"Pat {role}", role)
    page = signed_in_client(tenant_a, user).get("/workspace/").content.decode()
    for title in shown:
        assert f">{title}</a>" in page
    for title in hidden:
        assert f">{title}</a>" not in page


def test_a_budget_holder_is_told_they_have_no_council_work(tenant_a):
    page = signed_in_client(tenant_a, tenant_a.person).get("/workspace/").content.decode()
    assert "Your account has no council work to do here" in page
    assert ">Caseload</a>" not in page


def test_signed_out_visitors_are_sent_to_sign_in(client_a):
    response = client_a.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/?next=/workspace/")


def test_the_staff_home_page_links_to_the_workspace(tenant_a):
    with tenant_context(tenant_a.tenant):
        user = staff("Fay Finance", "finance_officer")
    page = signed_in_client(tenant_a, user).get("/").content.decode()
    assert 'href="/workspace/"' in page
