"""Import budget holders: upload a file, read the check's report, choose to import,
and follow the import until it is done. Thin: purse.imports does the work."""

from __future__ import annotations

import re
import uuid
from typing import cast

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from core.errors import DomainError
from core.services import Origin, audit_record
from core.web.forms import errors_apply, read_upload
from purse.imports import csv_layout
from purse.imports.models import ImportFile
from purse.imports.selectors import (
    REPORT_ROWS_SHOWN,
    import_file_get,
    import_files_list,
    import_progress,
    problems_csv,
)
from purse.imports.services import import_file_check, import_start

from ..pages import section_page, workspace_render
from .forms import UploadForm

SECTION = "import"
import_page = section_page(SECTION)


def _render(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return workspace_render(
        request, f"workspace/imports/{template}", context, section=SECTION, status=status
    )


def _file(file_id: uuid.UUID) -> ImportFile:
    found = import_file_get(public_id=file_id)
    if found is None:
        raise Http404
    return found


@import_page
def index(request: HttpRequest) -> HttpResponse:
    """The upload form, and the files sent before."""
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            made, new = import_file_check(
                name=upload.name,
                content=read_upload(upload, limit=csv_layout.MAX_BYTES),
                by=cast(User, request.user),
                origin=Origin.of(request),
            )
        except DomainError as exc:
            errors_apply(form, exc)
        else:
            url = reverse("workspace:import-file", kwargs={"file_id": made.public_id})
            return redirect(url if new else f"{url}?again=1")
    page = Paginator(import_files_list(), 20).get_page(request.GET.get("page"))
    return _render(
        request,
        "index.html",
        {"form": form, "page": page, "columns": csv_layout.COLUMNS},
    )


def _file_context(found: ImportFile, **extra: object) -> dict:
    problems = found.problems
    return {
        "file": found,
        "problems": problems[:REPORT_ROWS_SHOWN],
        "problems_hidden": max(len(problems) - REPORT_ROWS_SHOWN, 0),
        "progress": import_progress(import_file=found),
        "statuses": ImportFile.Status,
        **extra,
    }


@import_page
def import_file(request: HttpRequest, file_id: uuid.UUID) -> HttpResponse:
    """The check's report, or the import's progress once it was asked for."""
    found = _file(file_id)
    return _render(
        request, "file.html", _file_context(found, again=request.GET.get("again") == "1")
    )


@import_page
@require_POST
def import_file_start(request: HttpRequest, file_id: uuid.UUID) -> HttpResponse:
    """The administrator's choice to import the valid rows."""
    found = _file(file_id)
    try:
        import_start(import_file=found, by=cast(User, request.user), origin=Origin.of(request))
    except DomainError as exc:
        return _render(request, "file.html", _file_context(found, problem=exc.detail))
    return redirect("workspace:import-file", file_id=found.public_id)


@import_page
def bad_rows(request: HttpRequest, file_id: uuid.UUID) -> HttpResponse:
    found = _file(file_id)
    # The rows hold people's names, birth dates and NHS numbers: the download is audited.
    audit_record(
        action="import.bad_rows_downloaded",
        actor=request.user,
        obj=found,
        origin=Origin.of(request),
        detail={"rows": found.rows_bad},
    )
    response = HttpResponse(problems_csv(import_file=found), content_type="text/csv; charset=utf-8")
    # Only plain characters from the name someone's computer gave the file.
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", found.name.rsplit(".", 1)[0])[:100] or "import"
    response["Content-Disposition"] = f'attachment; filename="{stem}-bad-rows.csv"'
    return response
