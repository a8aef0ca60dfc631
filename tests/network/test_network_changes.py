"""Every state change appends to the change log (read by sync) in its own transaction."""

import sqlalchemy as sa

from contacts_api.database import db
from contacts_api.network.models import NetworkChange


def log(app, names):
    with app.app_context():
        changes = db.session.scalars(sa.select(NetworkChange).order_by(NetworkChange.id))
        return [(names[c.user_id], c.kind, names.get(c.other_id, "invite")) for c in changes]


def test_each_change_is_recorded_for_each_user_whose_view_changed(app, api, alice, bob):
    names = {alice.id: "alice", bob.id: "bob"}
    api(alice).post("/1/requests", data={"id": bob.id.hex})
    api(bob).post("/1/contacts", data={"id": alice.id.hex})
    api(bob).put("/1/you", data={"title": "Chief"})
    api(bob).put("/1/you", data={"title": "Chief"})  # no change, nothing recorded
    api(alice).delete(f"/1/contacts/{bob.id.hex}")
    api(bob).post("/1/requests", data={"id": alice.id.hex})
    api(alice).post("/1/blocks", data={"id": bob.id.hex})
    api(alice).delete(f"/1/blocks/{bob.id.hex}")
    invite = api(alice).post("/1/invites", data={"email": "x@example.com"}).get_json()
    api(alice).delete(f"/1/invites/{invite['id']}")
    api(alice).post("/1/contacts", data={"id": bob.id.hex})  # refused: nothing recorded
    assert log(app, names) == [
        ("alice", "request_sent", "bob"),
        ("bob", "request_received", "alice"),
        ("bob", "request_received_removed", "alice"),
        ("alice", "request_sent_removed", "bob"),
        ("bob", "contact_added", "alice"),
        ("alice", "contact_added", "bob"),
        ("bob", "profile_updated", "bob"),
        ("alice", "contact_removed", "bob"),
        ("bob", "contact_removed", "alice"),
        ("bob", "request_sent", "alice"),
        ("alice", "request_received", "bob"),
        ("bob", "request_sent_removed", "alice"),
        ("alice", "request_received_removed", "bob"),
        ("alice", "block_added", "bob"),
        ("alice", "block_removed", "bob"),
        ("alice", "invite_sent", "invite"),
        ("alice", "invite_removed", "invite"),
    ]
