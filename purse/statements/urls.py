"""Statement URLs, on a council's host: the pages (`urlpatterns`, under /purse/) and
the API (`api_urlpatterns`, under /api/purse/)."""

from django.urls import path

from . import api, web

api_urlpatterns = [
    path("me/statement/", api.StatementJson.as_view(), name="purse-my-statement"),
    path("me/statement.csv", api.StatementCsv.as_view(), name="purse-my-statement-csv"),
    path("me/statement.pdf", api.StatementPdf.as_view(), name="purse-my-statement-pdf"),
    path("people/<uuid:id>/statement/", api.StatementJson.as_view(), name="purse-statement"),
    path("people/<uuid:id>/statement.csv", api.StatementCsv.as_view(), name="purse-statement-csv"),
    path("people/<uuid:id>/statement.pdf", api.StatementPdf.as_view(), name="purse-statement-pdf"),
]

app_name = "statements"

urlpatterns = [
    path("me/statement/", web.statement_page, name="my-statement"),
    path("people/<uuid:id>/statement/", web.statement_page, name="statement"),
]
