"""Statements through the API, on a council's host: JSON, CSV or PDF, for the person,
a representative with the view scope, or staff who work with them (staff reads are
audited as reads of the person's record). Anyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue.api.base import COUNCIL_HOST, FileView, HostScoped, file_response
from core.services import Origin

from ..models import Person
from ..selectors import PersonNotFound, person_for_viewer, person_own
from .csv import statement_csv
from .pdf import statement_pdf
from .selectors import Statement, statement_for, statement_period
from .serializers import BudgetStatementOut

PERIOD = [
    OpenApiParameter(
        "from", OpenApiTypes.DATE, description="First day (default: the 1st of this month)"
    ),
    OpenApiParameter(
        "to", OpenApiTypes.DATE, description="Last day (default: the end of that month)"
    ),
]
PROBLEM = OpenApiResponse(description="Problem details (application/problem+json)")
TAGS = ["purse: statements (a council's host only)"]


def statement_person(request: Any, id: str | None) -> Person:
    """Whose statement: the person with this id if the caller may see them (staff
    reads audited), or with no id the caller's own record."""
    if id is None:
        person = person_own(user=request.user)
        if person is None:
            raise PersonNotFound()
        return person
    return person_for_viewer(
        public_id=id, viewer=request.user, origin=Origin.of(request), reading="statement"
    )


def statement_asked(request: Any, id: str | None) -> Statement:
    person = statement_person(request, id)
    start, end = statement_period(start=request.GET.get("from"), end=request.GET.get("to"))
    return statement_for(person=person, start=start, end=end)


def statement_filename(statement: Statement, extension: str) -> str:
    return f"budget-statement-{statement.start:%Y-%m-%d}-to-{statement.end:%Y-%m-%d}.{extension}"


class StatementJson(HostScoped):
    """The statement for a period (from/to, YYYY-MM-DD; default this month): opening
    balance, each movement of money in plain English, orders, money held at the end
    and the closing balance, all in pence. 400 for dates that cannot be read, a first
    day after the last or after today, or more than 366 days."""

    host_scope = COUNCIL_HOST
    permission_classes = [IsAuthenticated]
    # What the id in the path names (the tenant-isolation tests read these).
    queryset = Person.objects.all()
    lookup_field = "public_id"

    @extend_schema(tags=TAGS, parameters=PERIOD, responses={200: BudgetStatementOut, 400: PROBLEM})
    def get(self, request: Request, id: str | None = None) -> Response:
        return Response(BudgetStatementOut(statement_asked(request, str(id) if id else None)).data)


class _StatementFile(FileView, HostScoped):
    host_scope = COUNCIL_HOST
    permission_classes = [IsAuthenticated]
    # What the id in the path names (the tenant-isolation tests read these).
    queryset = Person.objects.all()
    lookup_field = "public_id"
    extension = ""
    content_type = ""

    def render(self, statement: Statement) -> bytes:
        raise NotImplementedError

    def get(self, request: Request, id: str | None = None) -> HttpResponse:
        statement = statement_asked(request, str(id) if id else None)
        return file_response(
            content=self.render(statement),
            content_type=self.content_type,
            cache_control="private, no-store",
            filename=statement_filename(statement, self.extension),
        )


class StatementCsv(_StatementFile):
    """The statement as CSV (columns: purse.statements.csv): an opening row, one row
    for each movement of money, a closing row; amounts in pence and in pounds."""

    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    @extend_schema(
        tags=TAGS, parameters=PERIOD, responses={(200, "text/csv"): OpenApiTypes.STR, 400: PROBLEM}
    )
    def get(self, request: Request, id: str | None = None) -> HttpResponse:
        return super().get(request, id)

    def render(self, statement: Statement) -> bytes:
        return statement_csv(statement).encode("utf-8")


class StatementPdf(_StatementFile):
    """The statement as an accessible, tagged PDF (PDF/UA-1)."""

    extension = "pdf"
    content_type = "application/pdf"

    @extend_schema(
        tags=TAGS,
        parameters=PERIOD,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 400: PROBLEM},
    )
    def get(self, request: Request, id: str | None = None) -> HttpResponse:
        return super().get(request, id)

    def render(self, statement: Statement) -> bytes:
        return statement_pdf(statement)
