"""`POST /1/sync`: everything, then each change exactly once with the previous `synced`."""

from datetime import UTC, datetime, timedelta

import pytest

from .helpers import ALICE_PROTECTED, TIMESTAMP, T, basic, public, shape

NOTHING = {"synced": T, "contacts": [], "removed_contacts": [], "requests_received": [],
           "requests_sent": [], "invites": [], "blocks": [],
           "address_book": {"contacts": [], "deleted": []}}


def changes(**lists):
    """The expected body: `NOTHING` with these lists (`deleted`/`cards` go to address_book)."""
    body = {**NOTHING, "address_book": {"contacts": lists.pop("cards", []),
                                        "deleted": lists.pop("deleted", [])}}
    return body | lists


def card(contact_id, **fields):
    return {"id": contact_id, "first_name": "Card", "last_name": "Holder",
            "email": "holder@example.com", "phone": None, "birthday": None,
            "additional_data": None, "labels": [], "created_at": T, "updated_at": T} | fields


class Syncer:
    """Syncs as one user, passing back each `synced` like a client would."""

    def __init__(self, api, user):
        self.api = api(user)
        self.since = None

    def __call__(self, **data):
        if self.since is not None:
            data.setdefault("since", self.since)
        response = self.api.post("/1/sync", data=data)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert TIMESTAMP.match(body["synced"])
        self.since = body["synced"]
        return shape(body)


@pytest.fixture
def sync(api, alice):
    return Syncer(api, alice)


def test_without_since_everything_current(api, alice, bob, carol, make_user, connect, sync):
    dave = make_user("dave", first_name="Dave", last_name="Dodo")
    erin = make_user("erin", first_name="Erin", last_name="Egg")
    connect(alice, bob)
    api(carol).post("/1/requests", data={"id": alice.id.hex})
    api(alice).post("/1/requests", data={"id": dave.id.hex})
    api(alice).post("/1/blocks", data={"id": erin.id.hex})
    invite = api(alice).post("/1/invites", data={"email": "new@example.com"}).get_json()
    created = api(alice).post("/api/contacts/", json={
        "first_name": "Card", "last_name": "Holder", "email": "holder@example.com"}).get_json()
    gone = api(alice).post("/api/contacts/", json={
        "first_name": "Gone", "last_name": "Card", "email": "gone@example.com"}).get_json()
    api(alice).delete(f"/api/contacts/{gone['id']}")
    api(bob).post("/api/contacts/", json={  # bob's address book is his own
        "first_name": "B", "last_name": "B", "email": "b@example.com"})
    assert sync() == changes(
        contacts=[public(bob, contact_added=T)],
        requests_received=[public(carol, request_received=T)],
        requests_sent=[public(dave, request_sent=T)],
        invites=[{"id": invite["id"], "email": "new@example.com", "sent": T}],
        blocks=[public(erin, blocked=T)],
        cards=[card(created["id"])],
    )
    assert sync() == NOTHING


def test_each_kind_of_change_once(api, alice, bob, carol, make_user, connect, sync):
    dave = make_user("dave", first_name="Dave", last_name="Dodo")
    assert sync() == NOTHING

    # Requests: received, sent; then declined and cancelled.
    api(bob).post("/1/requests", data={"id": alice.id.hex})
    api(alice).post("/1/requests", data={"id": carol.id.hex})
    assert sync() == changes(requests_received=[public(bob, request_received=T)],
                             requests_sent=[public(carol, request_sent=T)])
    assert sync() == NOTHING
    api(alice).delete(f"/1/requests/received/{bob.id.hex}")
    api(alice).delete(f"/1/requests/sent/{carol.id.hex}")
    assert sync() == changes(requests_received=[public(bob)], requests_sent=[public(carol)])
    assert sync() == NOTHING

    # A request accepted: the contact arrives and the request goes.
    api(bob).post("/1/requests", data={"id": alice.id.hex})
    api(alice).post("/1/contacts", data={"id": bob.id.hex})
    assert sync() == changes(contacts=[public(bob, contact_added=T)],
                             requests_received=[public(bob, contact_added=T)])
    # The contact's profile changes.
    api(bob).put("/1/you", data={"title": "Chief", "work_email": "bob@work.example"})
    assert sync() == changes(contacts=[
        public(bob, title="Chief", work_email="bob@work.example", contact_added=T)])
    assert sync() == NOTHING
    # A stranger's profile change is not ours to know.
    api(dave).put("/1/you", data={"title": "Stranger"})
    assert sync() == NOTHING
    # The contact removed, by the other side.
    api(bob).delete(f"/1/contacts/{alice.id.hex}")
    assert sync() == changes(removed_contacts=[bob.id.hex])
    assert sync() == NOTHING

    # Invites: sent, then cancelled.
    invite = api(alice).post("/1/invites", data={"email": "new@example.com"}).get_json()
    assert sync() == changes(invites=[{"id": invite["id"], "email": "new@example.com",
                                       "sent": T}])
    api(alice).delete(f"/1/invites/{invite['id']}")
    assert sync() == changes(invites=[{"id": invite["id"]}])
    assert sync() == NOTHING

    # Block and unblock.
    api(alice).post("/1/blocks", data={"id": dave.id.hex})
    assert sync() == changes(blocks=[public(dave, title="Stranger", blocked=T)])
    api(alice).delete(f"/1/blocks/{dave.id.hex}")
    assert sync() == changes(blocks=[public(dave, title="Stranger")])
    assert sync() == NOTHING

    # Address-book cards: created, changed, unchanged, deleted.
    created = api(alice).post("/api/contacts/", json={
        "first_name": "Card", "last_name": "Holder", "email": "holder@example.com"}).get_json()
    assert sync() == changes(cards=[card(created["id"])])
    api(alice).patch(f"/api/contacts/{created['id']}", json={"phone": "+14155552671"})
    assert sync() == changes(cards=[card(created["id"], phone="+14155552671")])
    api(alice).patch(f"/api/contacts/{created['id']}", json={"phone": "+14155552671"})
    assert sync() == NOTHING
    api(alice).delete(f"/api/contacts/{created['id']}")
    assert sync() == changes(deleted=[created["id"]])
    assert sync() == NOTHING


def test_blocking_a_contact(api, alice, bob, connect, sync):
    connect(alice, bob)
    sync()
    api(bob).post("/1/blocks", data={"id": alice.id.hex})
    # Alice learns the contact is gone, not that she was blocked.
    assert sync() == changes(removed_contacts=[bob.id.hex])
    api(alice).post("/1/blocks", data={"id": bob.id.hex})
    assert sync() == changes(blocks=[public(bob, blocked=T)])


def test_the_protected_fields_follow_the_relationship(api, alice, bob, sync):
    sync()
    api(alice).post("/1/requests", data={"id": bob.id.hex})
    bob_sync = Syncer(api, bob)
    assert bob_sync() == changes(
        requests_received=[public(alice, request_received=T) | ALICE_PROTECTED])


def test_added_and_removed_within_one_window(api, alice, bob, connect, sync):
    sync()
    connect(alice, bob)
    api(alice).delete(f"/1/contacts/{bob.id.hex}")
    created = api(alice).post("/api/contacts/", json={
        "first_name": "Card", "last_name": "Holder", "email": "holder@example.com"}).get_json()
    api(alice).delete(f"/api/contacts/{created['id']}")
    # Only the outcome: bob is no contact, the card is gone.
    assert sync() == changes(removed_contacts=[bob.id.hex],
                             requests_sent=[public(bob)], deleted=[created["id"]])


def iso(moment):
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.mark.parametrize("form", ["iso", "epoch", "epoch_fraction", "json_number"])
def test_since_as_iso_or_epoch_seconds(api, alice, bob, form):
    before = datetime.now(UTC) - timedelta(seconds=2)
    api(bob).post("/1/requests", data={"id": alice.id.hex})
    after = datetime.now(UTC) + timedelta(seconds=2)

    def since(moment):
        return {"iso": iso(moment), "epoch": str(int(moment.timestamp())),
                "epoch_fraction": f"{moment.timestamp():.3f}",
                "json_number": int(moment.timestamp())}[form]

    response = api(alice).post("/1/sync", json={"since": since(before)})
    assert response.status_code == 200
    assert shape(response.get_json()) == changes(
        requests_received=[public(bob, request_received=T)])
    response = api(alice).post("/1/sync", json={"since": since(after)})
    assert shape(response.get_json()) == NOTHING


def test_synced_is_the_server_time_in_milliseconds(api, alice):
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    synced = api(alice).post("/1/sync").get_json()["synced"]
    after = datetime.now(UTC)
    assert before <= datetime.fromisoformat(synced) <= after
    assert synced.endswith("Z") and len(synced) == len("2025-04-16T12:28:54.744Z")


@pytest.mark.parametrize("raw", ["yesterday", "", "-1", "2025-13-01", "1e9", "12:00",
                                 "2025-01-01T25:00:00Z", "99999999999999",
                                 "0001-01-01T00:00+01:00", "999999999999.5", "\u0663",
                                 "\uff11\uff17\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10"])
def test_bad_since_is_invalid_date(api, alice, raw):
    response = api(alice).post("/1/sync", data={"since": raw})
    assert (response.status_code, response.get_json()) == (
        400, {"error": "invalid_date", "detail": raw})


@pytest.mark.parametrize("raw", [True, [], {"a": 1}, -5])
def test_bad_json_since_is_invalid_date(api, alice, raw):
    response = api(alice).post("/1/sync", json={"since": raw})
    assert (response.status_code, response.get_json()) == (
        400, {"error": "invalid_date", "detail": raw})


def test_null_since_is_everything(api, alice, bob, sync):
    api(bob).post("/1/requests", data={"id": alice.id.hex})
    response = api(alice).post("/1/sync", json={"since": None})
    assert shape(response.get_json()) == changes(
        requests_received=[public(bob, request_received=T)])


def test_basic_auth_and_credentials_required(client, alice):
    assert client.post("/1/sync", headers=basic("alice")).status_code == 200
    response = client.post("/1/sync")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


def test_a_deleted_account_is_a_removed_contact(app, api, alice, bob, connect, sync):
    from contacts_api.accounts.service import delete_account, find_by_email

    connect(alice, bob)
    sync()
    with app.app_context():
        delete_account(find_by_email("bob@example.com"))
    assert sync() == changes(removed_contacts=[bob.id.hex])
    assert sync() == NOTHING


def test_deleted_accounts_requests_and_blocks_go_as_bare_ids(app, api, alice, bob, carol,
                                                             make_user, sync):
    from contacts_api.accounts.service import delete_account, find_by_email

    dave = make_user("dave")
    api(bob).post("/1/requests", data={"id": alice.id.hex})
    api(alice).post("/1/requests", data={"id": carol.id.hex})
    api(alice).post("/1/blocks", data={"id": dave.id.hex})
    api(dave).post("/1/requests", data={"id": carol.id.hex})  # not alice's: not reported
    sync()
    with app.app_context():
        for name in ("bob", "carol", "dave"):
            delete_account(find_by_email(f"{name}@example.com"))
    assert sync() == changes(requests_received=[{"id": bob.id.hex}],
                             requests_sent=[{"id": carol.id.hex}],
                             blocks=[{"id": dave.id.hex}])
    assert sync() == NOTHING
