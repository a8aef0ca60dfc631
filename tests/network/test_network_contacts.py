"""`/1/contacts`: accepting requests, the contact list, deleting, batch; mutual counts."""

import uuid

import pytest

from contacts_api.accounts.models import User

from .helpers import ALICE_PROTECTED, T, basic, public, shape

UNKNOWN = uuid.UUID("fd0540d0109445e3a0601bc6e69f8f1d")


def test_accepting_a_request_links_both_sides(api, alice, bob):
    api(alice).post("/1/requests", data={"id": bob.id.hex})
    response = api(bob).post("/1/contacts", data={"id": alice.id.hex})
    assert response.status_code == 200
    assert shape(response.get_json()) == public(alice, contact_added=T, **ALICE_PROTECTED)

    assert shape(api(bob).get("/1/contacts").get_json()) == [
        public(alice, contact_added=T, **ALICE_PROTECTED)]
    assert shape(api(alice).get("/1/contacts").get_json()) == [public(bob, contact_added=T)]
    # The request is gone from both lists.
    assert api(bob).get("/1/requests/received").get_json() == []
    assert api(alice).get("/1/requests/sent").get_json() == []


def test_get_one_contact(api, alice, bob, carol, connect):
    connect(alice, bob)
    response = api(alice).get(f"/1/contacts/{bob.id}")
    assert response.status_code == 200
    assert shape(response.get_json()) == public(bob, contact_added=T)
    stranger = api(alice).get(f"/1/contacts/{carol.id.hex}")
    assert stranger.status_code == 404
    assert stranger.get_json() == {"error": "not_found", "detail": carol.id.hex}
    malformed = api(alice).get("/1/contacts/not-an-id")
    assert malformed.get_json() == {"error": "invalid_id", "detail": "not-an-id"}


def test_contacts_are_ordered_by_last_then_first_name(api, alice, make_user, connect):
    people = [make_user("u1", first_name="Zoe", last_name="Adams"),
              make_user("u2", first_name="amy", last_name="adams"),
              make_user("u3", first_name="Al", last_name="Brown")]
    for person in reversed(people):
        connect(person, alice)
    names = [(u["first_name"], u["last_name"]) for u in api(alice).get("/1/contacts").get_json()]
    assert names == [("amy", "adams"), ("Zoe", "Adams"), ("Al", "Brown")]
    page = api(alice).get("/1/contacts?skip=1&limit=1")
    assert [u["first_name"] for u in page.get_json()] == ["Zoe"]
    assert page.headers["X-Total-Count"] == "3"
    assert page.headers["X-Current-Page"] == "2"


def test_delete_removes_both_sides(api, alice, bob, connect):
    connect(alice, bob)
    response = api(bob).delete(f"/1/contacts/{alice.id.hex}")
    assert response.status_code == 200
    assert shape(response.get_json()) == public(alice)  # no longer protected
    assert api(alice).get("/1/contacts").get_json() == []
    assert api(bob).get("/1/contacts").get_json() == []
    again = api(bob).delete(f"/1/contacts/{alice.id.hex}")
    assert again.status_code == 404
    assert again.get_json() == {"error": "not_found", "detail": alice.id.hex}


def test_delete_by_method_override(api, alice, bob, connect):
    connect(alice, bob)
    response = api(alice).post(f"/1/contacts/{bob.id.hex}?method=delete")
    assert response.status_code == 200
    assert api(bob).get("/1/contacts").get_json() == []


def test_errors(api, alice, bob, carol, connect):
    connect(alice, bob)
    api(alice).post("/1/blocks", data={"id": carol.id.hex})
    cases = [
        (alice.id, 403, "why_me", alice.id.hex),
        (UNKNOWN, 404, "not_found", UNKNOWN.hex),
        (bob.id, 403, "contact_exists", bob.id.hex),
        (carol.id, 403, "block_exists", carol.id.hex),
    ]
    for target, status, error, detail in cases:
        response = api(alice).post("/1/contacts", data={"id": target.hex})
        assert (response.status_code, response.get_json()) == (
            status, {"error": error, "detail": detail})


def test_no_request_received(api, alice, bob):
    # Alice sent Bob a request: she cannot accept it herself.
    api(alice).post("/1/requests", data={"id": bob.id.hex})
    response = api(alice).post("/1/contacts", data={"id": bob.id.hex})
    assert response.status_code == 403
    assert response.get_json() == {"error": "no_request_received", "detail": bob.id.hex}


def test_batch_accepts_in_order(api, alice, bob, carol):
    api(bob).post("/1/requests", data={"id": alice.id.hex})
    api(carol).post("/1/requests", data={"id": alice.id.hex})
    ids = [bob.id.hex, carol.id.hex, bob.id.hex, "zz", UNKNOWN.hex]
    response = api(alice).post("/1/contacts/batch", json={"ids": ids})
    assert response.status_code == 200
    assert shape(response.get_json()) == [
        public(bob, contact_added=T),
        public(carol, contact_added=T),
        {"error": "contact_exists", "detail": bob.id.hex},
        {"error": "invalid_id", "detail": "zz"},
        {"error": "not_found", "detail": UNKNOWN.hex},
    ]
    assert len(api(alice).get("/1/contacts").get_json()) == 2
    too_many = api(alice).post("/1/contacts/batch", json={"ids": ["x"] * 1001})
    assert too_many.get_json() == {"error": "invalid_argument", "detail": "ids"}


def test_mutual_contacts_count(api, alice, bob, carol, make_user, connect):
    dave = make_user("dave", first_name="Dave", last_name="Jones")
    connect(alice, carol)
    connect(alice, dave)
    connect(bob, carol)
    connect(bob, dave)
    connect(alice, bob)
    # Alice and Bob share Carol and Dave; Carol and Dave share Alice and Bob.
    counts = {u["first_name"]: u.get("mutual_contacts_count")
              for u in api(alice).get("/1/contacts").get_json()}
    assert counts == {"Bob": 2, "Carol": 1, "Dave": 1}
    assert api(carol).get(f"/1/contacts/{alice.id.hex}").get_json()["mutual_contacts_count"] == 1
    assert "mutual_contacts_count" not in api(alice).get("/1/you").get_json()


def test_a_contact_list_is_a_few_queries(app, api, alice, make_user, connect):
    """The relationship fields of a whole page come from two SELECTs (no query per user)."""
    import sqlalchemy as sa

    from contacts_api.database import db

    for n in range(5):
        connect(make_user(f"p{n}", first_name="P", last_name=str(n)), alice)
    statements = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    with app.app_context():
        engines = list(db.engines.values())
        for engine in engines:
            sa.event.listen(engine, "before_cursor_execute", count)
        try:
            response = api(alice).get("/1/contacts")
        finally:
            for engine in engines:
                sa.event.remove(engine, "before_cursor_execute", count)
    assert len(response.get_json()) == 5
    # The viewer, the total count, the page and the page's mutual contact counts; besides
    # authentication's one statement, which runs on the driver (`database.first_row`).
    assert len(statements) == 4


@pytest.mark.parametrize("path", ["/1/contacts", f"/1/contacts/{UNKNOWN.hex}"])
def test_basic_and_bearer_authentication(client, api, alice, path):
    assert client.get("/1/contacts", headers=basic("alice")).status_code == 200
    assert client.get("/1/contacts", headers=basic("alice@example.com")).status_code == 200
    wrong = client.get(path, headers=basic("alice", "wrong password"))
    assert wrong.status_code == 401
    assert wrong.get_json()["error"] == "unauthorized"
    assert api(alice).get("/1/contacts").status_code == 200


def test_user_row_holds_no_secret_in_the_output(api, alice, bob, connect):
    connect(alice, bob)
    body = api(bob).get(f"/1/contacts/{alice.id.hex}").get_json()
    assert not {"username", "email", "password", "password_hash"} & set(body)
    assert User.__tablename__ == "users"
