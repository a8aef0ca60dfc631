"""REPORT: addressbook-multiget, addressbook-query and sync-collection (RFC 6578)."""

import uuid

import pytest
import sqlalchemy as sa

from conftest import basic
from contacts_api.addressbook.models import Contact
from contacts_api.database import db

from .conftest import NS, Dav, Multistatus, card

D, C = "{DAV:}", f"{{{NS['C']}}}"
MULTIGET = ('<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
            "<D:prop><D:getetag/>{data}</D:prop>{hrefs}</C:addressbook-multiget>")


def query(filters: str, test: str = "anyof") -> str:
    return ('<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
            f'<D:prop><D:getetag/></D:prop><C:filter test="{test}">{filters}</C:filter>'
            "</C:addressbook-query>")


@pytest.fixture
def three(dav):
    dav.put("ada.vcf", card(uid="1", fn="Ada Lovelace", email="ada@example.com",
                            extra="TEL:+44 20 7946 0000"))
    dav.put("grace.vcf", card(uid="2", fn="Grace Hopper", email="grace@navy.example"))
    dav.put("alan.vcf", card(uid="3", fn="Alan Turing", email=None, version="4.0"))
    return dav


def test_multiget_returns_the_cards_asked_for_and_404_for_the_rest(three):
    dav = three
    hrefs = "".join(f"<D:href>{dav.book}{name}</D:href>"
                    for name in ("ada.vcf", "missing.vcf", "alan.vcf"))
    hrefs += "<D:href>/dav/addressbooks/00000000000000000000000000000000/contacts/x.vcf</D:href>"
    status = Multistatus(dav.report(MULTIGET.format(data="<C:address-data/>", hrefs=hrefs)))
    ada, alan = dav.book + "ada.vcf", dav.book + "alan.vcf"
    assert status.hrefs == [ada, dav.book + "missing.vcf", alan,
                            "/dav/addressbooks/00000000000000000000000000000000/contacts/x.vcf"]
    assert "FN:Ada Lovelace" in status.text(ada, f"{C}address-data")
    assert status.text(ada, f"{D}getetag") == dav.get("ada.vcf").headers["ETag"]
    assert "VERSION:4.0" in status.text(alan, f"{C}address-data")
    assert status.statuses[dav.book + "missing.vcf"] == "HTTP/1.1 404 Not Found"


def test_multiget_may_ask_for_the_other_vcard_version(three):
    dav = three
    data = '<C:address-data content-type="text/vcard" version="4.0"/>'
    hrefs = f"<D:href>{dav.book}ada.vcf</D:href>"
    status = Multistatus(dav.report(MULTIGET.format(data=data, hrefs=hrefs)))
    assert "VERSION:4.0" in status.text(dav.book + "ada.vcf", f"{C}address-data")
    bad = '<C:address-data content-type="text/vcard" version="2.1"/>'
    response = dav.report(MULTIGET.format(data=bad, hrefs=hrefs))
    assert response.status_code == 403
    assert b"supported-address-data" in response.data


@pytest.mark.parametrize(("filters", "test", "names"), [
    ('<C:prop-filter name="FN"><C:text-match>lovelace</C:text-match></C:prop-filter>',
     "anyof", ["ada.vcf"]),
    ('<C:prop-filter name="FN"><C:text-match match-type="starts-with">A</C:text-match>'
     "</C:prop-filter>", "anyof", ["ada.vcf", "alan.vcf"]),
    ('<C:prop-filter name="EMAIL"><C:text-match match-type="ends-with">navy.example'
     "</C:text-match></C:prop-filter>", "anyof", ["grace.vcf"]),
    ('<C:prop-filter name="EMAIL"><C:is-not-defined/></C:prop-filter>', "anyof", ["alan.vcf"]),
    ('<C:prop-filter name="FN"><C:text-match negate-condition="yes">a</C:text-match>'
     "</C:prop-filter>", "anyof", []),
    ('<C:prop-filter name="FN"><C:text-match>ada</C:text-match></C:prop-filter>'
     '<C:prop-filter name="EMAIL"><C:text-match>grace</C:text-match></C:prop-filter>',
     "anyof", ["ada.vcf", "grace.vcf"]),
    ('<C:prop-filter name="FN"><C:text-match>a</C:text-match></C:prop-filter>'
     '<C:prop-filter name="EMAIL"><C:text-match>grace</C:text-match></C:prop-filter>',
     "allof", ["grace.vcf"]),
    ('<C:prop-filter name="FN"><C:text-match>50%_</C:text-match></C:prop-filter>',
     "anyof", []),
])
def test_addressbook_query_filters(three, filters, test, names):
    status = Multistatus(three.report(query(filters, test)))
    assert sorted(status.hrefs) == sorted(three.book + name for name in names)


def test_addressbook_query_on_tel_and_unsupported_filters(three):
    tel = '<C:prop-filter name="TEL"><C:text-match>7946</C:text-match></C:prop-filter>'
    assert Multistatus(three.report(query(tel))).hrefs == [three.book + "ada.vcf"]
    unsupported = '<C:prop-filter name="PHOTO"><C:text-match>x</C:text-match></C:prop-filter>'
    response = three.report(query(unsupported))
    assert response.status_code == 403
    assert b"supported-filter" in response.data


def test_initial_sync_then_incremental_changes_and_deletions(three, client, user, bearer):
    dav = three
    first = dav.sync()
    assert sorted(first.hrefs) == sorted(dav.book + n for n in
                                         ("ada.vcf", "grace.vcf", "alan.vcf"))
    assert first.sync_token == dav.ctag()[1]

    assert dav.sync(first.sync_token).hrefs == []  # nothing changed: nothing to transfer
    assert dav.sync(first.sync_token).sync_token == first.sync_token

    dav.put("ada.vcf", card(uid="1", fn="Ada King"))
    dav.delete("grace.vcf")
    made = client.post("/api/contacts/", headers=bearer(user), json={
        "first_name": "Edsger", "last_name": "Dijkstra", "email": "ewd@example.com"}).get_json()
    client.delete(f"/api/contacts/{made['id']}", headers=bearer(user))
    later = dav.sync(first.sync_token, props="<D:getetag/><C:address-data/>")
    ada = dav.book + "ada.vcf"
    assert later.hrefs == [ada, dav.book + "grace.vcf", dav.book + made["id"].replace("-", "")
                           + ".vcf"]
    assert "FN:Ada King" in later.text(ada, f"{C}address-data")
    assert later.statuses[dav.book + "grace.vcf"] == "HTTP/1.1 404 Not Found"
    assert later.sync_token != first.sync_token
    assert dav.sync(later.sync_token).hrefs == []


def test_a_recreated_name_is_reported_once_as_present(dav):
    token = dav.sync().sync_token
    dav.put("a.vcf", card(uid="a"))
    dav.delete("a.vcf")
    dav.put("a.vcf", card(uid="a2", email="a2@example.com"))
    later = dav.sync(token)
    assert later.hrefs == [dav.book + "a.vcf"]
    assert later.statuses[dav.book + "a.vcf"] is None  # a propstat, not a 404


@pytest.mark.parametrize("token", [
    "urn:x-contacts-api:sync:{me}:1:0000000000",
    "urn:x-contacts-api:sync:{me}:999999999999999999:ffffffffffffffffffff",
    "urn:x-contacts-api:sync:{me}:1:é",
    "urn:x-contacts-api:sync:{me}:²:0000000000",
    "urn:x-contacts-api:sync:{me}:" + "9" * 5000 + ":0000000000",
    "http://example.com/sync/1",
    "nonsense",
])
def test_a_made_up_sync_token_is_403_valid_sync_token(dav, token):
    body = ('<D:sync-collection xmlns:D="DAV:"><D:sync-token>'
            + token.format(me=dav.user.id.hex)
            + "</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop>"
            "</D:sync-collection>")
    response = dav.report(body)
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert b"<D:valid-sync-token" in response.data


def test_another_users_sync_token_is_403(dav, client, make_user):
    bob = Dav(client, make_user("bob"))
    bob.put("b.vcf", card(uid="b"))
    token = bob.sync().sync_token
    body = ('<D:sync-collection xmlns:D="DAV:"><D:sync-token>' + token
            + "</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop>"
            "</D:sync-collection>")
    response = dav.report(body)
    assert response.status_code == 403
    assert b"valid-sync-token" in response.data


def test_unknown_reports_and_reports_elsewhere_are_403(dav):
    response = dav.report('<D:expand-property xmlns:D="DAV:"/>')
    assert response.status_code == 403
    assert b"supported-report" in response.data
    response = dav.report(MULTIGET.format(data="", hrefs=""), path=dav.home)
    assert response.status_code == 403


def test_proppatch_is_refused_property_by_property(dav):
    body = ('<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>New</D:displayname>'
            "</D:prop></D:set></D:propertyupdate>")
    response = dav.request("PROPPATCH", dav.book, body)
    assert response.status_code == 207
    assert b"<D:displayname />" in response.data and b"403 Forbidden" in response.data
    assert Multistatus(dav.propfind(dav.book, None)).text(dav.book, f"{D}displayname") == \
        "Contacts"


def test_proppatch_of_a_missing_card_is_404(dav):
    body = ('<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>New</D:displayname>'
            "</D:prop></D:set></D:propertyupdate>")
    response = dav.request("PROPPATCH", dav.book + "missing.vcf", body)
    assert response.status_code == 404
    assert dav.put("there.vcf", card()).status_code == 201
    assert dav.request("PROPPATCH", dav.book + "there.vcf", body).status_code == 207


def test_basic_failures_count_toward_the_unauthenticated_budget(app, client, user):
    app.config["RATELIMIT_UNAUTHENTICATED"] = "3 per minute"
    for _ in range(3):
        assert client.open("/dav/", method="PROPFIND", headers=basic("alice", "no")
                           ).status_code == 401
    limited = client.open("/dav/", method="PROPFIND", headers=basic("alice", "no"))
    assert limited.status_code == 429
    assert limited.headers["Content-Type"] == "text/plain; charset=utf-8"
    for _ in range(5):  # valid credentials are never limited
        assert client.open("/dav/", method="PROPFIND", headers=basic("alice")
                           ).status_code == 207


def test_a_multiget_of_thousands_of_hrefs(three):
    dav = three
    names = ["ada.vcf", *(f"{n:032x}.vcf" for n in range(3000)),
             *(f"n{n}.vcf" for n in range(3000))]
    hrefs = "".join(f"<D:href>{dav.book}{name}</D:href>" for name in names)
    status = Multistatus(dav.report(MULTIGET.format(data="", hrefs=hrefs)))
    assert len(status.hrefs) == len(names)
    assert list(status.props) == [dav.book + "ada.vcf"]


def sync_limited(nresults: str) -> str:
    return ('<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level>'
            f"<D:limit><D:nresults>{nresults}</D:nresults></D:limit>"
            "<D:prop><D:getetag/></D:prop></D:sync-collection>")


def query_limited(nresults: str) -> str:
    return ('<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
            "<D:prop><D:getetag/></D:prop>"
            f"<C:limit><C:nresults>{nresults}</C:nresults></C:limit></C:addressbook-query>")


@pytest.mark.parametrize("body", [sync_limited, query_limited])
@pytest.mark.parametrize("nresults", ["²", "0", "000", "-1", "1.5", "", " ", "one"])
def test_nresults_that_is_not_a_positive_number_is_400(three, body, nresults):
    assert three.report(body(nresults)).status_code == 400


@pytest.mark.parametrize("body", [sync_limited, query_limited])
@pytest.mark.parametrize("nresults", ["9223372036854775806", "9223372036854775807",
                                      "99999999999999999999999", "9" * 5000])
def test_nresults_beyond_any_book_is_no_limit(three, body, nresults):
    status = Multistatus(three.report(body(nresults)))
    assert sorted(status.hrefs) == sorted(three.book + name
                                          for name in ("ada.vcf", "grace.vcf", "alan.vcf"))


@pytest.fixture
def values(app, dav, client, auth_headers):
    """Cards whose EMAIL and TEL values are kept in columns and in `additional_data`; two of
    them with shapes the JSON API refuses now (one string, an object, a number), as cards
    stored before it did still hold them."""
    dav.put("many.vcf", card(uid="1", fn="Ada Lovelace", email="ada@example.com",
                             extra="EMAIL:ada@work.example\nTEL:+44 20 7946 0000\n"
                                   "TEL:+1 415 555 2671"))
    dav.put("org.vcf", card(uid="2", fn="Grace Hopper", email=None,
                            extra="ORG:Example Company\nNOTE:tel and email@company"))
    for name, extra in (("Single", {"emails": "single@example.com", "phones": ["x", 7]}),
                        ("Object", {"emails": {"work": "object@example.com"}})):
        made = client.post("/api/contacts/", headers=auth_headers, json={
            "first_name": name, "last_name": "Card", "email": f"{name}@example.org"})
        with app.app_context():
            db.session.execute(sa.update(Contact).where(Contact.id == uuid.UUID(
                made.get_json()["id"])).values(additional_data=extra))
            db.session.commit()
    return dav


@pytest.mark.parametrize(("filters", "test", "names"), [
    ('<C:prop-filter name="EMAIL"><C:text-match>company</C:text-match></C:prop-filter>',
     "anyof", []),
    ('<C:prop-filter name="TEL"><C:text-match>company</C:text-match></C:prop-filter>',
     "anyof", []),
    ('<C:prop-filter name="EMAIL"/>', "anyof", ["many.vcf", "single", "object"]),
    ('<C:prop-filter name="TEL"/>', "anyof", ["many.vcf", "single"]),
    ('<C:prop-filter name="EMAIL"><C:is-not-defined/></C:prop-filter>', "anyof",
     ["org.vcf"]),
    ('<C:prop-filter name="TEL"><C:is-not-defined/></C:prop-filter>', "anyof",
     ["org.vcf", "object"]),
    ('<C:prop-filter name="EMAIL"><C:text-match match-type="equals">ADA@work.example'
     "</C:text-match></C:prop-filter>", "anyof", ["many.vcf"]),
    ('<C:prop-filter name="EMAIL"><C:text-match match-type="equals">single@example.com'
     "</C:text-match></C:prop-filter>", "anyof", ["single"]),
    ('<C:prop-filter name="EMAIL"><C:text-match>object@example.com</C:text-match></C:prop-filter>',
     "anyof", []),
    ('<C:prop-filter name="TEL"><C:text-match match-type="equals">+14155552671'
     "</C:text-match></C:prop-filter>", "anyof", ["many.vcf"]),
    ('<C:prop-filter name="TEL"><C:text-match match-type="equals">7</C:text-match>'
     "</C:prop-filter>", "anyof", []),
    ('<C:prop-filter name="EMAIL"><C:text-match negate-condition="yes">work</C:text-match>'
     "</C:prop-filter>", "anyof", ["many.vcf", "single", "object"]),
    ('<C:prop-filter name="EMAIL"><C:text-match negate-condition="yes">example</C:text-match>'
     "</C:prop-filter>", "anyof", []),
    ('<C:prop-filter name="EMAIL" test="allof">'
     '<C:text-match match-type="starts-with">ada@w</C:text-match>'
     '<C:text-match match-type="ends-with">example.com</C:text-match></C:prop-filter>',
     "anyof", []),
    ('<C:prop-filter name="EMAIL" test="anyof">'
     '<C:text-match match-type="starts-with">ada@w</C:text-match>'
     '<C:text-match match-type="ends-with">example.com</C:text-match></C:prop-filter>',
     "anyof", ["many.vcf", "single"]),
])
def test_email_and_tel_filters_match_each_value(values, client, auth_headers, filters, test,
                                                names):
    by_name = {c["first_name"]: c["id"].replace("-", "") + ".vcf"
               for c in client.get("/api/contacts/", headers=auth_headers).get_json()}
    names = [by_name[name.capitalize()] if name in {"single", "object"} else name
             for name in names]
    response = values.report(query(filters, test))
    assert response.status_code == 207
    assert sorted(Multistatus(response).hrefs) == sorted(values.book + name for name in names)


def test_a_limited_email_query_counts_matching_cards_only(values):
    def limited(nresults):
        return Multistatus(values.report(query('<C:prop-filter name="EMAIL"/>').replace(
            "</C:addressbook-query>",
            f"<C:limit><C:nresults>{nresults}</C:nresults></C:limit></C:addressbook-query>")))

    assert len(limited(3).hrefs) == 3  # every card with an email, and no 507
    assert limited(2).statuses[values.book] == "HTTP/1.1 507 Insufficient Storage"
    assert len(limited(2).hrefs) == 3
