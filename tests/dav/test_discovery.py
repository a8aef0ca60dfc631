"""Discovery: /.well-known/carddav, the principal, the home and the one address book."""

import pytest

from conftest import basic

from .conftest import NS, Multistatus

D, C, CS = (f"{{{NS[p]}}}" for p in ("D", "C", "CS"))
PRINCIPAL_PROPS = (
    '<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop>'
    "<D:current-user-principal/><D:principal-URL/><C:addressbook-home-set/><D:resourcetype/>"
    "</D:prop></D:propfind>"
)


@pytest.mark.parametrize("method", ["GET", "PROPFIND", "OPTIONS"])
def test_well_known_redirects_to_the_root(client, method):
    response = client.open("/.well-known/carddav", method=method)
    assert response.status_code == 301
    assert response.headers["Location"] == "/dav/"


def test_options_names_the_dav_classes_and_methods(client):
    response = client.options("/dav/")
    assert response.status_code == 200
    assert response.headers["DAV"] == "1, 3, addressbook"
    assert response.headers["Allow"] == (
        "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT")
    assert response.data == b""


def test_discovery_from_the_root_reaches_the_address_book(dav):
    root = Multistatus(dav.propfind("/dav/", PRINCIPAL_PROPS))
    assert root.hrefs == ["/dav/"]
    assert root.href_of("/dav/", f"{D}current-user-principal") == dav.principal

    principal = Multistatus(dav.propfind(dav.principal, PRINCIPAL_PROPS))
    assert principal.href_of(dav.principal, f"{C}addressbook-home-set") == dav.home
    assert principal.href_of(dav.principal, f"{D}principal-URL") == dav.principal
    kinds = [child.tag for child in principal.props[dav.principal][f"{D}resourcetype"]]
    assert kinds == [f"{D}collection", f"{D}principal"]

    home = Multistatus(dav.propfind(dav.home, PRINCIPAL_PROPS, depth="1"))
    assert home.hrefs == [dav.home, dav.book]
    kinds = [child.tag for child in home.props[dav.book][f"{D}resourcetype"]]
    assert kinds == [f"{D}collection", f"{C}addressbook"]


def test_book_properties(dav):
    body = ('<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav" '
            'xmlns:CS="http://calendarserver.org/ns/"><D:prop>'
            "<D:displayname/><CS:getctag/><D:sync-token/><D:supported-report-set/>"
            "<C:supported-address-data/><D:current-user-privilege-set/><C:max-resource-size/>"
            "<D:quota-used-bytes/><C:me-card xmlns:C='http://calendarserver.org/ns/'/>"
            "</D:prop></D:propfind>")
    status = Multistatus(dav.propfind(dav.book, body))
    props = status.props[dav.book]
    assert props[f"{D}displayname"].text == "Contacts"
    assert props[f"{CS}getctag"].text == props[f"{D}sync-token"].text
    assert props[f"{D}sync-token"].text.startswith("urn:x-contacts-api:sync:")
    reports = [r[0][0].tag for r in props[f"{D}supported-report-set"]]
    assert reports == [f"{C}addressbook-multiget", f"{C}addressbook-query",
                       f"{D}sync-collection"]
    versions = [t.get("version") for t in props[f"{C}supported-address-data"]]
    assert versions == ["3.0", "4.0"]
    privileges = {p[0].tag for p in props[f"{D}current-user-privilege-set"]}
    assert {f"{D}read", f"{D}write-content", f"{D}bind", f"{D}unbind"} <= privileges
    assert props[f"{C}max-resource-size"].text == str(1024 * 1024)
    assert set(status.missing[dav.book]) == {f"{D}quota-used-bytes", f"{CS}me-card"}


def test_allprop_and_propname(dav):
    allprop = Multistatus(dav.propfind(dav.book, None))
    assert f"{CS}getctag" in allprop.props[dav.book]
    assert dav.book not in allprop.missing
    body = '<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>'
    names = Multistatus(dav.propfind(dav.book, body))
    assert all(len(element) == 0 and element.text is None
               for element in names.props[dav.book].values())
    assert f"{D}sync-token" in names.props[dav.book]


def test_an_empty_prop_is_answered_an_empty_200_propstat(dav):
    body = '<D:propfind xmlns:D="DAV:"><D:prop/></D:propfind>'
    answer = Multistatus(dav.propfind(dav.book, body))
    [propstat] = answer.root.findall("D:response/D:propstat", NS)
    assert propstat.findtext("D:status", namespaces=NS) == "HTTP/1.1 200 OK"
    assert len(propstat.find("D:prop", NS)) == 0
    assert answer.props == {dav.book: {}} and answer.missing == {}


def test_login_by_email_and_bearer_work_too(client, user, bearer):
    for headers in (basic(user.email), bearer(user)):
        response = client.open("/dav/", method="PROPFIND", headers={**headers, "Depth": "0"})
        assert response.status_code == 207


@pytest.mark.parametrize("headers", [{}, basic("alice", "wrong password"),
                                     basic("nobody"), {"Authorization": "Basic !!!"}])
def test_missing_or_wrong_credentials_are_401_with_a_basic_challenge(client, user, headers):
    response = client.open("/dav/", method="PROPFIND", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="contacts"'
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_unverified_user_is_refused(client, make_user):
    make_user("bob", verified=False)
    response = client.open("/dav/", method="PROPFIND", headers=basic("bob"))
    assert response.status_code == 401
