"""Hostile and malformed request bodies: each a clear DAV error, nothing expanded,
fetched or written."""

import pytest

from .conftest import Multistatus

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&lol9;</D:displayname></D:prop></D:propfind>
"""


def xxe(path) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file://{path}">]>
<D:sync-collection xmlns:D="DAV:"><D:sync-token>&secret;</D:sync-token>
<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"""


@pytest.mark.parametrize("body", [
    "<D:propfind xmlns:D='DAV:'><D:prop>",
    "not xml at all",
    "<propfind xmlns='DAV:'><prop><x:y/></prop></propfind>",
    BILLION_LAUGHS,
    '<!DOCTYPE x [<!ELEMENT x ANY>]><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>',
])
@pytest.mark.parametrize("method", ["PROPFIND", "REPORT", "PROPPATCH"])
def test_malformed_or_dtd_bodies_are_400(dav, body, method):
    response = dav.request(method, dav.book, body, {"Depth": "0"})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert b"lol" not in response.data


def test_an_external_entity_is_never_fetched(dav, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    response = dav.report(xxe(secret))
    assert response.status_code == 400
    assert b"TOP-SECRET" not in response.data


def test_a_body_over_the_xml_limit_is_413(dav):
    hrefs = "<D:href>/x.vcf</D:href>" * 60000
    body = f'<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">' \
           f"<D:prop><D:getetag/></D:prop>{hrefs}</C:addressbook-multiget>"
    response = dav.report(body)
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(("depth", "status"), [("infinity", 403), ("2", 400), ("0", 207),
                                                ("1", 207)])
def test_depth(dav, depth, status):
    response = dav.propfind(dav.book, None, depth=depth)
    assert response.status_code == status
    if depth == "infinity":
        assert b"<D:propfind-finite-depth" in response.data


def test_propfind_without_depth_is_depth_1(dav):
    response = dav.request("PROPFIND", dav.home)
    assert Multistatus(response).hrefs == [dav.home, dav.book]


@pytest.mark.parametrize("body", [
    '<D:propfind xmlns:D="DAV:"/>',
    '<D:propertyupdate xmlns:D="DAV:"/>',
    '<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>9</D:sync-level>'
    "</D:sync-collection>",
])
def test_wrong_documents_are_400(dav, body):
    method = "PROPFIND" if "propfind" in body else "REPORT"
    response = dav.request(method, dav.book, body, {"Depth": "0"})
    assert response.status_code in (400, 403)
