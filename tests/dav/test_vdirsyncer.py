"""A real CardDAV client: vdirsyncer, against the app under gunicorn.

It discovers the address book from the server's root URL, then syncs 200 cards each
way, edits and deletions on both sides and a conflict, and finally a sync that must
transfer nothing.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PASSWORD

from .conftest import Dav, Multistatus, card

VDIRSYNCER = Path(sys.executable).with_name("vdirsyncer")
#: Each vdirsyncer run; a run that hangs fails the test instead of the suite.
TIMEOUT = 300

pytestmark = pytest.mark.skipif(not VDIRSYNCER.exists(), reason="vdirsyncer is not installed")


class Vdirsyncer:
    def __init__(self, tmp_path: Path, server_url: str, user):
        self.local = tmp_path / "local"
        self.config = tmp_path / "config"
        self.config.write_text(f"""
[general]
status_path = "{tmp_path / 'status'}/"

[pair book]
a = "book_local"
b = "book_remote"
collections = ["from b"]
conflict_resolution = "a wins"

[storage book_local]
type = "filesystem"
path = "{self.local}/"
fileext = ".vcf"

[storage book_remote]
type = "carddav"
url = "{server_url}/"
username = "{user.username}"
password = "{PASSWORD}"
""")

    def run(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603 - a fixed, trusted command line
            [str(VDIRSYNCER), *args], env={**os.environ, "VDIRSYNCER_CONFIG": str(self.config)},
            capture_output=True, text=True, timeout=TIMEOUT, input="",
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        return output

    @property
    def book(self) -> Path:
        return self.local / "contacts"

    def files(self) -> dict[str, str]:
        return {path.name: path.read_text() for path in self.book.glob("*.vcf")}


def etags_of(dav: Dav) -> dict[str, str]:
    listing = Multistatus(dav.propfind(dav.book, depth="1"))
    return {href: listing.text(href, "{DAV:}getetag") for href in listing.hrefs[1:]}


def requests_in(log: Path, start: int, pattern: str) -> list[str]:
    return [line for line in log.read_text().splitlines()[start:] if re.search(pattern, line)]


def test_vdirsyncer_discovers_and_syncs_both_ways(server, client, user, bearer, tmp_path):
    api = bearer(user)
    for n in range(200):
        made = client.post("/api/contacts/", headers=api, json={
            "first_name": "Server", "last_name": f"Card{n:03d}",
            "email": f"server{n}@example.com"})
        assert made.status_code == 201
    sync = Vdirsyncer(tmp_path, server.url, user)
    sync.book.mkdir(parents=True)  # so that discovery has nothing to ask about
    for n in range(200):
        (sync.book / f"local-{n:03d}.vcf").write_text(
            card(uid=f"local-{n:03d}", fn=f"Local Card{n:03d}", email=f"local{n}@example.com"))

    discovered = sync.run("discover", "book")
    assert "contacts" in discovered
    log_start = len(server.log.read_text().splitlines())
    started = time.monotonic()
    sync.run("sync")
    first_sync = time.monotonic() - started
    # The access log shows the transfers (so that its silence below means something).
    assert len(requests_in(server.log, log_start, r'"PUT /dav/\S+ HTTP/1.1" 201')) == 200
    assert requests_in(server.log, log_start, r'"(GET|REPORT) /dav/')

    dav = Dav(client, user)
    listing = Multistatus(dav.propfind(dav.book, depth="1"))
    assert len(listing.hrefs) == 1 + 400
    files = sync.files()
    assert len(files) == 400
    assert sum("Server Card" in text or "FN:Server" in text for text in files.values()) == 200
    listed = client.get("/api/contacts/?limit=500", headers=api).get_json()
    assert len(listed) == 400
    by_name = {c["last_name"]: c for c in listed}
    assert by_name["Card007"]["email"] in ("local7@example.com", "server7@example.com")

    # Edits and a deletion on each side, and one card edited on both (a conflict).
    local_edit = sync.book / "local-001.vcf"
    local_edit.write_text(card(uid="local-001", fn="Local Edited", email="local1@example.com"))
    (sync.book / "local-002.vcf").unlink()
    server_side = {c["email"]: c for c in listed}
    edited = server_side["server5@example.com"]
    assert client.patch(f"/api/contacts/{edited['id']}", headers=api,
                        json={"first_name": "Remote", "last_name": "Edited"}).status_code == 200
    gone = server_side["server6@example.com"]
    assert client.delete(f"/api/contacts/{gone['id']}", headers=api).status_code == 200
    conflict = server_side["local3@example.com"]
    client.patch(f"/api/contacts/{conflict['id']}", headers=api, json={"last_name": "Remote"})
    (sync.book / "local-003.vcf").write_text(
        card(uid="local-003", fn="Local Wins", email="local3@example.com"))

    sync.run("sync")
    emails = {c["email"]: c for c in client.get("/api/contacts/?limit=500",
                                                headers=api).get_json()}
    assert len(emails) == 398
    assert (emails["local1@example.com"]["first_name"],
            emails["local1@example.com"]["last_name"]) == ("Local", "Edited")
    assert "local2@example.com" not in emails and "server6@example.com" not in emails
    assert emails["local3@example.com"]["last_name"] == "Wins"  # "a wins"
    files = sync.files()
    assert len(files) == 398
    assert sum("FN:Remote Edited" in text for text in files.values()) == 1
    assert not any("server6@example.com" in text for text in files.values())

    # Nothing changed since: the last sync transfers nothing.
    etags = etags_of(dav)
    before = {path.name: path.stat().st_mtime_ns for path in sync.book.glob("*.vcf")}
    log_start = len(server.log.read_text().splitlines())
    output = sync.run("sync")
    assert "Copying" not in output and "Deleting" not in output, output
    assert requests_in(server.log, log_start, r'"(PUT|DELETE|GET) /dav/') == []
    assert requests_in(server.log, log_start, r'"REPORT /dav/') == []
    assert etags_of(dav) == etags
    assert {p.name: p.stat().st_mtime_ns for p in sync.book.glob("*.vcf")} == before
    assert len(etags) == 398
    assert first_sync < 120
