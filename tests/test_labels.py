"""Labels on cards: their rules, the query syntax, and `/api/contacts/labels`."""

import os
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from addressbook_helpers import URL, add, card
from contacts_api.addressbook import service
from contacts_api.addressbook.models import Contact, ContactLabel
from contacts_api.database import db

LABELS = URL + "labels"


def first_names(client, headers, query):
    response = client.get(URL, query_string={"query": query}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return [c["first_name"] for c in response.get_json()]


def index_rows(app, card_id):
    with app.app_context():
        return sorted(db.session.scalars(
            sa.select(ContactLabel.folded).where(ContactLabel.contact_id == uuid.UUID(card_id))))


class TestOnCards:
    def test_trimmed_unique_ignoring_case_in_order(self, app, client, auth_headers):
        body = add(client, auth_headers, labels=[" Family ", "work", "FAMILY", "Ünï"])
        assert body["labels"] == ["Family", "work", "Ünï"]
        assert client.get(URL + body["id"], headers=auth_headers).get_json() == body
        assert index_rows(app, body["id"]) == ["family", "work", "ünï"]

    def test_none_is_an_empty_list(self, client, auth_headers):
        assert add(client, auth_headers)["labels"] == []
        assert add(client, auth_headers, email="b@example.com", labels=None)["labels"] == []

    def test_twenty_of_fifty_characters_are_fine(self, client, auth_headers):
        labels = [f"{n:02d}" + "x" * 48 for n in range(20)]
        assert add(client, auth_headers, labels=labels)["labels"] == labels

    def test_form_repeats_the_parameter(self, client, auth_headers):
        response = client.post(URL, headers=auth_headers,
                               data={**card(), "labels": ["Doe, Inc", "Friends"]})
        assert response.status_code == 201
        assert response.get_json()["labels"] == ["Doe, Inc", "Friends"]

    @pytest.mark.parametrize(
        ("labels", "message"),
        [(["x" * 51], "Each label must be 1 to 50 characters."),
         ([str(n) for n in range(21)], "At most 20 labels per contact.")],
    )
    def test_bad_labels_write_nothing(self, app, client, auth_headers, labels, message):
        response = client.post(URL, json=card(labels=labels), headers=auth_headers)
        assert response.status_code == 422
        assert response.get_json() == {"error": "validation_error",
                                        "detail": f"labels: {message}",
                                        "errors": {"labels": [message]}}
        created = add(client, auth_headers, labels=["Keep"])
        response = client.patch(URL + created["id"], json={"labels": labels},
                                headers=auth_headers)
        assert response.status_code == 422
        assert client.get(URL + created["id"], headers=auth_headers).get_json() == created
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 1
            assert db.session.scalars(sa.select(ContactLabel.folded)).all() == ["keep"]

    def test_put_without_labels_clears_them_patch_sets_them(self, app, client, auth_headers):
        created = add(client, auth_headers, labels=["A", "B"])
        patched = client.patch(URL + created["id"], json={"first_name": "Jo"},
                               headers=auth_headers).get_json()
        assert patched["labels"] == ["A", "B"]
        patched = client.patch(URL + created["id"], json={"labels": ["C", "a"]},
                               headers=auth_headers).get_json()
        assert patched["labels"] == ["C", "a"]
        assert patched["updated_at"] > created["updated_at"]
        assert index_rows(app, created["id"]) == ["a", "c"]
        replaced = client.put(URL + created["id"], json=card(), headers=auth_headers)
        assert replaced.get_json()["labels"] == []
        assert index_rows(app, created["id"]) == []

    def test_deleting_a_card_drops_its_index_rows(self, app, client, auth_headers):
        created = add(client, auth_headers, labels=["A"])
        assert client.delete(URL + created["id"], headers=auth_headers).status_code == 200
        assert index_rows(app, created["id"]) == []


@pytest.fixture
def labelled(client, auth_headers):
    """Four cards: Ann [Family, Work], Bob [family], Cy [Golf], Dee []."""
    return {name: add(client, auth_headers, first_name=name, email=f"{name}@example.com",
                      labels=labels)
            for name, labels in [("Ann", ["Family", "Work"]), ("Bob", ["family"]),
                                 ("Cy", ["Golf"]), ("Dee", [])]}


@pytest.mark.usefixtures("labelled")
class TestQuery:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("labels:eq:Family", ["Ann", "Bob"]),
            ("labels:eq:FAMILY", ["Ann", "Bob"]),
            ("labels:eq:Fam", []),
            ('labels:in_:["work","golf"]', ["Ann", "Cy"]),
            ("labels:in_:[]", []),
            ("labels:ne:family", ["Cy", "Dee"]),
            ('labels:not_in:["Family","Golf"]', ["Dee"]),
            ("labels:not_in:[]", ["Ann", "Bob", "Cy", "Dee"]),
            ("labels:eq:family,first_name:eq:Bob", ["Bob"]),
        ],
    )
    def test_query(self, client, auth_headers, query, expected):
        assert first_names(client, auth_headers, query) == expected

    @pytest.mark.parametrize("operator", ["like", "contains", "gt", "startswith", "between"])
    def test_other_operators_are_invalid(self, client, auth_headers, operator):
        response = client.get(URL, query_string={"query": f"labels:{operator}:x"},
                              headers=auth_headers)
        assert response.status_code == 400
        assert response.get_json() == {
            "error": "invalid_filter",
            "detail": f"Invalid filter operator '{operator}' for field 'labels'"}

    def test_bad_list_is_400(self, client, auth_headers):
        response = client.get(URL, query_string={"query": "labels:in_:Family"},
                              headers=auth_headers)
        assert response.status_code == 400
        assert response.get_json()["error"] == "invalid_filter"

    def test_other_users_labels_never_match(self, client, make_user, bearer):
        other = bearer(make_user("bob"))
        add(client, other, first_name="Zed", labels=["Family"])
        assert first_names(client, other, "labels:eq:family") == ["Zed"]
        assert first_names(client, other, "labels:ne:golf") == ["Zed"]


class TestListing:
    def test_most_used_spelling_ordered_by_name(self, client, auth_headers, labelled):
        add(client, auth_headers, first_name="Eve", email="eve@example.com",
            labels=["family", "golf", "apple"])
        response = client.get(LABELS, headers=auth_headers)
        assert response.status_code == 200
        assert response.get_json() == [
            {"name": "apple", "count": 1}, {"name": "family", "count": 3},
            {"name": "Golf", "count": 2}, {"name": "Work", "count": 1}]
        assert response.headers["X-Total-Count"] == "4"
        assert response.headers["X-Cache"] == "MISS"

    def test_ties_go_to_the_spelling_that_sorts_first(self, client, auth_headers, labelled):
        assert client.get(LABELS, headers=auth_headers).get_json()[0] == {
            "name": "Family", "count": 2}

    def test_paginated(self, client, auth_headers, labelled):
        response = client.get(LABELS, query_string={"skip": 1, "limit": 1},
                              headers=auth_headers)
        assert response.get_json() == [{"name": "Golf", "count": 1}]
        assert (response.headers["X-Total-Count"], response.headers["X-Page-Count"]) == (
            "3", "3")

    def test_empty_book(self, client, auth_headers):
        response = client.get(LABELS, headers=auth_headers)
        assert (response.status_code, response.get_json()) == (200, [])

    def test_cached_and_invalidated_by_a_card_write(self, client, auth_headers, labelled):
        assert client.get(LABELS, headers=auth_headers).headers["X-Cache"] == "MISS"
        assert client.get(LABELS, headers=auth_headers).headers["X-Cache"] == "HIT"
        client.patch(URL + labelled["Dee"]["id"], json={"labels": ["New"]},
                     headers=auth_headers)
        response = client.get(LABELS, headers=auth_headers)
        assert response.headers["X-Cache"] == "MISS"
        assert {"name": "New", "count": 1} in response.get_json()

    def test_only_own_labels(self, client, labelled, make_user, bearer):
        other = bearer(make_user("bob"))
        assert client.get(LABELS, headers=other).get_json() == []

    def test_post_is_405_not_an_invalid_id(self, client, auth_headers):
        response = client.post(LABELS, json={}, headers=auth_headers)
        assert response.status_code == 405
        assert response.get_json()["error"] == "method_not_allowed"


class TestRename:
    def test_renames_on_every_card(self, client, auth_headers, labelled):
        response = client.patch(LABELS + "/FAMILY", json={"name": " Kin "},
                                headers=auth_headers)
        assert response.status_code == 200
        assert response.get_json() == {"name": "Kin", "count": 2}
        ann = client.get(URL + labelled["Ann"]["id"], headers=auth_headers).get_json()
        assert ann["labels"] == ["Kin", "Work"]
        assert ann["updated_at"] > labelled["Ann"]["updated_at"]
        assert first_names(client, auth_headers, "labels:eq:kin") == ["Ann", "Bob"]
        assert first_names(client, auth_headers, "labels:eq:family") == []
        # Untouched cards keep their stamp.
        cy = client.get(URL + labelled["Cy"]["id"], headers=auth_headers).get_json()
        assert cy == labelled["Cy"]

    def test_merges_into_an_existing_label(self, client, auth_headers, labelled):
        response = client.patch(LABELS + "/work", json={"name": "golf"},
                                headers=auth_headers)
        assert response.get_json() == {"name": "golf", "count": 2}
        assert client.get(URL + labelled["Ann"]["id"], headers=auth_headers
                          ).get_json()["labels"] == ["Family", "golf"]
        add(client, auth_headers, first_name="Eve", email="e@example.com",
            labels=["Golf", "Work"])
        response = client.patch(LABELS + "/Work", json={"name": "Golf"}, headers=auth_headers)
        assert response.get_json() == {"name": "Golf", "count": 3}
        assert client.get(LABELS, headers=auth_headers).get_json() == [
            {"name": "Family", "count": 2}, {"name": "Golf", "count": 3}]

    def test_respelling(self, client, auth_headers, labelled):
        response = client.patch(LABELS + "/family", json={"name": "FAMILY"},
                                headers=auth_headers)
        assert response.get_json() == {"name": "FAMILY", "count": 2}
        assert client.get(LABELS, headers=auth_headers).get_json()[0] == {
            "name": "FAMILY", "count": 2}

    def test_label_with_a_slash(self, client, auth_headers):
        add(client, auth_headers, labels=["a/b"])
        response = client.patch(LABELS + "/a%2Fb", json={"name": "c"}, headers=auth_headers)
        assert response.get_json() == {"name": "c", "count": 1}

    def test_sync_sees_the_changed_cards(self, client, auth_headers, labelled):
        synced = client.post("/1/sync", headers=auth_headers).get_json()["synced"]
        client.patch(LABELS + "/golf", json={"name": "Tennis"}, headers=auth_headers)
        changes = client.post("/1/sync", json={"since": synced}, headers=auth_headers)
        cards = changes.get_json()["address_book"]["contacts"]
        assert [(c["first_name"], c["labels"]) for c in cards] == [("Cy", ["Tennis"])]

    def test_unknown_is_404(self, client, auth_headers, labelled, make_user, bearer):
        for headers in (auth_headers, bearer(make_user("bob"))):
            response = client.patch(LABELS + "/Nope", json={"name": "X"}, headers=headers)
            assert response.status_code == 404
            assert response.get_json() == {"error": "not_found", "detail": "Label not found"}
        response = client.patch(LABELS + "/Golf", json={"name": "X"},
                                headers=bearer(make_user("carol")))
        assert response.status_code == 404

    @pytest.mark.parametrize(
        ("body", "errors"),
        [({}, {"name": ["Missing data for required field."]}),
         ({"name": " "}, {"name": ["Length must be between 1 and 50."]}),
         ({"name": "x" * 51}, {"name": ["Length must be between 1 and 50."]})],
    )
    def test_bad_name_is_422(self, client, auth_headers, labelled, body, errors):
        response = client.patch(LABELS + "/Golf", json=body, headers=auth_headers)
        assert response.status_code == 422
        assert response.get_json()["errors"] == errors
        assert client.get(URL + labelled["Cy"]["id"], headers=auth_headers).get_json() == \
            labelled["Cy"]


class TestDelete:
    def test_removes_from_every_card(self, client, auth_headers, labelled):
        response = client.delete(LABELS + "/FAMILY", headers=auth_headers)
        assert response.status_code == 200
        assert response.get_json() == {"name": "Family", "count": 2}
        assert client.get(URL + labelled["Ann"]["id"], headers=auth_headers
                          ).get_json()["labels"] == ["Work"]
        assert first_names(client, auth_headers, "labels:eq:family") == []
        response = client.delete(LABELS + "/family", headers=auth_headers)
        assert response.status_code == 404
        assert response.get_json() == {"error": "not_found", "detail": "Label not found"}

    def test_other_users_labels_are_not_found(self, client, labelled, make_user, bearer):
        response = client.delete(LABELS + "/Golf", headers=bearer(make_user("bob")))
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", LABELS), ("patch", LABELS + "/x"), ("delete", LABELS + "/x")],
)
def test_requires_authentication(client, method, path):
    response = getattr(client, method)(path, json={"name": "y"} if method == "patch" else None)
    assert response.status_code == 401
    assert response.get_json() == {"error": "unauthorized", "detail": "Not authenticated"}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="contacts"'


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_label_filter_uses_the_label_index(app, user, make_user):
    other = make_user("bob")
    with app.app_context():
        cards = [Contact(owner_id=owner.id, first_name=f"N{n}", last_name="Doe",
                         email=f"n{n}@example.com", labels=[f"L{n % 50}"])
                 for owner in (user, other) for n in range(1000)]
        db.session.add_all(cards)
        db.session.flush()
        service.labels.store_labels(cards)
        db.session.commit()
        db.session.execute(sa.text("ANALYZE contacts"))
        db.session.execute(sa.text("ANALYZE contact_labels"))
        db.session.commit()
        statement = service.list_statement(user.id, "labels:eq:l7").limit(100)
        sql = statement.compile(dialect=postgresql.dialect(),
                                compile_kwargs={"literal_binds": True})
        plan = "\n".join(db.session.execute(sa.text(f"EXPLAIN {sql}")).scalars())
        db.session.rollback()
    assert "ix_contact_labels_owner_folded" in plan, plan
    assert "Seq Scan on contact_labels" not in plan, plan
