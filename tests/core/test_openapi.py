"""OpenAPI schema and docs on every host, without any third-party CDN."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import host_client


@pytest.mark.parametrize("host", ["northmoor.localhost", "localhost"])
def test_schema_is_served_on_every_host(db, host: str) -> None:
    response = host_client(host).get("/api/schema/", {"format": "json"})

    spec = json.loads(response.content)
    assert response.status_code == 200
    assert spec["info"]["title"] == "ePurse API"
    assert "/api/users/{id}/" in spec["paths"]
    token_scheme = spec["components"]["securitySchemes"]["tokenAuth"]
    assert token_scheme == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Token <token>`, from POST /api/auth/token/ on the same host.",
    }
    # Getting a token needs no credentials ({}); everything else does.
    assert spec["paths"]["/api/auth/token/"]["post"]["security"] == [{"tokenAuth": []}, {}]
    assert spec["paths"]["/api/users/"]["get"]["security"] == [
        {"tokenAuth": []},
        {"cookieAuth": []},
    ]


@pytest.mark.parametrize("host", ["northmoor.localhost", "localhost"])
def test_docs_load_their_assets_from_this_site(db, host: str) -> None:
    response = host_client(host).get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in source for source in sources)
    assert all(source.startswith("/") for source in sources), sources


def test_money_moving_operations_declare_the_idempotency_key(db) -> None:
    spec = json.loads(
        host_client("northmoor.localhost").get("/api/schema/", {"format": "json"}).content
    )
    payment = spec["paths"]["/api/purse/budgets/{id}/payments/"]["post"]
    [header] = [p for p in payment["parameters"] if p["in"] == "header"]
    assert (header["name"], header["required"]) == ("Idempotency-Key", True)
    assert {"201", "409", "422"} <= set(payment["responses"])
