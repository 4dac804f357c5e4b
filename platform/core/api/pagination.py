from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window
from rest_framework.pagination import PageNumberPagination

_MAX_OFFSET = 2**63 - 1


class PagePagination(PageNumberPagination):
    """`page` and `per_page`, as Open Referral UK uses them."""

    page_size_query_param = "per_page"
    max_page_size = 200


class WindowCountPaginator(Paginator):
    """Fetches a page and the total in one query (COUNT(*) OVER ()), instead of a
    separate COUNT that repeats an expensive search. Only a page past the end costs a
    second query, to say how many pages there are."""

    def page(self, number: Any) -> Page:
        number = self.validate_number_format(number)
        bottom = (number - 1) * self.per_page
        queryset: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        # PostgreSQL's OFFSET is a bigint: a page beyond it is past the end of any list.
        rows = (
            list(
                queryset.annotate(_window_total=Window(Count("*")))[bottom : bottom + self.per_page]
            )
            if bottom <= _MAX_OFFSET
            else []
        )
        if rows:
            self.__dict__["count"] = rows[0]._window_total
        elif number == 1:
            self.__dict__["count"] = 0
        if number > self.num_pages and not (number == 1 and self.allow_empty_first_page):
            raise EmptyPage(self.error_messages["no_results"])
        return Page(rows, number, self)

    def validate_number_format(self, number: Any) -> int:
        # validate_number() would count first; only the number's form is checked here.
        if isinstance(number, float) and not number.is_integer():
            raise EmptyPage(self.error_messages["invalid_page"])
        try:
            value = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if value < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return value


class WindowCountPagination(PagePagination):
    """PagePagination for expensive querysets: one query per page (see above)."""

    django_paginator_class = WindowCountPaginator
