"""Cached `/1/` reads: per viewer, and ended at once by any write they could embed."""

import pytest
from flask import request

from conftest import basic
from contacts_api.accounts import service
from contacts_api.accounts.models import User
from contacts_api.database import db


def names(response):
    return [(u["first_name"], u["last_name"]) for u in response.get_json()]


def test_a_repeated_read_is_a_hit_with_the_same_body(api, alice, bob, connect):
    connect(alice, bob)
    first = api(alice).get("/1/contacts")
    second = api(alice).get("/1/contacts")
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["X-Total-Count"] == "1"


def test_a_contacts_profile_change_shows_in_my_cached_list_at_once(api, alice, bob, connect):
    connect(alice, bob)
    assert names(api(alice).get("/1/contacts")) == [("Bob", "Builder")]
    assert api(alice).get("/1/contacts").headers["X-Cache"] == "HIT"

    assert api(bob).put("/1/you", data={"first_name": "Robert"}).status_code == 200

    response = api(alice).get("/1/contacts")
    assert response.headers["X-Cache"] == "MISS"
    assert names(response) == [("Robert", "Builder")]


def test_a_new_contact_of_my_contact_changes_my_cached_mutual_count(
        api, alice, bob, carol, connect):
    connect(alice, bob)
    assert "mutual_contacts_count" not in api(alice).get(f"/1/contacts/{bob.id.hex}").get_json()

    connect(alice, carol)
    connect(bob, carol)  # carol is now a contact both alice and bob share

    response = api(alice).get(f"/1/contacts/{bob.id.hex}")
    assert response.headers["X-Cache"] == "MISS"
    assert response.get_json()["mutual_contacts_count"] == 1


def test_being_blocked_removes_the_blocker_from_my_cached_search(api, alice, bob):
    assert names(api(alice).get("/1/search?q=bob")) == [("Bob", "Builder")]
    assert api(alice).get("/1/search?q=bob").headers["X-Cache"] == "HIT"

    assert api(bob).post("/1/blocks", data={"id": alice.id.hex}).status_code == 200

    response = api(alice).get("/1/search?q=bob")
    assert response.headers["X-Cache"] == "MISS"
    assert response.get_json() == []


def test_cached_reads_are_per_viewer(api, alice, bob):
    mine = api(alice).get("/1/you")
    theirs = api(bob).get("/1/you")
    assert theirs.headers["X-Cache"] == "MISS"
    assert mine.get_json()["id"] == alice.id.hex
    assert theirs.get_json()["id"] == bob.id.hex


def test_matching_etag_is_a_304_without_body(api, alice):
    etag = api(alice).get("/1/you").headers["ETag"]
    response = api(alice).get("/1/you", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag


def test_address_book_write_ends_my_cached_network_reads(api, alice):
    assert api(alice).get("/1/you").headers["X-Cache"] == "MISS"
    assert api(alice).get("/1/you").headers["X-Cache"] == "HIT"
    card = {"first_name": "Bob", "last_name": "Builder", "email": "bob@example.com"}
    assert api(alice).post("/api/contacts/", json=card).status_code == 201
    assert api(alice).get("/1/you").headers["X-Cache"] == "MISS"


@pytest.fixture
def reached_app(app):
    """Paths of the requests that reached the app's request hooks (see `http.shortcut`)."""
    paths = []
    app.before_request(lambda: paths.append(request.path))
    return paths


def test_basic_hits_are_answered_before_the_app_while_the_password_holds(
        reached_app, app, client, api, alice, bob, connect):
    connect(alice, bob)
    assert client.get("/1/contacts", headers=basic("alice")).headers["X-Cache"] == "MISS"
    api(alice).get("/api/contacts/")  # an /api/ entry exists for alice too
    reached_app.clear()
    hit = client.get("/1/contacts", headers=basic("alice"))
    assert (hit.status_code, hit.headers["X-Cache"], names(hit)) == (200, "HIT",
                                                                     [("Bob", "Builder")])
    assert reached_app == []
    # /api/ takes no Basic credentials: the app answers, whatever is cached.
    refused = client.get("/api/contacts/", headers=basic("alice"))
    assert (refused.status_code, reached_app) == (401, ["/api/contacts/"])
    with app.app_context():
        service.change_password(db.session.get(User, alice.id), "a-new-password-1")
        db.session.commit()
    reached_app.clear()
    stale = client.get("/1/contacts", headers=basic("alice"))
    assert (stale.status_code, stale.get_json()) == (
        401, {"error": "unauthorized", "detail": "Incorrect username or password"})
    assert reached_app == ["/1/contacts"]
