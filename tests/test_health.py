"""GET /api/healthchecker, unknown paths and the OpenAPI document."""

import pytest
from openapi_spec_validator import validate

from conftest import REDIS_URL


def test_healthchecker_reports_database_and_cache(client):
    response = client.get("/api/healthchecker")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.get_json() == {
        "message": "ok",
        "database": "ok",
        "cache": "ok" if REDIS_URL else "in-process",
    }


def test_unknown_path_is_a_json_404(client):
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.get_json() == {"error": "not_found", "detail": "Not found"}


def test_wrong_method_is_a_json_405_with_allow(client):
    response = client.delete("/api/healthchecker")
    assert response.status_code == 405
    assert response.get_json() == {"error": "method_not_allowed", "detail": "Method not allowed"}
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_openapi_document_is_valid_openapi_3(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.")
    assert "/api/healthchecker" in document["paths"]
    assert set(document["components"]["securitySchemes"]) == {"bearerAuth", "basicAuth"}


def test_docs_page_is_served_without_a_cdn(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in html
    assert "//" not in html.split("<script", 1)[1].split("</script>", 1)[0].replace("/docs", "")
    asset = client.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert b"SwaggerUIBundle" in asset.data


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("GET", "/1/contacts/batch", {"POST", "OPTIONS"}),
    ("DELETE", "/1/invites/batch", {"POST", "OPTIONS"}),
    ("DELETE", "/api/contacts/get-upcoming-birthday", {"GET", "HEAD", "OPTIONS"}),
])
def test_a_route_beside_an_id_answers_405_not_invalid_id(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert response.get_json() == {"error": "method_not_allowed", "detail": "Method not allowed"}
    assert set(response.headers["Allow"].split(", ")) == allowed


@pytest.mark.parametrize("path", ["/1/contacts/batches", "/api/contacts/nope"])
def test_anything_else_there_is_an_invalid_id(client, path):
    response = client.delete(path)
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_id", "detail": path.rsplit("/", 1)[1]}
