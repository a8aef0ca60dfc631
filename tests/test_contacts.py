"""`/api/contacts/`: create, read, replace, update, delete; validation and ownership."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from addressbook_helpers import URL, add, card, names
from contacts_api.addressbook.models import ContactTombstone
from contacts_api.database import db

BAD_DATE = "Not a valid date: give YYYY-MM-DD, or --MM-DD without a year."


def nested(levels):
    """A list nested `levels` deep: nested(2) == [[]]."""
    value = []
    for _ in range(levels - 1):
        value = [value]
    return value


def expected(created, **fields):
    """The whole representation of `created` with `fields` changed (timestamps as given)."""
    return {**created, **fields}


class TestCreate:
    def test_full_card(self, client, auth_headers):
        response = client.post(URL, headers=auth_headers, json=card(
            email="John.Doe@EXAMPLE.com", phone="+1 (415) 555-2671", birthday="1990-01-01",
            additional_data={"company": "Example Corp", "position": "Developer"},
        ))
        assert response.status_code == 201
        body = response.get_json()
        assert set(body) == {"id", "first_name", "last_name", "email", "phone", "birthday",
                             "additional_data", "labels", "created_at", "updated_at"}
        assert uuid.UUID(hex=body["id"]).hex == body["id"]
        assert body == {
            "id": body["id"], "first_name": "John", "last_name": "Doe",
            "email": "John.Doe@example.com", "phone": "+14155552671", "birthday": "1990-01-01",
            "additional_data": {"company": "Example Corp", "position": "Developer"},
            "labels": [], "created_at": body["created_at"], "updated_at": body["created_at"],
        }
        created = datetime.fromisoformat(body["created_at"].replace("Z", "+00:00"))
        assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)

    def test_minimal_card_has_nulls(self, client, auth_headers):
        body = add(client, auth_headers)
        assert (body["phone"], body["birthday"], body["additional_data"]) == (None, None, None)

    def test_form_body_with_json_additional_data(self, client, auth_headers):
        response = client.post(URL, headers=auth_headers, data=card(
            phone="", birthday="", additional_data='{"k": [1, 2]}'))
        assert response.status_code == 201
        body = response.get_json()
        assert (body["phone"], body["birthday"], body["additional_data"]) == (
            None, None, {"k": [1, 2]})

    def test_names_are_trimmed(self, client, auth_headers):
        body = add(client, auth_headers, first_name="  Ann ", last_name=" Lee")
        assert (body["first_name"], body["last_name"]) == ("Ann", "Lee")

    def test_requires_authentication(self, client):
        response = client.post(URL, json=card())
        assert response.status_code == 401
        assert response.get_json() == {"error": "unauthorized", "detail": "Not authenticated"}
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="contacts"'

    def test_sql_looking_strings_are_stored_verbatim(self, client, auth_headers):
        evil = "Robert'); DROP TABLE contacts;--"
        body = add(client, auth_headers, first_name=evil[:50], last_name="x' OR '1'='1",
                   additional_data={"note": "1; DELETE FROM users"})
        fetched = client.get(URL + body["id"], headers=auth_headers).get_json()
        assert fetched["first_name"] == evil[:50]
        assert fetched["last_name"] == "x' OR '1'='1"
        assert fetched["additional_data"] == {"note": "1; DELETE FROM users"}
        listed = client.get(URL, headers=auth_headers, query_string={"query": "x' OR '1'='1"})
        assert names(listed) == [f"{evil[:50]} x' OR '1'='1"]


class TestValidation:
    @pytest.mark.parametrize(
        ("fields", "errors"),
        [
            ({"first_name": ""}, {"first_name": ["Length must be between 1 and 50."]}),
            ({"first_name": "   "}, {"first_name": ["Length must be between 1 and 50."]}),
            ({"last_name": "x" * 51}, {"last_name": ["Length must be between 1 and 50."]}),
            ({"first_name": None}, {"first_name": ["Field may not be null."]}),
            ({"email": "not-an-email"}, {"email": ["Not a valid email address."]}),
            ({"email": "a" * 250 + "@example.com"}, {"email": ["Not a valid email address."]}),
            ({"phone": "4155552671"}, {"phone": [
                "Not a valid phone number; give it in international form, e.g. +14155552671."]}),
            ({"phone": "+1 555 000 0000"}, {"phone": [
                "Not a valid phone number; give it in international form, e.g. +14155552671."]}),
            ({"phone": "call me"}, {"phone": [
                "Not a valid phone number; give it in international form, e.g. +14155552671."]}),
            ({"birthday": "1990-02-30"}, {"birthday": [BAD_DATE]}),
            ({"birthday": "yesterday"}, {"birthday": [BAD_DATE]}),
            ({"birthday": "--02-30"}, {"birthday": [BAD_DATE]}),
            ({"birthday": "--13-01"}, {"birthday": [BAD_DATE]}),
            ({"birthday": "--2-29"}, {"birthday": [BAD_DATE]}),
            ({"birthday": "0229"}, {"birthday": [BAD_DATE]}),
            ({"birthday": 19900101}, {"birthday": [BAD_DATE]}),
            ({"labels": ["x" * 51]}, {"labels": ["Each label must be 1 to 50 characters."]}),
            ({"labels": ["  "]}, {"labels": ["Each label must be 1 to 50 characters."]}),
            ({"labels": [str(n) for n in range(21)]},
             {"labels": ["At most 20 labels per contact."]}),
            ({"labels": "Family"}, {"labels": ["Not a valid list."]}),
            ({"labels": [1]}, {"labels": {"0": ["Not a valid string."]}}),
            ({"additional_data": ["a"]}, {"additional_data": ["Must be a JSON object."]}),
            ({"additional_data": "text"}, {"additional_data": ["Must be a JSON object."]}),
            ({"additional_data": 3}, {"additional_data": ["Must be a JSON object."]}),
            ({"additional_data": {"k": "x" * 16 * 1024}},
             {"additional_data": ["Must be at most 16384 bytes as JSON."]}),
            ({"additional_data": {"k": nested(32)}},
             {"additional_data": ["Must be nested at most 32 levels deep."]}),
            ({"id": "0123456789abcdef0123456789abcdef"}, {"id": ["Unknown field."]}),
            ({"nickname": "Jo"}, {"nickname": ["Unknown field."]}),
        ],
    )
    def test_invalid_field_is_422(self, client, auth_headers, fields, errors):
        response = client.post(URL, json=card(**fields), headers=auth_headers)
        assert response.status_code == 422
        body = response.get_json()
        assert body["error"] == "validation_error"
        assert body["errors"] == errors

    @pytest.mark.parametrize("days_ahead", [0, 1, 400])
    def test_birthday_must_be_in_the_past(self, client, auth_headers, days_ahead):
        day = datetime.now(UTC).date() + timedelta(days=days_ahead)
        response = client.post(URL, json=card(birthday=day.isoformat()), headers=auth_headers)
        assert response.status_code == 422
        assert response.get_json()["errors"] == {"birthday": ["Must be a date in the past."]}

    def test_yesterday_is_in_the_past(self, client, auth_headers):
        day = datetime.now(UTC).date() - timedelta(days=1)
        assert add(client, auth_headers, birthday=day.isoformat())["birthday"] == day.isoformat()

    def test_missing_required_fields(self, client, auth_headers):
        response = client.post(URL, json={}, headers=auth_headers)
        assert response.status_code == 422
        assert response.get_json() == {
            "error": "validation_error",
            "detail": "first_name: Missing data for required field.; last_name: Missing data "
                      "for required field.; email: Missing data for required field.",
            "errors": {
                "first_name": ["Missing data for required field."],
                "last_name": ["Missing data for required field."],
                "email": ["Missing data for required field."],
            },
        }

    def test_json_nested_a_thousand_levels_is_422_not_500(self, client, auth_headers):
        body = ('{"first_name": "a", "last_name": "b", "email": "a@example.com", '
                '"additional_data": {"k": ' + "[" * 1000 + "]" * 1000 + "}}")
        response = client.post(URL, data=body, content_type="application/json",
                               headers=auth_headers)
        assert response.status_code == 422
        assert response.get_json()["errors"] == {
            "additional_data": ["Must be nested at most 32 levels deep."]}

    def test_additional_data_nested_32_levels_is_accepted(self, client, auth_headers):
        data = {"k": nested(31)}
        assert add(client, auth_headers, additional_data=data)["additional_data"] == data

    def test_additional_data_at_the_limit_is_accepted(self, client, auth_headers):
        data = {"k": "x" * (16 * 1024 - len('{"k":""}'))}
        assert add(client, auth_headers, additional_data=data)["additional_data"] == data


TEXT = "The key '{}' must be a string (the vCard mapping writes it as text)."
TEXTS = "The key '{}' must be a list of strings (the vCard mapping writes each as text)."


class TestMappedKeysOfAdditionalData:
    """The keys the vCard mapping owns take what it writes (API.md §5: export then import
    changes nothing); other keys take any JSON."""

    @pytest.mark.parametrize("data, messages", [
        ({"company": 123}, [TEXT.format("company")]),
        ({"emails": ["a@example.com", 5]}, [TEXTS.format("emails")]),
        ({"emails": "a@example.com"}, [TEXTS.format("emails")]),
        ({"note": None, "phones": [None], "pet": 1}, [TEXT.format("note"), TEXTS.format("phones")]),
        ({"address": ["1 Road"], "url": {"href": "x"}, "nickname": True, "position": 1.5},
         [TEXT.format(key) for key in ("address", "url", "nickname", "position")]),
    ])
    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
    def test_a_wrong_type_is_422(self, client, auth_headers, method, data, messages):
        path = URL if method == "POST" else f"{URL}{add(client, auth_headers)['id']}"
        response = client.open(path, method=method, json=card(additional_data=data),
                               headers=auth_headers)
        assert response.status_code == 422
        assert response.get_json() == {
            "error": "validation_error", "detail": "additional_data: " + " ".join(messages),
            "errors": {"additional_data": messages}}

    def test_text_is_trimmed_and_blank_values_left_out(self, client, auth_headers):
        data = {"company": " Example Corp ", "position": "Developer", "url": "https://x.example",
                "nickname": "Jo", "note": "  ", "address": "1 Road, Town",
                "emails": [" a@example.com", "", "b@example.com"], "phones": ["  "]}
        assert add(client, auth_headers, additional_data=data)["additional_data"] == {
            "company": "Example Corp", "position": "Developer", "url": "https://x.example",
            "nickname": "Jo", "address": "1 Road, Town",
            "emails": ["a@example.com", "b@example.com"]}

    def test_other_keys_take_any_json(self, client, auth_headers):
        data = {"pet": {"kind": ["cat", None, 3]}, "age": 5, "vip": True, "none": None,
                "blank": " ", "Company": 1, "emails2": [1]}
        assert add(client, auth_headers, additional_data=data)["additional_data"] == data


class TestDuplicates:
    def test_duplicate_email_is_409_case_insensitively(self, client, auth_headers):
        add(client, auth_headers, email="ann@example.com")
        response = client.post(URL, json=card(email="ANN@example.com"), headers=auth_headers)
        assert response.status_code == 409
        assert response.get_json() == {
            "error": "conflict", "detail": "A contact with this email already exists"}

    def test_update_onto_an_existing_email_is_409(self, client, auth_headers):
        add(client, auth_headers, email="ann@example.com")
        other = add(client, auth_headers, email="bob@example.com")
        response = client.patch(URL + other["id"], json={"email": "Ann@Example.com"},
                                headers=auth_headers)
        assert response.status_code == 409
        fetched = client.get(URL + other["id"], headers=auth_headers).get_json()
        assert fetched["email"] == "bob@example.com"

    def test_two_users_may_have_the_same_card(self, client, auth_headers, make_user, bearer):
        add(client, auth_headers)
        add(client, bearer(make_user("bob")))

    def test_concurrent_creation_yields_one_card(self, app, auth_headers):
        barrier = threading.Barrier(6)
        statuses = []

        def create():
            client = app.test_client()
            barrier.wait()
            response = client.post(URL, json=card(email="race@example.com"),
                                   headers=auth_headers)
            statuses.append(response.status_code)

        threads = [threading.Thread(target=create) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [201] + [409] * 5
        listed = app.test_client().get(URL, headers=auth_headers)
        assert listed.headers["X-Total-Count"] == "1"


class TestReadAndOwnership:
    def test_get_one(self, client, auth_headers):
        created = add(client, auth_headers, birthday="1980-05-06")
        response = client.get(URL + created["id"], headers=auth_headers)
        assert response.status_code == 200
        assert response.get_json() == created

    def test_hyphenated_uppercase_id(self, client, auth_headers):
        created = add(client, auth_headers)
        response = client.get(URL + str(uuid.UUID(created["id"])).upper(), headers=auth_headers)
        assert response.get_json() == created

    @pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
    def test_another_users_card_is_exactly_like_a_missing_one(
        self, client, auth_headers, make_user, bearer, method
    ):
        theirs = add(client, bearer(make_user("bob")))
        body = card() if method in {"put", "patch"} else None
        foreign = getattr(client, method)(URL + theirs["id"], json=body, headers=auth_headers)
        missing = getattr(client, method)(URL + uuid.uuid4().hex, json=body,
                                          headers=auth_headers)
        assert foreign.status_code == missing.status_code == 404
        assert foreign.get_json() == missing.get_json() == {
            "error": "not_found", "detail": "Contact not found"}

    @pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
    def test_malformed_id_is_400(self, client, auth_headers, method):
        response = getattr(client, method)(URL + "12345", json=card(), headers=auth_headers)
        assert response.status_code == 400
        assert response.get_json() == {"error": "invalid_id", "detail": "12345"}

    @pytest.mark.parametrize(
        ("method", "path"),
        [("get", ""), ("get", "0123456789abcdef0123456789abcdef"),
         ("put", "0123456789abcdef0123456789abcdef"),
         ("patch", "0123456789abcdef0123456789abcdef"),
         ("delete", "0123456789abcdef0123456789abcdef"), ("get", "get-upcoming-birthday")],
    )
    def test_every_endpoint_requires_authentication(self, client, method, path):
        response = getattr(client, method)(URL + path, json=card())
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"

    def test_list_shows_only_own_cards_in_default_order(
        self, client, auth_headers, make_user, bearer
    ):
        add(client, bearer(make_user("bob")), first_name="Zed", last_name="Other")
        for first, last in [("Bea", "Young"), ("Al", "Young"), ("Cy", "Adams")]:
            add(client, auth_headers, first_name=first, last_name=last,
                email=f"{first}@example.com")
        response = client.get(URL, headers=auth_headers)
        assert response.status_code == 200
        assert names(response) == ["Cy Adams", "Al Young", "Bea Young"]
        assert response.headers["X-Total-Count"] == "3"

    def test_list_without_trailing_slash(self, client, auth_headers):
        add(client, auth_headers)
        response = client.get("/api/contacts", headers=auth_headers)
        assert response.status_code == 200
        assert names(response) == ["John Doe"]


class TestPagination:
    def test_the_issue_example(self, client, auth_headers):
        for n in range(25):
            add(client, auth_headers, first_name=f"P{n:02d}", email=f"p{n}@example.com")
        response = client.get(URL + "?limit=10&skip=20", headers=auth_headers)
        assert response.status_code == 200
        assert names(response) == [f"P{n:02d} Doe" for n in range(20, 25)]
        assert response.headers["X-Total-Count"] == "25"
        assert response.headers["X-Page-Count"] == "3"
        assert response.headers["X-Current-Page"] == "3"
        assert response.headers["X-Per-Page"] == "10"
        assert response.headers["Link"] == (
            '<http://localhost/api/contacts/?limit=10&skip=10>; rel="prev"')

    @pytest.mark.parametrize(("skip", "count"), [(0, "0"), (5, "3"), (2**63 - 1, "3")])
    def test_a_page_past_the_end_still_counts_every_card(self, client, auth_headers, skip,
                                                          count):
        for n in range(int(count)):
            add(client, auth_headers, email=f"c{n}@example.com")
        response = client.get(URL, query_string={"skip": skip}, headers=auth_headers)
        assert response.status_code == 200
        assert response.get_json() == []
        assert response.headers["X-Total-Count"] == count

    def test_ties_are_broken_by_id_so_pages_do_not_overlap(self, client, auth_headers):
        ids = [add(client, auth_headers, email=f"same{n}@example.com")["id"] for n in range(7)]
        seen = []
        for skip in range(0, 7, 3):
            page = client.get(URL, query_string={"limit": 3, "skip": skip}, headers=auth_headers)
            seen += [c["id"] for c in page.get_json()]
        assert seen == sorted(ids)

    @pytest.mark.parametrize("query", ["limit=1001", "limit=0", "skip=-1", "limit=abc"])
    def test_bad_paging_is_422(self, client, auth_headers, query):
        response = client.get(f"{URL}?{query}", headers=auth_headers)
        assert response.status_code == 422
        assert set(response.get_json()["errors"]) == {query.split("=")[0]}


class TestReplace:
    def test_put_replaces_and_nulls_omitted_optional_fields(self, client, auth_headers):
        created = add(client, auth_headers, phone="+14155552671", birthday="1990-01-01",
                      additional_data={"a": "b"})
        response = client.put(URL + created["id"], headers=auth_headers,
                              json={"first_name": "Jane", "last_name": "Roe",
                                    "email": "jane@example.com"})
        assert response.status_code == 200
        body = response.get_json()
        assert body == expected(created, first_name="Jane", last_name="Roe",
                                email="jane@example.com", phone=None, birthday=None,
                                additional_data=None, updated_at=body["updated_at"])
        assert body["updated_at"] >= created["updated_at"]
        assert client.get(URL + created["id"], headers=auth_headers).get_json() == body

    def test_put_with_the_same_values_keeps_updated_at(self, client, auth_headers):
        created = add(client, auth_headers, phone="+14155552671", additional_data={"a": [1]})
        body = {k: created[k] for k in ("first_name", "last_name", "email", "phone",
                                        "birthday", "additional_data")}
        response = client.put(URL + created["id"], json=body, headers=auth_headers)
        assert response.get_json() == created

    def test_put_needs_the_required_fields(self, client, auth_headers):
        created = add(client, auth_headers)
        response = client.put(URL + created["id"], json={"first_name": "Jane"},
                              headers=auth_headers)
        assert response.status_code == 422
        assert set(response.get_json()["errors"]) == {"last_name", "email"}

    def test_put_keeping_its_own_email_is_not_a_conflict(self, client, auth_headers):
        created = add(client, auth_headers)
        response = client.put(URL + created["id"], json=card(email="JOHN@example.com"),
                              headers=auth_headers)
        assert response.status_code == 200
        assert response.get_json()["email"] == "JOHN@example.com"


class TestUpdate:
    def test_patch_changes_only_given_fields(self, client, auth_headers):
        created = add(client, auth_headers, phone="+14155552671", additional_data={"a": 1})
        response = client.patch(URL + created["id"], json={"birthday": "2000-02-29"},
                                headers=auth_headers)
        assert response.status_code == 200
        body = response.get_json()
        assert body == expected(created, birthday="2000-02-29", updated_at=body["updated_at"])

    def test_patch_with_null_clears_an_optional_field(self, client, auth_headers):
        created = add(client, auth_headers, phone="+14155552671")
        body = client.patch(URL + created["id"], json={"phone": None},
                            headers=auth_headers).get_json()
        assert body["phone"] is None

    def test_patch_cannot_null_a_required_field(self, client, auth_headers):
        created = add(client, auth_headers)
        response = client.patch(URL + created["id"], json={"email": None}, headers=auth_headers)
        assert response.status_code == 422
        assert response.get_json()["errors"] == {"email": ["Field may not be null."]}

    def test_patch_validates_like_create(self, client, auth_headers):
        created = add(client, auth_headers)
        response = client.patch(URL + created["id"], json={"phone": "12"}, headers=auth_headers)
        assert response.status_code == 422
        assert set(response.get_json()["errors"]) == {"phone"}

    def test_method_override(self, client, auth_headers):
        created = add(client, auth_headers)
        response = client.post(URL + created["id"] + "?method=patch",
                               json={"first_name": "Jo"}, headers=auth_headers)
        assert response.status_code == 200
        assert response.get_json()["first_name"] == "Jo"


class TestDelete:
    def test_delete_returns_the_card_and_leaves_a_tombstone(self, app, client, auth_headers,
                                                             user):
        created = add(client, auth_headers, birthday="1970-07-07")
        response = client.delete(URL + created["id"], headers=auth_headers)
        assert response.status_code == 200
        assert response.get_json() == created
        assert client.get(URL + created["id"], headers=auth_headers).status_code == 404
        assert client.delete(URL + created["id"], headers=auth_headers).status_code == 404
        with app.app_context():
            tombstone = db.session.get(ContactTombstone, uuid.UUID(created["id"]))
            assert tombstone.owner_id == user.id
            assert abs(datetime.now(UTC) - tombstone.deleted_at) < timedelta(minutes=1)

    def test_the_email_is_free_again_after_delete(self, client, auth_headers):
        created = add(client, auth_headers)
        client.delete(URL + created["id"], headers=auth_headers)
        add(client, auth_headers)
