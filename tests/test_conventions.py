"""The HTTP conventions of API.md §1, exercised through a small probe blueprint.

The probe uses the same Blueprint classes, fields and decorators as the real
resources, so these tests pin the behaviour every endpoint inherits.
"""

import uuid

import pytest
from marshmallow import Schema, fields, validate

from contacts_api.extensions import api
from contacts_api.http import (
    Blueprint,
    CommaList,
    EmailAddress,
    Id,
    NetworkBlueprint,
    NotFound,
    Page,
    Timestamp,
    current_user,
)

ITEMS = list(range(25))
KNOWN_ID = uuid.UUID("fd0540d0109445e3a0601bc6e69f8f1d")


class EchoSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=10))
    email = EmailAddress()
    ids = CommaList(Id())
    when = Timestamp()
    count = fields.Integer()


class ItemSchema(Schema):
    n = fields.Integer()
    id = fields.String()


def numbers(response):
    return [item["n"] for item in response.get_json()]


def probe_blueprints():
    api_blp = Blueprint("probe", __name__, url_prefix="/probe")
    net_blp = NetworkBlueprint("probe1", __name__, url_prefix="/probe1")

    for blp in (api_blp, net_blp):

        @blp.route("/echo", methods=["POST"])
        @blp.arguments(EchoSchema)
        @blp.response(200, EchoSchema)
        def echo(data):
            return data

        @blp.route("/items")
        @blp.response(200, ItemSchema(many=True))
        @blp.paginate()
        def items(page):
            return Page([{"n": n} for n in ITEMS[page.skip : page.skip + page.limit]], len(ITEMS))

        @blp.route("/items/<id:item_id>", methods=["GET", "DELETE"])
        @blp.response(200, EchoSchema)
        def item(item_id):
            if item_id != KNOWN_ID:
                raise NotFound("Item not found")
            return {"name": "known", "ids": [item_id]}

        @blp.route("/me")
        @blp.login_required
        @blp.response(200, ItemSchema)
        def me():
            return {"id": current_user().id.hex}

        @blp.route("/boom")
        def boom():
            raise RuntimeError("secret internals")

    return api_blp, net_blp


@pytest.fixture
def app(app):
    for blueprint in probe_blueprints():
        api.register_blueprint(blueprint)
    return app


class TestErrors:
    def test_unhandled_exception_is_a_json_500_without_internals(self, app, client):
        app.config["PROPAGATE_EXCEPTIONS"] = False
        response = client.get("/probe/boom")
        assert response.status_code == 500
        assert response.get_json() == {"error": "internal_error", "detail": "Internal server error"}
        assert b"secret" not in response.data and b"Traceback" not in response.data

    def test_domain_not_found(self, client):
        response = client.get("/probe/items/0123456789abcdef0123456789abcdef")
        assert response.status_code == 404
        assert response.get_json() == {"error": "not_found", "detail": "Item not found"}


class TestIds:
    @pytest.mark.parametrize(
        "raw",
        [KNOWN_ID.hex, KNOWN_ID.hex.upper(), str(KNOWN_ID), str(KNOWN_ID).upper()],
    )
    def test_hex_and_hyphenated_ids_any_case_are_accepted(self, client, raw):
        response = client.get(f"/probe/items/{raw}")
        assert response.status_code == 200
        assert response.get_json() == {"name": "known", "ids": [KNOWN_ID.hex]}

    @pytest.mark.parametrize(
        "raw",
        ["12", "batch", "fd0540d0109445e3a0601bc6e69f8f1", "{fd0540d0109445e3a0601bc6e69f8f1d}",
         "zd0540d0109445e3a0601bc6e69f8f1d"],
    )
    @pytest.mark.parametrize("prefix", ["/probe", "/probe1"])
    def test_malformed_path_id_is_invalid_id_with_the_value(self, client, raw, prefix):
        response = client.get(f"{prefix}/items/{raw}")
        assert response.status_code == 400
        assert response.get_json() == {"error": "invalid_id", "detail": raw}

    def test_malformed_body_id_on_network_surface(self, client):
        response = client.post("/probe1/echo", data={"name": "x", "ids": f"{KNOWN_ID.hex},nope"})
        assert response.status_code == 400
        assert response.get_json() == {"error": "invalid_id", "detail": f"{KNOWN_ID.hex},nope"}


class TestBodies:
    EXPECTED = {
        "name": "Zoë",
        "email": "zoe@example.com",
        "ids": [KNOWN_ID.hex, "0123456789abcdef0123456789abcdef"],
        "when": "2025-04-16T12:28:54.744Z",
    }

    def test_json_body(self, client):
        response = client.post("/probe/echo", json={
            "name": "Zoë", "email": "zoe@EXAMPLE.com",
            "ids": [str(KNOWN_ID), "0123456789ABCDEF0123456789ABCDEF"],
            "when": "2025-04-16T14:28:54.744+02:00",
        })
        assert response.status_code == 200
        assert response.get_json() == self.EXPECTED

    def test_form_body_with_comma_separated_list(self, client):
        response = client.post("/probe/echo", data={
            "name": "Zoë", "email": "zoe@example.com",
            "ids": f"{KNOWN_ID.hex},0123456789abcdef0123456789abcdef",
            "when": "2025-04-16T12:28:54.744Z",
        })
        assert response.status_code == 200
        assert response.get_json() == self.EXPECTED

    def test_multipart_body_with_repeated_list(self, client):
        response = client.post(
            "/probe/echo",
            data={"name": "Zoë", "email": "zoe@example.com",
                  "ids": [KNOWN_ID.hex, "0123456789abcdef0123456789abcdef"],
                  "when": "2025-04-16T12:28:54.744Z"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200
        assert response.get_json() == self.EXPECTED

    def test_timestamps_are_rendered_utc_with_milliseconds(self, client):
        response = client.post("/probe/echo", json={"name": "a", "when": "2025-04-16T12:28:54"})
        assert response.get_json()["when"] == "2025-04-16T12:28:54.000Z"

    @pytest.mark.parametrize(
        "body", [b"{", b'{"name": "a"', b"\xff\xfe", b"[" * 5000 + b"]" * 5000]
    )
    def test_malformed_json_is_400(self, client, body):
        response = client.post("/probe/echo", data=body, content_type="application/json")
        assert response.status_code == 400
        assert response.get_json() == {"error": "bad_request", "detail": "Malformed JSON body"}

    def test_unsupported_content_type_is_400(self, client):
        response = client.post("/probe/echo", data=b"name=x", content_type="text/plain")
        assert response.status_code == 400
        assert response.get_json()["error"] == "bad_request"
        assert "text/plain" in response.get_json()["detail"]

    def test_nul_characters_are_refused(self, client):
        response = client.post("/probe/echo", json={"name": "a\u0000b"})
        assert response.status_code == 400
        assert response.get_json() == {"error": "bad_request",
                                       "detail": "NUL characters are not allowed"}
        response = client.get("/probe/items?skip=%00")
        assert response.status_code == 400

    def test_oversized_body_is_413(self, client):
        response = client.post("/probe/echo", json={"name": "x" * (1024 * 1024)})
        assert response.status_code == 413
        assert response.get_json() == {"error": "payload_too_large",
                                       "detail": "Request body too large"}

    def test_validation_failure_on_api_is_422_with_field_map(self, client):
        response = client.post("/probe/echo", json={"email": "not-an-email", "count": "x"})
        assert response.status_code == 422
        assert response.get_json() == {
            "error": "validation_error",
            "detail": "name: Missing data for required field.; email: Not a valid email "
                      "address.; count: Not a valid integer.",
            "errors": {
                "name": ["Missing data for required field."],
                "email": ["Not a valid email address."],
                "count": ["Not a valid integer."],
            },
        }

    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            ({}, {"error": "missing_required_argument", "detail": "name"}),
            ({"name": "a", "email": "bad@"}, {"error": "invalid_email", "detail": "bad@"}),
            ({"name": "a", "count": "x"}, {"error": "invalid_argument", "detail": "count"}),
            ({"name": "a", "surprise": "1"}, {"error": "invalid_argument", "detail": "surprise"}),
        ],
    )
    def test_validation_failure_on_network_is_the_seed_code(self, client, data, expected):
        response = client.post("/probe1/echo", data=data)
        assert response.status_code == 400
        assert response.get_json() == expected


class TestRendering:
    def test_compact_json_by_default(self, client):
        response = client.post("/probe/echo", json={"name": "a"})
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        assert response.data == b'{"name":"a"}'

    def test_pretty_printing(self, client):
        response = client.post("/probe/echo?pretty=1", json={"name": "a"})
        assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert response.data == b'{\n  "name": "a"\n}\n'

    def test_errors_are_pretty_too(self, client):
        response = client.get("/nope?pretty=1")
        assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert response.data == b'{\n  "error": "not_found",\n  "detail": "Not found"\n}\n'


class TestMethodOverride:
    def test_post_with_method_delete_is_a_delete(self, client):
        response = client.post(f"/probe1/items/{KNOWN_ID.hex}?method=delete")
        assert response.status_code == 200
        assert response.get_json() == {"name": "known", "ids": [KNOWN_ID.hex]}

    def test_only_post_is_overridden(self, client):
        response = client.get("/probe/echo?method=post")
        assert response.status_code == 405

    def test_override_to_an_unknown_method_is_ignored(self, client):
        response = client.post("/probe/echo?method=get", json={"name": "a"})
        assert response.status_code == 200


class TestPagination:
    def test_headers_for_a_middle_page(self, client):
        response = client.get("/probe/items?limit=10&skip=10")
        assert response.status_code == 200
        assert numbers(response) == list(range(10, 20))
        assert response.headers["X-Total-Count"] == "25"
        assert response.headers["X-Page-Count"] == "3"
        assert response.headers["X-Current-Page"] == "2"
        assert response.headers["X-Per-Page"] == "10"
        assert response.headers["Link"] == (
            '<http://localhost/probe/items?limit=10&skip=20>; rel="next", '
            '<http://localhost/probe/items?limit=10&skip=0>; rel="prev"'
        )

    def test_last_page_has_no_next_link(self, client):
        response = client.get("/probe/items?limit=10&skip=20")
        assert numbers(response) == list(range(20, 25))
        assert response.headers["X-Page-Count"] == "3"
        assert response.headers["X-Current-Page"] == "3"
        assert response.headers["Link"] == (
            '<http://localhost/probe/items?limit=10&skip=10>; rel="prev"'
        )

    def test_defaults(self, client):
        response = client.get("/probe/items")
        assert numbers(response) == ITEMS
        assert response.headers["X-Per-Page"] == "100"
        assert response.headers["X-Current-Page"] == "1"
        assert "Link" not in response.headers

    @pytest.mark.parametrize("query", ["limit=0", "limit=1001", "skip=-1", "limit=x", "skip=1.5"])
    def test_bad_paging_on_api_is_422(self, client, query):
        response = client.get(f"/probe/items?{query}")
        assert response.status_code == 422
        assert response.get_json()["error"] == "validation_error"
        assert set(response.get_json()["errors"]) == {query.split("=")[0]}

    @pytest.mark.parametrize("query", ["limit=0", "limit=1001", "skip=-1", "limit=x"])
    def test_bad_paging_on_network_is_invalid_argument(self, client, query):
        response = client.get(f"/probe1/items?{query}")
        assert response.status_code == 400
        assert response.get_json() == {"error": "invalid_argument", "detail": query.split("=")[0]}


class TestAuthentication:
    def test_missing_credentials_on_api_offer_bearer(self, client):
        response = client.get("/probe/me")
        assert response.status_code == 401
        assert response.get_json() == {"error": "unauthorized", "detail": "Not authenticated"}
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="contacts"'

    def test_missing_credentials_on_network_offer_basic(self, client):
        response = client.get("/probe1/me")
        assert response.status_code == 401
        assert 'Basic realm="contacts"' in response.headers["WWW-Authenticate"]

    def test_bearer_works_on_both_surfaces(self, client, user, auth_headers):
        for prefix in ("/probe", "/probe1"):
            response = client.get(f"{prefix}/me", headers=auth_headers)
            assert response.status_code == 200
            assert response.get_json() == {"id": user.id.hex}
