"""Simultaneous requests from real threads to a real gunicorn (several worker processes)
on PostgreSQL: each race ends in one consistent state, with no 500 and no duplicate row."""

import email
import re
import threading
import time

import pytest
import requests
import sqlalchemy as sa

from conftest import DATABASE_URL, PASSWORD
from contacts_api.accounts.models import User
from contacts_api.addressbook.models import Contact
from contacts_api.database import db
from contacts_api.network.models import Block, ContactLink, ContactRequest

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"), reason="needs PostgreSQL"),
]

THREADS = 8
ROUNDS = 10


def race(server, *calls):
    """Send each `(method, path, headers, json)` from its own thread, released together."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, method, path, headers, body):
        with requests.Session() as session:
            barrier.wait()
            response = session.request(method, server.url + path, headers=headers, json=body,
                                       timeout=30)
        results[index] = (response.status_code, response.json())

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(status < 500 for status, _ in results), results
    return results


def outbox_messages(server, to, expected=1):
    """The bodies of the messages to `to`, once `expected` of them have been written: the
    workers deliver mail from a background thread after answering."""
    folder = server.log.parent / "outbox"
    for _ in range(100):
        found = [email.message_from_bytes(p.read_bytes()) for p in folder.glob("*.eml")]
        bodies = [m.get_payload(decode=True).decode() for m in found if m["To"] == to]
        if len(bodies) >= expected:
            return bodies
        time.sleep(0.1)
    return bodies


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_registrations_with_one_email(server, app):
    calls = [("post", "/api/auth/register", {},
              {"username": f"racer{i}", "email": "Same@Example.com", "password": PASSWORD})
             for i in range(THREADS)]
    results = race(server, *calls)
    assert sorted(status for status, _ in results) == [201] + [409] * (THREADS - 1)
    assert count(app, User, sa.func.lower(User.email) == "same@example.com") == 1


def test_registrations_with_one_username(server, app):
    calls = [("post", "/1/users", {},
              {"username": "samename", "email": f"u{i}@example.com", "password": PASSWORD,
               "first_name": "Same", "last_name": "Name"})
             for i in range(THREADS)]
    results = race(server, *calls)
    assert sorted(status for status, _ in results)[0] == 201
    assert [s for s, _ in results].count(201) == 1
    assert count(app, User, User.username == "samename") == 1


def test_identical_card_creations(server, app, user, auth_headers):
    card = {"first_name": "John", "last_name": "Doe", "email": "john@example.com"}
    results = race(server, *[("post", "/api/contacts/", auth_headers, card)] * THREADS)
    assert sorted(status for status, _ in results) == [201] + [409] * (THREADS - 1)
    listed = requests.get(server.url + "/api/contacts/", headers=auth_headers, timeout=30)
    assert listed.headers["X-Total-Count"] == "1"
    assert [c["email"] for c in listed.json()] == ["john@example.com"]
    assert count(app, Contact) == 1


def test_opposite_requests(server, app, make_user, bearer):
    alice, bob = make_user("alice"), make_user("bob")
    a, b = bearer(alice), bearer(bob)
    for _ in range(ROUNDS):
        results = race(server, ("post", "/1/requests", a, {"id": bob.id.hex}),
                       ("post", "/1/requests", b, {"id": alice.id.hex}))
        assert sorted(status for status, _ in results) == [200, 403], results
        [(_, error)] = [r for r in results if r[0] == 403]
        assert error["error"] == "request_received_exists"
        assert count(app, ContactRequest) == 1
        with app.app_context():
            request = db.session.scalars(sa.select(ContactRequest)).one()
        assert error["detail"] == request.sender_id.hex
        # Withdraw it for the next round.
        sender = a if request.sender_id == alice.id else b
        other = bob if request.sender_id == alice.id else alice
        gone = requests.delete(f"{server.url}/1/requests/sent/{other.id.hex}", headers=sender,
                               timeout=30)
        assert gone.status_code == 200


def test_accept_and_block_at_once(server, app, make_user, bearer):
    alice, bob = make_user("alice"), make_user("bob")
    a, b = bearer(alice), bearer(bob)
    for _ in range(ROUNDS):
        sent = requests.post(server.url + "/1/requests", headers=a, json={"id": bob.id.hex},
                             timeout=30)
        assert sent.status_code == 200, sent.json()
        (accepted, _), (blocked, _) = race(
            server, ("post", "/1/contacts", b, {"id": alice.id.hex}),
            ("post", "/1/blocks", a, {"id": bob.id.hex}))
        assert blocked == 200
        # The accept either won (then the block undid the link) or found no request left.
        assert accepted in (200, 403), accepted
        assert count(app, Block) == 1
        assert count(app, ContactLink) == 0
        assert count(app, ContactRequest) == 0
        contacts = requests.get(server.url + "/1/contacts", headers=b, timeout=30)
        assert (contacts.status_code, contacts.json()) == (200, [])
        unblocked = requests.delete(f"{server.url}/1/blocks/{bob.id.hex}", headers=a, timeout=30)
        assert unblocked.status_code == 200


def test_confirmation_tokens_stay_out_of_the_access_log(server, app):
    registered = requests.post(server.url + "/api/auth/register", timeout=30,
                               json={"username": "logged", "email": "logged@example.com",
                                     "password": PASSWORD})
    assert registered.status_code == 201
    [message] = outbox_messages(server, "logged@example.com")
    link = re.search(r"https?://\S+", message).group(0)
    token = link.rsplit("/", 1)[1]
    assert requests.get(link, timeout=30).status_code == 200
    logged = "GET /api/auth/confirmed_email/[redacted] HTTP/1.1"
    for _ in range(100):  # the worker writes the access-log line after sending the response
        log = server.log.read_text()
        if logged in log:
            break
        time.sleep(0.1)
    assert logged in log
    assert token not in log
    assert PASSWORD not in log
