"""The portal's pages through Django's test client: the journeys without JavaScript,
their errors, whom a user acts for, and that nobody sees another person's purse."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role
from accounts.services import user_create
from purse.ledger.models import Account
from purse.models import Representative
from purse.orders.models import Order, Visit
from purse.orders.services import order_accept, visit_deliver
from tests.conftest import TenantUsers, signed_in_client
from tests.purse.orders.support import Market, market

pytestmark = pytest.mark.django_db


def _in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def order_fields(m: Market, **changes: Any) -> dict[str, str]:
    day = _in_days(3)
    fields = {
        "price_option": str(m.price_id),
        "starts_on_day": str(day.day),
        "starts_on_month": str(day.month),
        "starts_on_year": str(day.year),
        "at": "10am",
        "frequency": "weekly",
        "units": "1",
    }
    return fields | changes


def holder(tenant_a: TenantUsers, funds: int = 10_000, **rules: Any) -> tuple[Market, Client]:
    m = market(tenant_a, funds=funds, **rules)
    return m, signed_in_client(tenant_a, tenant_a.person)


def place_order(client: Client, m: Market, **changes: Any) -> Any:
    response = client.post(f"/services/{m.service.pk}/order/", order_fields(m, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/order/check/"
    return client.post("/order/check/")


def test_home_shows_the_purse_in_words_and_as_a_picture(tenant_a) -> None:
    _m, client = holder(tenant_a, funds=31_200)

    page = client.get("/").content.decode()

    assert "You have £312 to spend until" in page
    assert 'role="img"' in page
    assert "£312 to spend, £0 held for booked care" in page
    assert "Next top-up:" in page


def test_search_shows_cards_and_says_what_is_wrong_with_a_filter(tenant_a) -> None:
    m, client = holder(tenant_a)

    found = client.get("/services/", {"max_price": "20", "category": "home-care"})
    too_cheap = client.get("/services/", {"max_price": "10"})
    bad = client.get("/services/", {"max_price": "twenty"})

    assert found.status_code == 200
    assert m.service.name in found.content.decode()
    assert "£18 an hour" in found.content.decode()
    assert m.service.name not in too_cheap.content.decode()
    assert bad.status_code == 400
    assert "Enter the most you want to pay in pounds, like 20 or 17.50" in bad.content.decode()
    assert 'class="govuk-error-summary"' in bad.content.decode()


def test_a_weekly_order_is_checked_confirmed_once_and_shown(tenant_a) -> None:
    m, client = holder(tenant_a, funds=10_000)
    client.post(f"/services/{m.service.pk}/order/", order_fields(m))

    check = client.get("/order/check/").content.decode()
    placed = client.post("/order/check/")
    again = client.post("/order/check/")  # a second press of the button

    assert "Each visit costs" in check
    assert "£18" in check
    assert "Left to spend" in check
    assert "£28" in check
    assert placed.status_code == 302
    assert again["Location"] == placed["Location"]
    with tenant_context(tenant_a.tenant):
        assert Order.objects.filter(person=m.person).count() == 1
        assert Account.objects.get(pk=m.purse.pk).available_pence == 10_000 - 4 * 1800
    confirmation = client.get(placed["Location"]).content.decode()
    assert "Order placed" in confirmation
    reference = re.search(r"ORD-\d{6}", confirmation)
    assert reference is not None
    assert reference.group(0) in client.get("/orders/").content.decode()


def test_order_errors_use_the_error_summary_and_keep_the_answers(tenant_a) -> None:
    m, client = holder(tenant_a)

    response = client.post(
        f"/services/{m.service.pk}/order/",
        order_fields(m, at="25:00", units="", starts_on_day="31", starts_on_month="2"),
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Enter a real time, like 10:00 or 2:30pm" in page
    assert "Enter how much, like 1 or 1.5" in page
    assert 'href="#id_starts_on_day"' in page
    assert 'value="25:00"' in page


def test_an_order_the_purse_cannot_pay_for_is_refused_in_words(tenant_a) -> None:
    m, client = holder(tenant_a, funds=1000)

    response = client.post(f"/services/{m.service.pk}/order/", order_fields(m))

    assert response.status_code == 400
    assert "There is not enough money in the purse: £10 is available" in response.content.decode()
    with tenant_context(tenant_a.tenant):
        assert not Order.objects.filter(person=m.person).exists()


def test_cancelling_a_visit_gives_the_money_back(tenant_a) -> None:
    m, client = holder(tenant_a, funds=10_000)
    place_order(client, m)
    with tenant_context(tenant_a.tenant):
        visit = Visit.objects.filter(order__person=m.person).order_by("on").last()
        assert visit is not None

    ask = client.get(f"/visits/{visit.pk}/cancel/")
    done = client.post(f"/visits/{visit.pk}/cancel/")

    assert "£18 goes back to the purse" in ask.content.decode()
    assert done.status_code == 302
    shown = client.get(done["Location"]).content.decode()
    assert "is cancelled. £18 went back to the purse." in shown
    with tenant_context(tenant_a.tenant):
        assert Account.objects.get(pk=m.purse.pk).available_pence == 10_000 - 3 * 1800


def test_a_visit_too_close_to_cancel_says_why(tenant_a) -> None:
    m, client = holder(tenant_a, funds=10_000)
    # A few hours from now, whatever the hour the test runs: inside the 24 hours' notice.
    soon = (timezone.localtime() + dt.timedelta(hours=3)).replace(minute=0)
    place_order(
        client,
        m,
        frequency="once",
        starts_on_day=str(soon.day),
        starts_on_month=str(soon.month),
        starts_on_year=str(soon.year),
        at=f"{soon.hour % 12 or 12}{'am' if soon.hour < 12 else 'pm'}",
    )
    with tenant_context(tenant_a.tenant):
        visit = Visit.objects.get(order__person=m.person)

    response = client.post(f"/visits/{visit.pk}/cancel/")

    assert response.status_code == 409
    assert "needs 24 hours' notice to cancel" in html.unescape(response.content.decode())


def test_a_delivered_visit_is_confirmed_or_disputed(tenant_a) -> None:
    m, client = holder(tenant_a, funds=10_000, person_confirms_delivery=True)
    place_order(client, m)
    with tenant_context(tenant_a.tenant):
        order = Order.objects.get(person=m.person)
        order_accept(order=order, by=m.provider_owner)
        first, second = list(order.visits.order_by("on"))[:2]
        for days_ago, visit in enumerate((first, second)):
            Visit.objects.filter(pk=visit.pk).update(on=_in_days(-days_ago))
            visit_deliver(visit=Visit.objects.get(pk=visit.pk), units="1", by=m.provider_owner)

    listed = client.get("/orders/").content.decode()
    confirmed = client.post(f"/visits/{first.pk}/confirm/")
    empty = client.post(f"/visits/{second.pk}/dispute/", {"reason": ""})
    disputed = client.post(f"/visits/{second.pk}/dispute/", {"reason": "Nobody came"})

    assert "Did these visits happen?" in listed
    assert confirmed.status_code == 302
    assert empty.status_code == 400
    assert "Say what was wrong with the visit" in empty.content.decode()
    assert disputed.status_code == 302
    with tenant_context(tenant_a.tenant):
        assert Visit.objects.get(pk=first.pk).status == Visit.Status.PAID
        assert Visit.objects.get(pk=second.pk).status == Visit.Status.DISPUTED


def test_a_representative_chooses_whom_they_act_for_and_sees_the_banner(tenant_a) -> None:
    m = market(tenant_a, funds=5000)
    with tenant_context(tenant_a.tenant):
        son = user_create(email="son@northmoor.example", full_name="Tom Lovelace", role_codes=[])
        Representative.objects.create(
            person=m.person,
            user=son,
            relationship="family",
            scopes=[Representative.Scope.VIEW],
            starts_on=_in_days(-1),
        )
    client = signed_in_client(tenant_a, son)

    home = client.get("/").content.decode()
    order = client.get(f"/services/{m.service.pk}/order/")

    assert f"You are acting for {m.person}" in home
    assert f"{m.person.given_name} has £50 to spend" in home
    assert order.status_code == 403
    assert "You cannot order for" in order.content.decode()


def test_another_persons_visit_or_order_is_not_found(tenant_a) -> None:
    m, client = holder(tenant_a, funds=10_000)
    place_order(client, m)
    with tenant_context(tenant_a.tenant):
        visit = Visit.objects.filter(order__person=m.person).first()
        order = Order.objects.get(person=m.person)
        other = user_create(
            email="other@northmoor.example", full_name="Other Person", role_codes=["budget_holder"]
        )
    stranger = signed_in_client(tenant_a, other)

    assert visit is not None
    assert stranger.post(f"/visits/{visit.pk}/cancel/").status_code == 404
    assert stranger.get(f"/orders/{order.reference}/placed/").status_code == 404
    with tenant_context(tenant_a.tenant):
        assert Visit.objects.get(pk=visit.pk).status == Visit.Status.HELD


def test_easy_read_follows_the_persons_needs_and_their_choice(tenant_a) -> None:
    m, client = holder(tenant_a)
    with tenant_context(tenant_a.tenant):
        m.person.communication_needs = ["easy_read"]
        m.person.save(update_fields=["communication_needs"])

    body = 'class="govuk-template__body epurse-easy-read"'
    assert body in client.get("/").content.decode()
    client.post("/easy-read/", {"on": "0", "next": "/"})
    assert body not in client.get("/").content.decode()


def test_staff_without_a_person_chosen_are_offered_the_chooser(tenant_a) -> None:
    with tenant_context(tenant_a.tenant):
        worker = user_create(
            email="worker@northmoor.example", full_name="Sam Worker", role_codes=["care_manager"]
        )
        assert Role.objects.filter(code="care_manager").exists()
    market(tenant_a, funds=0)
    client = signed_in_client(tenant_a, worker)

    home = client.get("/").content.decode()
    chooser = client.get("/act-for/").content.decode()
    wrong = client.post("/act-for/", {"person": "not-a-person"})

    assert "Choose someone to help" in home
    assert "Who are you helping?" in chooser
    assert "Ada Lovelace" in chooser
    assert wrong.status_code == 400
    assert "Choose the person you are helping today" in wrong.content.decode()


def test_statements_are_in_large_print_for_people_who_need_it(tenant_a) -> None:
    from django.template.loader import render_to_string

    from purse.statements.selectors import statement_for

    m, client = holder(tenant_a)
    standard = client.get("/statement/", follow=True).content.decode()
    with tenant_context(tenant_a.tenant):
        m.person.communication_needs = ["large_print"]
        m.person.save(update_fields=["communication_needs"])
        day = timezone.localdate()
        pdf_html = render_to_string(
            "purse/statements/statement_pdf.html",
            {"statement": statement_for(person=m.person, start=day.replace(day=1), end=day)},
        )
    large = client.get("/statement/", follow=True).content.decode()

    assert "Budget statement for" in standard
    assert "epurse-large-print" not in standard
    assert "epurse-large-print" in large
    assert '<body class="large-print">' in pdf_html
