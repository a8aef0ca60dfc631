"""CardDAV test helpers: raw WebDAV requests with a user's Basic credentials."""

from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from conftest import basic

REQUESTS = Path(__file__).parent / "requests"
NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:carddav", "CS": "http://calendarserver.org/ns/"}


def body_of(name: str) -> str:
    """A recorded client request body from `requests/`."""
    return (REQUESTS / name).read_text()


def card(uid: str = "card-1", fn: str = "Ada Lovelace", email: str | None = "ada@example.com",
         version: str = "3.0", extra: str = "") -> str:
    lines = ["BEGIN:VCARD", f"VERSION:{version}", f"UID:{uid}", f"FN:{fn}"]
    given, _, family = fn.rpartition(" ")
    lines.append(f"N:{family};{given};;;")
    if email:
        lines.append(f"EMAIL;TYPE=INTERNET:{email}")
    lines += [line for line in extra.split("\n") if line]
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


class Multistatus:
    """A parsed 207 body: `props[href]` → {clark name: element} of its 200 propstat."""

    def __init__(self, response):
        assert response.status_code == 207, response.get_data(as_text=True)
        assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
        self.root = fromstring(response.data)
        self.props, self.missing, self.statuses = {}, {}, {}
        for node in self.root.findall("D:response", NS):
            href = node.findtext("D:href", namespaces=NS)
            self.statuses[href] = node.findtext("D:status", namespaces=NS)
            for propstat in node.findall("D:propstat", NS):
                status = propstat.findtext("D:status", namespaces=NS)
                target = self.props if " 200 " in status else self.missing
                target.setdefault(href, {}).update(
                    {prop.tag: prop for prop in propstat.find("D:prop", NS)})
        self.sync_token = self.root.findtext("D:sync-token", namespaces=NS)

    @property
    def hrefs(self) -> list[str]:
        return [node.findtext("D:href", namespaces=NS)
                for node in self.root.findall("D:response", NS)]

    def text(self, href: str, name: str) -> str | None:
        return self.props[href][name].text

    def href_of(self, href: str, name: str) -> str:
        return self.props[href][name].findtext("D:href", namespaces=NS)


class Dav:
    """Requests to `/dav/` as one user."""

    def __init__(self, client, user, login=None):
        self.client, self.user = client, user
        self.headers = basic(login or user.username)
        self.book = f"/dav/addressbooks/{user.id.hex}/contacts/"
        self.home = f"/dav/addressbooks/{user.id.hex}/"
        self.principal = f"/dav/principals/{user.id.hex}/"

    def request(self, method, path, body=None, headers=None, **kwargs):
        merged = {**self.headers, **(headers or {})}
        if isinstance(body, str) and "Content-Type" not in merged and method != "PUT":
            merged["Content-Type"] = "application/xml; charset=utf-8"
        return self.client.open(path, method=method, data=body, headers=merged, **kwargs)

    def propfind(self, path, body=None, depth="0"):
        return self.request("PROPFIND", path, body, {"Depth": depth})

    def report(self, body, path=None):
        return self.request("REPORT", path or self.book, body, {"Depth": "1"})

    def put(self, name, text, headers=None):
        return self.request("PUT", self.book + name, text.encode(),
                            {"Content-Type": "text/vcard; charset=utf-8", **(headers or {})})

    def get(self, name, headers=None):
        return self.request("GET", self.book + name, headers=headers)

    def delete(self, name, headers=None):
        return self.request("DELETE", self.book + name, headers=headers)

    def sync(self, token="", props="<D:getetag/>"):
        body = (f'<D:sync-collection xmlns:D="DAV:" xmlns:C="{NS["C"]}">'
                f"<D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>"
                f"<D:prop>{props}</D:prop></D:sync-collection>")
        return Multistatus(self.report(body))

    def ctag(self):
        body = ('<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">'
                "<D:prop><CS:getctag/><D:sync-token/></D:prop></D:propfind>")
        status = Multistatus(self.propfind(self.book, body))
        return (status.text(self.book, "{http://calendarserver.org/ns/}getctag"),
                status.text(self.book, "{DAV:}sync-token"))


@pytest.fixture
def dav(client, user):
    return Dav(client, user)
