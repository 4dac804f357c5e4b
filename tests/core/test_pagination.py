"""The one-query paginator behaves like Django's, with one query per page."""

from __future__ import annotations

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import TaxonomyTerm
from core.api.pagination import WindowCountPaginator

pytestmark = pytest.mark.django_db


def _terms():
    return TaxonomyTerm.objects.order_by("taxonomy__code", "code")


def _selects(queries) -> int:
    return sum(q["sql"].startswith("SELECT") for q in queries)


def test_pages_match_djangos_paginator_in_one_query():
    total = _terms().count()
    assert total >= 5
    expected = Paginator(_terms(), 2)
    for number in range(1, expected.num_pages + 1):
        wanted = [r.code for r in expected.page(number)]
        paginator = WindowCountPaginator(_terms(), 2)
        with CaptureQueriesContext(connection) as queries:
            page = paginator.page(number)
            assert (paginator.count, paginator.num_pages) == (total, expected.num_pages)
            assert [r.code for r in page] == wanted
            assert (page.has_next(), page.has_previous()) == (
                number < expected.num_pages,
                number > 1,
            )
        assert _selects(queries) == 1


def test_an_empty_result_has_one_empty_page():
    paginator = WindowCountPaginator(TaxonomyTerm.objects.none().order_by("code"), 5)
    page = paginator.page(1)
    assert (list(page), paginator.count, paginator.num_pages) == ([], 0, 1)


def test_a_page_past_the_end_is_refused_after_counting():
    pages = Paginator(_terms(), 2).num_pages
    with pytest.raises(EmptyPage, match="That page contains no results"):
        WindowCountPaginator(_terms(), 2).page(pages + 1)


@pytest.mark.parametrize(
    ("number", "error"), [("x", PageNotAnInteger), (0, EmptyPage), (1.5, EmptyPage)]
)
def test_bad_page_numbers_are_refused(number, error):
    with pytest.raises(error):
        WindowCountPaginator(_terms(), 2).page(number)
