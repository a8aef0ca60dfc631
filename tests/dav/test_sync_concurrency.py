"""sync-collection while cards are written: following the tokens, every card written is
reported, none twice without a change. PostgreSQL only, as for `/1/sync`: SQLite has a
single writer."""

import os

import pytest

from conftest import follow_while_writing

from .conftest import Dav, Multistatus, card

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                       reason="needs PostgreSQL (TEST_DATABASE_URL)"),
]

ROUNDS = 30


def test_no_card_is_missed_while_writes_commit(app, user, bearer):
    headers = bearer(user)
    written, reported, errors = set(), [], []

    def write_over_dav():
        dav = Dav(app.test_client(), user)
        for i in range(ROUNDS):
            if dav.put(f"dav-{i}.vcf", card(uid=f"dav-{i}", email=f"dav{i}@example.com")
                       ).status_code != 201:
                errors.append(i)
            written.add(f"dav-{i}.vcf")

    def write_over_json():
        client = app.test_client()
        for i in range(ROUNDS):
            made = client.post("/api/contacts/", headers=headers, json={
                "first_name": "Json", "last_name": str(i), "email": f"json{i}@example.com"})
            if made.status_code != 201:
                errors.append(made.get_json())
            written.add(made.get_json()["id"].replace("-", "") + ".vcf")

    syncing, token = Dav(app.test_client(), user), ""

    def sync_once():
        nonlocal token
        body = (f'<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token>'
                "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop>"
                "</D:sync-collection>")
        status = Multistatus(syncing.report(body))
        reported.extend(href.rsplit("/", 1)[1] for href in status.hrefs)
        token = status.sync_token

    follow_while_writing(sync_once, write_over_dav, write_over_json)

    assert errors == []
    assert sorted(reported) == sorted(written)  # each card once: every card, no repeat
