"""`/1/blocks`: blocking clears every link both ways; `blocked` versus `block_exists`."""

import uuid

from .helpers import T, public, shape

UNKNOWN = uuid.UUID("fd0540d0109445e3a0601bc6e69f8f1d")


def test_block_removes_the_contact_on_both_sides(api, alice, bob, connect):
    connect(alice, bob)
    response = api(alice).post("/1/blocks", data={"id": bob.id.hex})
    assert response.status_code == 200
    assert shape(response.get_json()) == public(bob, blocked=T)
    assert api(alice).get("/1/contacts").get_json() == []
    assert api(bob).get("/1/contacts").get_json() == []
    assert shape(api(alice).get("/1/blocks").get_json()) == [public(bob, blocked=T)]


def test_block_removes_requests_both_ways(api, alice, bob, carol):
    api(bob).post("/1/requests", data={"id": alice.id.hex})
    api(alice).post("/1/requests", data={"id": carol.id.hex})
    api(alice).post("/1/blocks", data={"id": bob.id.hex})
    api(alice).post("/1/blocks", data={"id": carol.id.hex})
    for viewer in (alice, bob, carol):
        assert api(viewer).get("/1/requests/received").get_json() == []
        assert api(viewer).get("/1/requests/sent").get_json() == []


def test_blocked_and_block_exists(api, alice, bob):
    api(alice).post("/1/blocks", data={"id": bob.id.hex})
    # Bob, who is blocked, learns who blocked him when he asks.
    response = api(bob).post("/1/requests", data={"id": alice.id.hex})
    assert (response.status_code, response.get_json()) == (
        403, {"error": "blocked", "detail": alice.id.hex})
    response = api(alice).post("/1/requests", data={"id": bob.id.hex})
    assert (response.status_code, response.get_json()) == (
        403, {"error": "block_exists", "detail": bob.id.hex})
    response = api(alice).post("/1/blocks", data={"id": bob.id.hex})
    assert (response.status_code, response.get_json()) == (
        403, {"error": "block_exists", "detail": bob.id.hex})


def test_block_errors(api, alice):
    response = api(alice).post("/1/blocks", data={"id": alice.id.hex})
    assert (response.status_code, response.get_json()) == (
        403, {"error": "why_me", "detail": alice.id.hex})
    response = api(alice).post("/1/blocks", data={"id": UNKNOWN.hex})
    assert (response.status_code, response.get_json()) == (
        404, {"error": "not_found", "detail": UNKNOWN.hex})
    response = api(alice).post("/1/blocks", data={})
    assert response.get_json() == {"error": "missing_required_argument", "detail": "id"}


def test_unblock(api, alice, bob):
    api(alice).post("/1/blocks", data={"id": bob.id.hex})
    response = api(alice).delete(f"/1/blocks/{bob.id.hex}")
    assert response.status_code == 200
    assert shape(response.get_json()) == public(bob)
    assert api(alice).get("/1/blocks").get_json() == []
    assert api(bob).post("/1/requests", data={"id": alice.id.hex}).status_code == 200
    again = api(alice).post(f"/1/blocks/{bob.id.hex}?method=delete")
    assert (again.status_code, again.get_json()) == (
        404, {"error": "not_found", "detail": bob.id.hex})


def test_blocking_each_other(api, alice, bob):
    api(alice).post("/1/blocks", data={"id": bob.id.hex})
    assert api(bob).post("/1/blocks", data={"id": alice.id.hex}).status_code == 200
    api(alice).delete(f"/1/blocks/{bob.id.hex}")
    response = api(alice).post("/1/requests", data={"id": bob.id.hex})
    assert response.get_json() == {"error": "blocked", "detail": bob.id.hex}


def test_users_who_blocked_the_viewer_are_not_found_or_searched(api, alice, bob):
    assert len(api(bob).get("/1/search?q=alice").get_json()) == 1
    assert len(api(bob).get("/1/find?email=alice@example.com").get_json()) == 1
    api(alice).post("/1/blocks", data={"id": bob.id.hex})
    assert api(bob).get("/1/search?q=alice").get_json() == []
    assert api(bob).get("/1/find?email=alice@example.com").get_json() == []
    # The blocker still finds the user she blocked, marked as such.
    assert shape(api(alice).get("/1/find?email=bob@example.com").get_json()) == [
        public(bob, blocked=T)]
