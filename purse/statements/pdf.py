"""A statement as a tagged, accessible PDF (PDF/UA-1), from the same words as the page.

WeasyPrint lays out an HTML template. It is given a URL fetcher that fetches
nothing: the template needs no outside files, and nothing a person typed (a memo, a
service's name) can make the server fetch a URL.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher

from .selectors import Statement, day_text


def _nothing_fetched() -> URLFetcher:
    return URLFetcher(allowed_protocols=[], allow_redirects=False)


def statement_title(statement: Statement) -> str:
    return (
        f"Budget statement for {statement.person_name}, "
        f"{day_text(statement.start)} to {day_text(statement.end)}"
    )


def statement_pdf(statement: Statement, context: dict[str, Any] | None = None) -> bytes:
    html = render_to_string(
        "purse/statements/statement_pdf.html",
        {"statement": statement, "title": statement_title(statement), **(context or {})},
    )
    pdf = HTML(string=html, url_fetcher=_nothing_fetched()).write_pdf(
        pdf_variant="pdf/ua-1", pdf_tags=True
    )
    assert pdf is not None  # noqa: S101 - write_pdf returns the bytes when given no target
    return bytes(pdf)
