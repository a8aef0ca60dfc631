"""Cards that came from elsewhere (API.md §5): no email, one name, a year-less birthday,
labels; through the JSON API, the filters and `/1/sync`."""

import pytest

from addressbook_helpers import URL, add, card
from contacts_api.addressbook import labels
from contacts_api.addressbook.models import Contact, MonthDay
from contacts_api.database import db


@pytest.fixture
def imported(app, user):
    """A card as import or CardDAV writes it: no email, no last name, no year."""
    with app.app_context():
        contact = Contact(owner_id=user.id, first_name="Cher", last_name="",
                          phone="+14155552671", birthday=MonthDay(5, 20), labels=["Music"])
        db.session.add(contact)
        db.session.flush()
        labels.store_labels([contact])
        db.session.commit()
        return contact.id.hex


def names(response):
    assert response.status_code == 200, response.get_json()
    return [c["first_name"] for c in response.get_json()]


class TestJsonApi:
    def test_rendered_with_null_email(self, client, auth_headers, imported):
        body = client.get(URL + imported, headers=auth_headers).get_json()
        assert body == {
            "id": imported, "first_name": "Cher", "last_name": "", "email": None,
            "phone": "+14155552671", "birthday": "--05-20", "additional_data": None,
            "labels": ["Music"], "created_at": body["created_at"],
            "updated_at": body["created_at"]}

    def test_patch_applies_the_rules_of_the_fields_given(self, client, auth_headers, imported):
        response = client.patch(URL + imported, json={"phone": "+442071838750"},
                                headers=auth_headers)
        assert response.status_code == 200
        body = response.get_json()
        assert (body["email"], body["last_name"], body["phone"]) == (None, "", "+442071838750")
        response = client.patch(URL + imported, json={"email": None}, headers=auth_headers)
        assert response.status_code == 422
        assert response.get_json()["errors"] == {"email": ["Field may not be null."]}
        response = client.patch(URL + imported, json={"last_name": ""}, headers=auth_headers)
        assert response.get_json()["errors"] == {"last_name": ["Length must be between 1 and 50."]}

    def test_put_keeps_the_json_rules(self, client, auth_headers, imported):
        response = client.put(URL + imported, json={"first_name": "Cher", "last_name": "X"},
                              headers=auth_headers)
        assert response.status_code == 422
        assert response.get_json()["errors"] == {"email": ["Missing data for required field."]}

    def test_year_less_birthday_through_json(self, client, auth_headers):
        created = add(client, auth_headers, birthday="--02-29")
        assert created["birthday"] == "--02-29"
        patched = client.patch(URL + created["id"], json={"birthday": "1990-05-01"},
                               headers=auth_headers).get_json()
        assert patched["birthday"] == "1990-05-01"
        patched = client.patch(URL + created["id"], json={"birthday": "--12-31"},
                               headers=auth_headers).get_json()
        assert patched["birthday"] == "--12-31"
        response = client.patch(URL + created["id"], json={"birthday": "--02-30"},
                                headers=auth_headers)
        assert response.status_code == 422
        assert response.get_json() == {
            "error": "validation_error",
            "detail": "birthday: Not a valid date: give YYYY-MM-DD, or --MM-DD without a year.",
            "errors": {"birthday": [
                "Not a valid date: give YYYY-MM-DD, or --MM-DD without a year."]}}
        assert client.get(URL + created["id"], headers=auth_headers
                          ).get_json()["birthday"] == "--12-31"


class TestFilters:
    @pytest.fixture
    def book(self, client, auth_headers, imported):
        add(client, auth_headers, first_name="Ann", last_name="Lee", email="ann@example.com",
            birthday="1990-05-20")
        add(client, auth_headers, first_name="Bob", last_name="Zed", email="bob@example.com")

    @pytest.mark.usefixtures("book")
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("email:ne:ann@example.com", ["Cher", "Bob"]),
            ('email:not_in:["ann@example.com"]', ["Cher", "Bob"]),
            ("email:not_like:ann%", ["Cher", "Bob"]),
            ("email:eq:ann@example.com", ["Ann"]),
            ("email:contains:example", ["Ann", "Bob"]),
            ("example", ["Ann", "Bob"]),
            ("cher", ["Cher"]),
            ("4155", ["Cher"]),
            # Date filters compare dates: a year-less birthday has none.
            ("birthday:gt:1900-01-01", ["Ann"]),
            ("birthday:ne:1990-05-20", ["Cher", "Bob"]),
            ("labels:eq:music", ["Cher"]),
        ],
    )
    def test_query(self, client, auth_headers, query, expected):
        assert names(client.get(URL, query_string={"query": query},
                                headers=auth_headers)) == expected

    @pytest.mark.usefixtures("book")
    @pytest.mark.parametrize(
        ("sort", "expected"),
        [("email", ["Ann", "Bob", "Cher"]), ("-email", ["Bob", "Ann", "Cher"]),
         # Only full dates sort; year-less birthdays go last with the cards without one.
         ("birthday,first_name", ["Ann", "Bob", "Cher"])],
    )
    def test_sort(self, client, auth_headers, sort, expected):
        assert names(client.get(URL, query_string={"sort": sort},
                                headers=auth_headers)) == expected


def test_sync_renders_the_same_cards(client, auth_headers, imported):
    labelled = add(client, auth_headers, labels=["Work"], birthday="--01-02")
    body = client.post("/1/sync", headers=auth_headers).get_json()
    by_id = {c["id"]: c for c in body["address_book"]["contacts"]}
    assert by_id[imported] == client.get(URL + imported, headers=auth_headers).get_json()
    assert by_id[labelled["id"]] == labelled
    assert (by_id[imported]["email"], by_id[imported]["birthday"]) == (None, "--05-20")


def test_json_create_still_requires_email(client, auth_headers):
    body = card()
    del body["email"]
    response = client.post(URL, json=body, headers=auth_headers)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"email": ["Missing data for required field."]}
