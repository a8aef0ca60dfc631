"""`/1/requests`: send, list, decline, cancel, batch; the visibility rule."""

import uuid

import pytest

from .helpers import ALICE_PROTECTED, T, public, shape

UNKNOWN = uuid.UUID("fd0540d0109445e3a0601bc6e69f8f1d")


def test_request_is_pending_on_both_sides(api, alice, bob):
    response = api(bob).post("/1/requests", data={"id": alice.id.hex})
    assert response.status_code == 200
    # Bob sent the request: he does not see Alice's protected fields.
    assert shape(response.get_json()) == public(alice, request_sent=T)

    sent = api(bob).get("/1/requests/sent")
    assert shape(sent.get_json()) == [public(alice, request_sent=T)]
    assert sent.headers["X-Total-Count"] == "1"

    # Alice received it: she sees Bob with the time, and would see his protected fields.
    received = api(alice).get("/1/requests/received")
    assert shape(received.get_json()) == [public(bob, request_received=T)]
    assert api(alice).get("/1/requests/sent").get_json() == []


def test_recipient_of_a_pending_request_sees_the_senders_protected_fields(api, alice, bob):
    api(alice).post("/1/requests", data={"id": bob.id.hex})
    body = shape(api(bob).get("/1/requests/received").get_json())
    assert body == [public(alice, request_received=T, **ALICE_PROTECTED)]


@pytest.mark.parametrize("encoding", ["form", "json", "multipart"])
def test_every_body_encoding(api, alice, bob, encoding):
    kwargs = {"json": {"id": alice.id.hex}} if encoding == "json" else {
        "data": {"id": str(alice.id).upper()},
        **({"content_type": "multipart/form-data"} if encoding == "multipart" else {}),
    }
    response = api(bob).post("/1/requests", **kwargs)
    assert response.status_code == 200
    assert response.get_json()["id"] == alice.id.hex


def test_decline(api, alice, bob):
    api(bob).post("/1/requests", data={"id": alice.id.hex})
    response = api(alice).delete(f"/1/requests/received/{bob.id.hex}")
    assert response.status_code == 200
    assert shape(response.get_json()) == public(bob)
    assert api(bob).get("/1/requests/sent").get_json() == []
    again = api(alice).delete(f"/1/requests/received/{bob.id.hex}")
    assert again.status_code == 404
    assert again.get_json() == {"error": "not_found", "detail": bob.id.hex}


def test_cancel_with_method_override(api, alice, bob):
    api(bob).post("/1/requests", data={"id": alice.id.hex})
    response = api(bob).post(f"/1/requests/sent/{alice.id.hex}?method=delete")
    assert response.status_code == 200
    assert shape(response.get_json()) == public(alice)
    assert api(alice).get("/1/requests/received").get_json() == []
    again = api(bob).delete(f"/1/requests/sent/{alice.id.hex}")
    assert again.get_json() == {"error": "not_found", "detail": alice.id.hex}


def test_the_recipient_cannot_cancel_and_the_sender_cannot_decline(api, alice, bob):
    api(bob).post("/1/requests", data={"id": alice.id.hex})
    assert api(alice).delete(f"/1/requests/sent/{bob.id.hex}").status_code == 404
    assert api(bob).delete(f"/1/requests/received/{alice.id.hex}").status_code == 404
    assert len(api(alice).get("/1/requests/received").get_json()) == 1


def test_errors(api, alice, bob, carol, connect):
    connect(alice, carol)
    api(bob).post("/1/requests", data={"id": alice.id.hex})
    cases = [
        (alice, alice.id.hex, "why_me", alice.id.hex),
        (alice, UNKNOWN.hex, "not_found", UNKNOWN.hex),
        (alice, carol.id.hex, "contact_exists", carol.id.hex),
        (bob, alice.id.hex, "request_sent_exists", alice.id.hex),
        (alice, bob.id.hex, "request_received_exists", bob.id.hex),
    ]
    for viewer, target, error, detail in cases:
        response = api(viewer).post("/1/requests", data={"id": target})
        assert (response.status_code, response.get_json()) == (
            403 if error != "not_found" else 404, {"error": error, "detail": detail}
        )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, {"error": "missing_required_argument", "detail": "id"}),
        ({"id": "12"}, {"error": "invalid_id", "detail": "12"}),
        ({"id": "x" * 32}, {"error": "invalid_id", "detail": "x" * 32}),
    ],
)
def test_bad_arguments(api, alice, data, expected):
    response = api(alice).post("/1/requests", data=data)
    assert response.status_code == 400
    assert response.get_json() == expected


def test_malformed_path_id(api, alice):
    response = api(alice).delete("/1/requests/sent/nope")
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_id", "detail": "nope"}


def test_batch_answers_each_id_in_order(api, alice, bob, carol):
    ids = [bob.id.hex, "bad", alice.id.hex, UNKNOWN.hex, bob.id.hex, str(carol.id)]
    response = api(alice).post("/1/requests/batch", data={"ids": ",".join(ids)})
    assert response.status_code == 200
    assert shape(response.get_json()) == [
        public(bob, request_sent=T),
        {"error": "invalid_id", "detail": "bad"},
        {"error": "why_me", "detail": alice.id.hex},
        {"error": "not_found", "detail": UNKNOWN.hex},
        {"error": "request_sent_exists", "detail": bob.id.hex},
        public(carol, request_sent=T),
    ]
    assert api(alice).get("/1/requests/sent").headers["X-Total-Count"] == "2"


def test_batch_accepts_a_json_list_and_repeated_form_values(api, alice, bob, carol):
    response = api(alice).post("/1/requests/batch", json={"ids": [bob.id.hex, 7]})
    assert shape(response.get_json()) == [public(bob, request_sent=T),
                                          {"error": "invalid_id", "detail": 7}]
    response = api(alice).post("/1/requests/batch", data={"ids": [carol.id.hex, bob.id.hex]})
    assert [item.get("error") for item in response.get_json()] == [None, "request_sent_exists"]


def test_a_json_batch_answers_every_item_blank_ones_too(api, alice, bob):
    response = api(alice).post("/1/requests/batch",
                               json={"ids": ["", bob.id.hex, " ", None, f"{bob.id.hex},x"]})
    assert response.status_code == 200
    assert shape(response.get_json()) == [
        {"error": "invalid_id", "detail": ""},
        public(bob, request_sent=T),
        {"error": "invalid_id", "detail": " "},
        {"error": "invalid_id", "detail": None},
        {"error": "invalid_id", "detail": f"{bob.id.hex},x"},
    ]


def test_a_form_batch_drops_empty_values(api, alice, bob):
    response = api(alice).post("/1/requests/batch", data={"ids": [f" {bob.id.hex}, ,", ""]})
    assert shape(response.get_json()) == [public(bob, request_sent=T)]


def test_batch_limits(api, alice):
    too_many = api(alice).post("/1/requests/batch", json={"ids": [UNKNOWN.hex] * 1001})
    assert too_many.status_code == 400
    assert too_many.get_json() == {"error": "invalid_argument", "detail": "ids"}
    missing = api(alice).post("/1/requests/batch", data={})
    assert missing.get_json() == {"error": "missing_required_argument", "detail": "ids"}
    full = api(alice).post("/1/requests/batch", json={"ids": [UNKNOWN.hex] * 1000})
    assert full.status_code == 200
    assert len(full.get_json()) == 1000


def test_lists_are_paginated(api, alice, make_user):
    for n in range(3):
        sender = make_user(f"sender{n}", first_name="S", last_name=str(n))
        api(sender).post("/1/requests", data={"id": alice.id.hex})
    response = api(alice).get("/1/requests/received?limit=2")
    assert len(response.get_json()) == 2
    assert response.headers["X-Total-Count"] == "3"
    assert response.headers["X-Page-Count"] == "2"
    assert 'rel="next"' in response.headers["Link"]
    assert api(alice).get("/1/requests/received?limit=0").get_json() == {
        "error": "invalid_argument", "detail": "limit"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/1/requests"), ("post", "/1/requests/batch"), ("get", "/1/requests/received"),
     ("get", "/1/requests/sent"), ("delete", f"/1/requests/sent/{UNKNOWN.hex}"),
     ("delete", f"/1/requests/received/{UNKNOWN.hex}")],
)
def test_authentication_is_required(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert 'Basic realm="contacts"' in response.headers["WWW-Authenticate"]
