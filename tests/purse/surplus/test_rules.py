"""The notice period is a setting of the budget rules: 28 days unless a council sets
another, from 1 to 365 days, copied into each new draft."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import ValidationFailed
from tenants.rules.models import RulesVersion
from tenants.rules.services import rules_version_create

pytestmark = pytest.mark.django_db

FAR = dt.date(2099, 1, 1)


def test_the_notice_period_is_a_setting_of_the_rules(council) -> None:
    base = RulesVersion.objects.get(number=1)
    assert base.surplus_notice_days == 28

    draft = rules_version_create(effective_from=FAR, by=council.admin, surplus_notice_days=14)
    copy = rules_version_create(
        based_on=draft, effective_from=FAR + dt.timedelta(days=1), by=council.admin
    )

    assert (draft.surplus_notice_days, copy.surplus_notice_days) == (14, 14)
    with pytest.raises(ValidationFailed) as caught:
        rules_version_create(effective_from=FAR, by=council.admin, surplus_notice_days=0)
    assert caught.value.field_errors == {
        "surplus_notice_days": ["Give a whole number of days from 1 to 365"]
    }
