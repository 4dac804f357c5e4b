"""Every 4xx from the API has the same shape: type, title, status, detail, errors."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.accounts.test_api_tokens import token_for
from tests.conftest import host_client, signed_in_client

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(response, status: int, type_: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert PROBLEM_KEYS <= set(body) <= PROBLEM_KEYS | {"errors"}
    assert body["status"] == status
    assert body["type"] == type_
    assert body["title"]
    assert body["detail"]
    return body


def test_validation_errors_name_each_field(client_a: Client) -> None:
    body = assert_problem(
        client_a.post("/api/auth/token/", {"email": ""}, content_type="application/json"),
        400,
        "invalid_request",
    )

    assert body["errors"] == {
        "email": ["This field may not be blank."],
        "password": ["This field is required."],
    }


def test_malformed_json_is_a_400_problem(client_a: Client) -> None:
    body = assert_problem(
        client_a.post("/api/auth/token/", "{not json", content_type="application/json"),
        400,
        "invalid_request",
    )
    assert "JSON parse error" in body["detail"]


def test_wrong_content_type_is_a_415_problem(client_a: Client) -> None:
    assert_problem(
        client_a.post("/api/auth/token/", {"email": "a", "password": "b"}),  # form-encoded
        415,
        "unsupported_media_type",
    )


def test_method_not_allowed_is_a_405_problem(client_a: Client, tenant_a) -> None:
    token = token_for(client_a, "admin@northmoor.example")
    client = host_client(tenant_a.host, HTTP_AUTHORIZATION=f"Token {token}")

    assert_problem(
        client.put("/api/me/", {}, content_type="application/json"), 405, "method_not_allowed"
    )


def test_unknown_api_address_is_a_404_problem(client_a: Client) -> None:
    assert_problem(client_a.get("/api/no-such-thing/"), 404, "not_found")


def test_unknown_object_is_a_404_problem(client_a: Client, tenant_a) -> None:
    token = token_for(client_a, "admin@northmoor.example")
    client = host_client(tenant_a.host, HTTP_AUTHORIZATION=f"Token {token}")

    assert_problem(client.get("/api/users/00000000-0000-0000-0000-000000000000/"), 404, "not_found")


def test_session_write_without_csrf_token_is_a_403_problem(client_a: Client, tenant_a) -> None:
    client = signed_in_client(tenant_a, tenant_a.admin, enforce_csrf_checks=True)

    body = assert_problem(
        client.post(f"/api/users/{tenant_a.person.public_id}/deactivate/"), 403, "permission_denied"
    )
    assert "CSRF" in body["detail"]


@pytest.mark.parametrize("path", ["/no-such-page/", "/account/no-such-page/"])
def test_unknown_page_is_a_govuk_404_page(client_a: Client, path: str) -> None:
    response = client_a.get(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"Page not found" in response.content
    assert b"govuk-heading-l" in response.content
