"""A Python client generated from `/openapi.json` by openapi-python-client drives a round
trip against a live gunicorn: the document is exact enough for a typed client to work.

Register two users, verify them through the outbox, log in; create, list, filter,
update and delete cards; read `/1/you`; a contact request and its acceptance; invite
and cancel; sync, first in full and then since the last `synced`.
"""

import importlib
import re
import shutil
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest
import requests

GENERATOR = Path(sys.executable).with_name("openapi-python-client")

pytestmark = pytest.mark.skipif(
    not GENERATOR.exists(), reason="openapi-python-client is not installed "
    "(requirements-dev.txt installs it)"
)

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def generated(server, tmp_path_factory):
    """The generated package, imported; its modules are looked up by dotted name."""
    folder = tmp_path_factory.mktemp("client")
    document = folder / "openapi.json"
    document.write_bytes(requests.get(f"{server.url}/openapi.json", timeout=30).content)
    result = subprocess.run(  # noqa: S603 - a fixed, trusted command line
        [str(GENERATOR), "generate", "--path", str(document),
         "--output-path", str(folder / "contacts_client"), "--meta", "none"],
        capture_output=True, text=True, timeout=120,
        env={"PATH": f"{GENERATOR.parent}:/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(folder))
    try:
        yield lambda name: importlib.import_module(f"contacts_client.{name}")
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.split(".")[0] == "contacts_client"]:
            del sys.modules[name]
        shutil.rmtree(folder, ignore_errors=True)


def verification_token(server, to: str) -> str:
    """The token of the confirmation link mailed to `to` (mail leaves after the answer)."""
    folder = server.log.parent / "outbox"
    for _ in range(100):
        for path in folder.glob("*.eml"):
            text = path.read_text()
            if f"To: {to}" in text:
                return re.search(r"/api/auth/confirmed_email/([^\s/]+)", text).group(1)
        time.sleep(0.1)
    raise AssertionError(f"no verification email to {to}")


def test_round_trip(server, generated, app):
    client_module = generated("client")
    models = generated("models")
    api = generated("api")
    anonymous = client_module.Client(base_url=server.url, raise_on_unexpected_status=True)

    def account(username):
        """Register, verify through the outbox, log in: an authenticated client and the id."""
        email = f"{username}@example.com"
        register = importlib.import_module(f"{api.__name__}.auth.post_api_auth_register")
        created = register.sync_detailed(client=anonymous, body=models.Register(
            username=username, email=email, password=PASSWORD, first_name=username.title(),
            last_name="Tester"))
        assert created.status_code == 201
        assert isinstance(created.parsed.created_at, datetime)
        assert created.parsed.role == models.UserRole.USER
        assert created.parsed.is_verified is False
        confirm = importlib.import_module(
            f"{api.__name__}.auth.get_api_auth_confirmed_email_token")
        confirmed = confirm.sync(token=verification_token(server, email), client=anonymous)
        assert confirmed.message == "Email verified successfully"
        login = importlib.import_module(f"{api.__name__}.auth.post_api_auth_login")
        pair = login.sync(client=anonymous, body=models.Login(username=username,
                                                             password=PASSWORD))
        assert pair.token_type == "bearer"
        authenticated = client_module.AuthenticatedClient(
            base_url=server.url, token=pair.access_token, raise_on_unexpected_status=True)
        return authenticated, created.parsed.id

    def call(module, **kwargs):
        return importlib.import_module(f"{api.__name__}.{module}").sync(**kwargs)

    ada, ada_id = account("adaclient")
    bob, bob_id = account("bobclient")
    first = call("network_sync.post_1_sync", client=ada, body=models.SyncArguments())
    assert isinstance(first.synced, datetime)

    # Cards: create, list, filter, update, delete.
    card = call("contacts.post_api_contacts", client=ada, body=models.Contact(
        first_name="Grace", last_name="Hopper", email="grace@example.com",
        phone="+14155552671", birthday=date(1906, 12, 9),
        additional_data=models.ContactAdditionalDataType0.from_dict({"rank": "admiral"})))
    assert re.fullmatch(r"[0-9a-f]{32}", card.id)
    assert card.birthday == date(1906, 12, 9)
    assert isinstance(card.created_at, datetime) and card.created_at.tzinfo is not None
    assert card.additional_data.to_dict() == {"rank": "admiral"}
    call("contacts.post_api_contacts", client=ada, body=models.Contact(
        first_name="Alan", last_name="Turing", email="alan@example.com"))
    listed = call("contacts.get_api_contacts", client=ada)
    assert [c.last_name for c in listed] == ["Hopper", "Turing"]
    found = call("contacts.get_api_contacts", client=ada, query="last_name:eq:Turing")
    assert [c.first_name for c in found] == ["Alan"]
    patched = call("contacts.patch_api_contacts_contact_id", contact_id=card.id, client=ada,
                   body=models.ContactPatch(phone="+442079460000"))
    assert patched.phone == "+442079460000"
    assert patched.updated_at >= card.updated_at
    deleted = call("contacts.delete_api_contacts_contact_id", contact_id=card.id, client=ada)
    assert deleted.id == card.id
    assert [c.last_name for c in call("contacts.get_api_contacts", client=ada)] == ["Turing"]

    # The network: own profile, a request and its acceptance, an invite and its removal.
    you = call("network_you.get_1_you", client=ada)
    assert (you.id, you.you, you.first_name) == (ada_id, True, "Adaclient")
    assert isinstance(you.updated, datetime)
    recipient = call("network_requests.post_1_requests", client=ada,
                     body=models.UserId(id=bob_id))
    assert recipient.id == bob_id and isinstance(recipient.request_sent, datetime)
    accepted = call("network_contacts.post_1_contacts", client=bob,
                    body=models.UserId(id=ada_id))
    assert accepted.id == ada_id and isinstance(accepted.contact_added, datetime)
    contacts = call("network_contacts.get_1_contacts", client=ada)
    assert [c.id for c in contacts] == [bob_id]
    invite = call("network_invites.post_1_invites", client=ada,
                  body=models.InviteEmail(email="carol@example.com"))
    assert isinstance(invite.sent, datetime)
    call("network_invites.delete_1_invites_invite_id", invite_id=invite.id, client=ada)

    changes = call("network_sync.post_1_sync", client=ada,
                   body=models.SyncArguments(since=first.synced))
    assert changes.synced >= first.synced
    assert [c.id for c in changes.contacts] == [bob_id]
    assert isinstance(changes.contacts[0].contact_added, datetime)
    # The withdrawn invite is a tombstone: its id alone, parsed as `Removed`.
    assert [(type(i).__name__, i.id) for i in changes.invites] == [("Removed", invite.id)]
    assert [c.id for c in changes.requests_sent] == [bob_id]
    assert [c.last_name for c in changes.address_book.contacts] == ["Turing"]
    assert changes.address_book.deleted == [card.id]
