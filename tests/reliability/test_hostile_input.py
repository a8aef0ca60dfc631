"""Hostile bodies and parameters on real endpoints: always a 4xx JSON error, never a 500."""

import pytest

from conftest import PASSWORD, basic

HUGE_SKIP = str(2**63)

# (method, path, needs credentials) of write endpoints that parse a body.
WRITES = [
    ("post", "/api/auth/register", False),
    ("post", "/api/auth/login", False),
    ("post", "/api/auth/reset-password", False),
    ("post", "/api/auth/set-password", False),
    ("post", "/api/contacts/", True),
    ("post", "/1/users", False),
    ("put", "/1/you", True),
    ("post", "/1/requests", True),
    ("post", "/1/contacts/batch", True),
    ("post", "/1/invites", True),
    ("post", "/1/blocks", True),
]


def send(client, method, path, headers, **kwargs):
    return getattr(client, method)(path, headers=headers, **kwargs)


def assert_client_error(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.get_data())
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert set(response.get_json()) >= {"error", "detail"}


@pytest.fixture
def credentials(user, auth_headers):
    return lambda needed: auth_headers if needed else {}


class TestPaging:
    def test_skip_beyond_a_database_offset_is_422_on_api(self, client, auth_headers):
        response = client.get(f"/api/contacts/?skip={HUGE_SKIP}", headers=auth_headers)
        assert response.status_code == 422
        assert response.get_json()["errors"] == {
            "skip": ["Must be greater than or equal to 0 and less than or equal to "
                     f"{2**63 - 1}."]}

    @pytest.mark.parametrize("path", ["/1/contacts", "/1/search?q=ab", "/1/blocks"])
    def test_skip_beyond_a_database_offset_is_invalid_argument_on_network(
            self, client, auth_headers, path):
        separator = "&" if "?" in path else "?"
        response = client.get(f"{path}{separator}skip={HUGE_SKIP}", headers=auth_headers)
        assert response.status_code == 400
        assert response.get_json() == {"error": "invalid_argument", "detail": "skip"}

    def test_the_largest_offset_is_an_empty_page(self, client, auth_headers):
        response = client.get(f"/1/contacts?skip={2**63 - 1}", headers=auth_headers)
        assert (response.status_code, response.get_json()) == (200, [])


@pytest.mark.parametrize(("method", "path", "needs_auth"), WRITES)
class TestBodies:
    def test_deeply_nested_json(self, client, credentials, method, path, needs_auth):
        body = "[" * 100_000 + "]" * 100_000
        response = send(client, method, path, credentials(needs_auth), data=body,
                        content_type="application/json")
        assert_client_error(response, 400, 422)

    def test_invalid_utf8(self, client, credentials, method, path, needs_auth):
        response = send(client, method, path, credentials(needs_auth),
                        data=b'{"email": "\xff\xfe@example.com", "id": "\xc3"}',
                        content_type="application/json")
        assert_client_error(response, 400)

    def test_invalid_utf8_in_a_form(self, client, credentials, method, path, needs_auth):
        response = send(client, method, path, credentials(needs_auth),
                        data=b"email=%FF%FE%40example.com&id=%C3&first_name=%FF",
                        content_type="application/x-www-form-urlencoded")
        assert_client_error(response, 400, 422)

    @pytest.mark.parametrize("number", ["1e400", "-1e400", "9" * 5000, "NaN", "Infinity"])
    def test_huge_numbers(self, client, credentials, method, path, needs_auth, number):
        body = (f'{{"email": {number}, "id": {number}, "ids": [{number}], "since": {number},'
                f' "password": {number}, "first_name": {number}, "username": {number}}}')
        response = send(client, method, path, credentials(needs_auth), data=body,
                        content_type="application/json")
        assert_client_error(response, 400, 422)

    def test_nul_bytes(self, client, credentials, method, path, needs_auth):
        body = {"email": "a\x00@example.com", "id": "\x00", "ids": ["\x00"],
                "emails": ["\x00"], "since": "\x00", "username": "a\x00b",
                "password": "pass\x00word", "first_name": "A\x00", "last_name": "B\x00"}
        response = send(client, method, path, credentials(needs_auth), json=body)
        assert_client_error(response, 400, 401, 422)

    def test_body_over_one_mib_is_413(self, client, credentials, method, path, needs_auth):
        body = {"first_name": "x" * (1024 * 1024), "email": "a@example.com"}
        response = send(client, method, path, credentials(needs_auth), json=body)
        assert_client_error(response, 413)
        assert response.get_json() == {"error": "payload_too_large",
                                       "detail": "Request body too large"}

    def test_multipart_over_one_mib_is_413(self, client, credentials, method, path, needs_auth):
        response = send(client, method, path, credentials(needs_auth),
                        data={"first_name": "x" * (1024 * 1024 + 1)},
                        content_type="multipart/form-data")
        assert_client_error(response, 413)


def test_avatar_over_five_mib_is_413(client, auth_headers):
    from io import BytesIO

    big = BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024 + 1))
    response = client.patch("/api/users/avatar", headers=auth_headers,
                            data={"file": (big, "a.png")}, content_type="multipart/form-data")
    assert_client_error(response, 413)


def test_nul_in_a_query_value_on_network(client, user):
    response = client.get("/1/search?q=ab%00cd", headers=basic(user.username, PASSWORD))
    assert response.status_code == 400
    assert response.get_json() == {"error": "bad_request",
                                   "detail": "NUL characters are not allowed"}
