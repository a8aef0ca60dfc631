"""Concurrent relationship changes end in a consistent state (PostgreSQL only).

SQLite has a single writer, so real concurrency needs the PostgreSQL run
(TEST_DATABASE_URL). Each round starts both requests together from two threads.
"""

import os
import threading

import pytest
import sqlalchemy as sa

from contacts_api.database import db
from contacts_api.network.models import Block, ContactRequest

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                       reason="needs PostgreSQL (TEST_DATABASE_URL)"),
]

ROUNDS = 15


def race(app, *calls):
    """Run each `(method, path, headers, data)` from its own thread, released together."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, method, path, headers, data):
        client = app.test_client()
        barrier.wait()
        response = getattr(client, method)(path, headers=headers, data=data)
        results[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def rows(app, model):
    with app.app_context():
        return db.session.scalars(sa.select(model)).all()


def test_opposite_requests_at_once(app, client, alice, bob, bearer):
    a, b = bearer(alice), bearer(bob)
    for _ in range(ROUNDS):
        results = race(app, ("post", "/1/requests", a, {"id": bob.id.hex}),
                       ("post", "/1/requests", b, {"id": alice.id.hex}))
        statuses = sorted(status for status, _ in results)
        assert statuses == [200, 403], results
        [(status, error)] = [r for r in results if r[0] == 403]
        assert error["error"] == "request_received_exists"
        [request] = rows(app, ContactRequest)
        # The loser is told about the winner's request, which is the one stored.
        assert error["detail"] == request.sender_id.hex
        winner = a if request.sender_id == alice.id else b
        other = bob if request.sender_id == alice.id else alice
        assert client.delete(f"/1/requests/sent/{other.id.hex}", headers=winner).status_code \
            == 200


def test_request_racing_a_block(app, client, alice, bob, bearer):
    a, b = bearer(alice), bearer(bob)
    for _ in range(ROUNDS):
        results = race(app, ("post", "/1/blocks", a, {"id": bob.id.hex}),
                       ("post", "/1/requests", b, {"id": alice.id.hex}))
        assert results[0][0] == 200
        assert results[1] in [(200, results[1][1]),
                              (403, {"error": "blocked", "detail": alice.id.hex})]
        # Whichever ran first, the block leaves no request behind.
        assert rows(app, ContactRequest) == []
        assert len(rows(app, Block)) == 1
        assert client.delete(f"/1/blocks/{bob.id.hex}", headers=a).status_code == 200


def test_accept_racing_cancel(app, client, alice, bob, bearer):
    a, b = bearer(alice), bearer(bob)
    for _ in range(ROUNDS):
        assert client.post("/1/requests", headers=a, data={"id": bob.id.hex}).status_code == 200
        accept, cancel = race(app, ("post", "/1/contacts", b, {"id": alice.id.hex}),
                              ("delete", f"/1/requests/sent/{bob.id.hex}", a, None))
        contacts = client.get("/1/contacts", headers=a).get_json()
        if accept[0] == 200:
            assert cancel == (404, {"error": "not_found", "detail": bob.id.hex})
            assert [c["id"] for c in contacts] == [bob.id.hex]
            client.delete(f"/1/contacts/{bob.id.hex}", headers=a)
        else:
            assert accept == (403, {"error": "no_request_received", "detail": alice.id.hex})
            assert cancel[0] == 200
            assert contacts == []
        assert rows(app, ContactRequest) == []
