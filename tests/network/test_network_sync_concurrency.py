"""Sync while writes commit: the union of the responses is every change, each once.

PostgreSQL only (TEST_DATABASE_URL): SQLite has a single writer, so concurrent writers
there would test its lock timeouts, not sync.
"""

import os
from collections import Counter

import pytest

from conftest import follow_while_writing

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                       reason="needs PostgreSQL (TEST_DATABASE_URL)"),
]

ROUNDS = 25


def test_no_change_is_missed_or_repeated(app, alice, make_user, bearer):
    requesters = [make_user(f"user{i}", first_name="User", last_name=str(i))
                  for i in range(ROUNDS)]
    headers = bearer(alice)
    made = {"invites": set(), "cards": set(), "requests": set()}
    responses, since = [], None
    errors = []

    def alice_writes():
        client = app.test_client()
        for i in range(ROUNDS):
            invite = client.post("/1/invites", headers=headers,
                                 data={"email": f"friend{i}@example.com"})
            card = client.post("/api/contacts/", headers=headers, json={
                "first_name": "Card", "last_name": str(i), "email": f"card{i}@example.com"})
            if invite.status_code != 201 or card.status_code != 201:
                errors.append((invite.get_json(), card.get_json()))
                return
            made["invites"].add(invite.get_json()["id"])
            made["cards"].add(card.get_json()["id"])

    def others_request():
        client = app.test_client()
        for requester in requesters:
            response = client.post("/1/requests", headers=bearer(requester),
                                   data={"id": alice.id.hex})
            if response.status_code != 200:
                errors.append(response.get_json())
                return
            made["requests"].add(requester.id.hex)

    sync_client = app.test_client()

    def alice_syncs_once():
        nonlocal since
        data = {} if since is None else {"since": since}
        response = sync_client.post("/1/sync", headers=headers, data=data)
        if response.status_code != 200:
            errors.append(response.get_json())
            return False
        responses.append(response.get_json())
        since = response.get_json()["synced"]

    follow_while_writing(alice_syncs_once, alice_writes, others_request)

    assert errors == []
    assert len(responses) > 2
    invites = Counter(i["id"] for r in responses for i in r["invites"])
    cards = Counter(c["id"] for r in responses for c in r["address_book"]["contacts"])
    requests = Counter(u["id"] for r in responses for u in r["requests_received"])
    assert set(invites) == made["invites"] and set(invites.values()) == {1}
    assert set(cards) == made["cards"] and set(cards.values()) == {1}
    assert set(requests) == made["requests"] and set(requests.values()) == {1}
    assert all(r["removed_contacts"] == [] and r["address_book"]["deleted"] == []
               for r in responses)
    # `synced` never goes back.
    synced = [r["synced"] for r in responses]
    assert synced == sorted(synced)
