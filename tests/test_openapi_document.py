"""`/openapi.json` says what the server enforces, in the shapes client generators type.

The server side of the same rules: a JSON list argument must be an array, a `null`
batch item is that item's error. The live checks are tests/reliability/
test_schemathesis_cli.py and tests/clients/.
"""

import json

import pytest

from contacts_api.http.openapi import ID_INPUT_PATTERN, ID_OUTPUT_PATTERN

DATE_TIME = {"type": "string", "format": "date-time"}


@pytest.fixture
def document(client):
    return client.get("/openapi.json").get_json()


def schema(document, name):
    return document["components"]["schemas"][name]


def test_info_has_a_description_a_contact_and_the_mit_licence(document):
    info = document["info"]
    assert info["title"] == "contacts_api"
    assert "form-urlencoded" in info["description"]
    assert info["contact"] == {"name": "contacts_api maintainers"}
    assert info["license"] == {"name": "MIT", "url": "https://opensource.org/licenses/MIT"}


def test_every_tag_is_described(document):
    tags = {tag["name"]: tag.get("description") for tag in document["tags"]}
    used = {tag for path in document["paths"].values() for operation in path.values()
            if isinstance(operation, dict) for tag in operation.get("tags", [])}
    assert used <= set(tags)
    assert all(tags.values()), tags


@pytest.mark.parametrize(("path", "name"), [
    ("/api/contacts/{contact_id}", "contact_id"),
    ("/1/requests/sent/{recipient_id}", "recipient_id"),
    ("/api/users/{user_id}/role", "user_id"),
])
def test_path_ids_have_the_accepted_pattern(document, path, name):
    assert document["paths"][path]["parameters"] == [
        {"in": "path", "name": name, "required": True,
         "schema": {"type": "string", "pattern": ID_INPUT_PATTERN}},
    ]


def test_ids_in_and_out_and_timestamps_are_typed(document):
    assert schema(document, "UserId")["properties"]["id"] == {
        "type": "string", "pattern": ID_INPUT_PATTERN}
    contact = schema(document, "Contact")["properties"]
    assert contact["id"] == {"readOnly": True, "type": "string", "pattern": ID_OUTPUT_PATTERN}
    assert contact["created_at"] == {"readOnly": True, **DATE_TIME}
    assert contact["birthday"]["anyOf"] == [
        {"type": "string", "format": "date", "nullable": True},
        {"type": "string", "pattern": r"^--\d{2}-\d{2}$", "nullable": True},
    ]
    assert "type" not in contact["birthday"]
    assert contact["email"]["format"] == "email"
    user = schema(document, "NetworkUser")["properties"]
    assert user["id"] == {"readOnly": True, "type": "string", "pattern": ID_OUTPUT_PATTERN}
    assert user["updated"] == {
        "description": "Last change of the user's contact information", **DATE_TIME}
    assert schema(document, "User")["properties"]["role"] == {
        "type": "string", "enum": ["user", "admin"]}


def test_sync_since_takes_iso_8601_or_epoch_seconds(document):
    since = schema(document, "SyncArguments")["properties"]["since"]
    assert since["anyOf"] == [DATE_TIME, {"type": "string", "pattern": r"^\d{1,12}(\.\d+)?$"},
                              {"type": "number", "minimum": 0, "maximum": 253402300799}]


@pytest.mark.parametrize(("name", "item"), [
    ("requests_received", "NetworkUser"), ("requests_sent", "NetworkUser"),
    ("invites", "Invite"), ("blocks", "NetworkUser"),
])
def test_sync_tombstones_are_one_of_the_object_or_its_id(document, name, item):
    assert schema(document, "Sync")["properties"][name]["items"] == {"oneOf": [
        {"$ref": f"#/components/schemas/{item}"}, {"$ref": "#/components/schemas/Removed"}]}
    assert schema(document, "Removed") == {
        "type": "object", "additionalProperties": False, "required": ["id"],
        "properties": {"id": {"readOnly": True, "type": "string",
                              "pattern": ID_OUTPUT_PATTERN}}}


def test_bodies_are_json_and_optional_when_nothing_is_required(document):
    bodies = {f"{method.upper()} {path}": operation["requestBody"]
              for path, item in document["paths"].items() for method, operation in item.items()
              if isinstance(operation, dict) and "requestBody" in operation}
    files = {"PATCH /api/users/avatar", "POST /api/contacts/import"}
    for name, body in bodies.items():
        if name not in files:
            assert list(body["content"]) == ["application/json"], name
    assert list(bodies["POST /api/contacts/import"]["content"]) == [
        "multipart/form-data", "text/vcard", "text/x-vcard", "text/csv"]
    assert bodies["POST /1/sync"]["required"] is False
    assert bodies["POST /1/suggestions"]["required"] is False
    assert bodies["PATCH /api/contacts/{contact_id}"]["required"] is False
    assert bodies["POST /api/contacts/"]["required"] is True


def test_query_arguments_say_what_the_server_enforces(document):
    search = {p["name"]: p for p in document["paths"]["/1/search"]["get"]["parameters"]}
    assert search["q"]["schema"] == {"type": "string", "minLength": 2}
    listing = {p["name"]: p for p in document["paths"]["/api/contacts/"]["get"]["parameters"]}
    assert "last_name|phone" in listing["sort"]["schema"]["pattern"]


def test_no_default_null_anywhere(document):
    assert '"default": null' not in json.dumps(document)


def test_a_string_for_a_json_list_is_refused(client, user, auth_headers):
    response = client.post("/1/contacts/batch", json={"ids": "a,b"}, headers=auth_headers)
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_argument", "detail": "ids"}


def test_a_comma_separated_form_list_still_works(client, user, auth_headers):
    response = client.post("/1/contacts/batch", data={"ids": "0,1"}, headers=auth_headers)
    assert response.status_code == 200
    assert response.get_json() == [{"error": "invalid_id", "detail": "0"},
                                   {"error": "invalid_id", "detail": "1"}]


def test_a_null_batch_item_is_that_items_error(client, user, auth_headers):
    response = client.post("/1/invites/batch", json={"emails": [None]}, headers=auth_headers)
    assert response.status_code == 200
    assert response.get_json() == [{"error": "invalid_email", "detail": None}]
