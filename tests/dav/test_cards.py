"""GET, PUT and DELETE of cards: ETags, preconditions, names, and one set of cards with
the JSON API."""

from pathlib import Path

import pytest
import vobject

from .conftest import Multistatus, card

D = "{DAV:}"


def test_put_creates_then_get_returns_every_property(dav, client, auth_headers):
    text = card(extra="X-SOCIAL-PROFILE;TYPE=mastodon:https://example.social/@ada\n"
                      "IMPP:xmpp:ada@example.org")
    created = dav.put("ada.vcf", text)
    assert created.status_code == 201
    etag = created.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')

    got = dav.get("ada.vcf")
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "text/vcard; charset=utf-8"
    assert got.headers["ETag"] == etag
    body = got.get_data(as_text=True)
    for line in ("UID:card-1", "X-SOCIAL-PROFILE;TYPE=mastodon:https://example.social/@ada",
                 "IMPP:xmpp:ada@example.org", "VERSION:3.0"):
        assert line in body

    listed = client.get("/api/contacts/", headers=auth_headers).get_json()
    assert [(c["first_name"], c["last_name"], c["email"]) for c in listed] == [
        ("Ada", "Lovelace", "ada@example.com")]


def test_put_replaces_with_204_and_a_new_etag(dav):
    first = dav.put("ada.vcf", card()).headers["ETag"]
    replaced = dav.put("ada.vcf", card(fn="Ada King"), {"If-Match": first})
    assert replaced.status_code == 204
    assert replaced.headers["ETag"] != first
    assert "FN:Ada King" in dav.get("ada.vcf").get_data(as_text=True)


def test_if_none_match_star_refuses_to_overwrite(dav):
    dav.put("ada.vcf", card())
    response = dav.put("ada.vcf", card(fn="Someone Else"), {"If-None-Match": "*"})
    assert response.status_code == 412
    assert "FN:Ada Lovelace" in dav.get("ada.vcf").get_data(as_text=True)


def test_stale_if_match_is_412_and_writes_nothing(dav):
    stale = dav.put("ada.vcf", card()).headers["ETag"]
    current = dav.put("ada.vcf", card(fn="Ada King")).headers["ETag"]
    assert dav.put("ada.vcf", card(fn="Ada Byron"), {"If-Match": stale}).status_code == 412
    assert dav.delete("ada.vcf", {"If-Match": stale}).status_code == 412
    assert dav.get("ada.vcf").headers["ETag"] == current
    assert dav.put("new.vcf", card(uid="x"), {"If-Match": current}).status_code == 412
    assert dav.get("new.vcf").status_code == 404


def test_get_with_the_current_etag_is_304(dav):
    etag = dav.put("ada.vcf", card()).headers["ETag"]
    response = dav.get("ada.vcf", {"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""


def test_delete_removes_the_card_everywhere(dav, client, auth_headers):
    etag = dav.put("ada.vcf", card()).headers["ETag"]
    assert dav.delete("ada.vcf", {"If-Match": etag}).status_code == 204
    assert dav.get("ada.vcf").status_code == 404
    assert dav.delete("ada.vcf").status_code == 404
    assert client.get("/api/contacts/", headers=auth_headers).get_json() == []


def test_a_duplicate_email_never_fails_a_put(dav, client, auth_headers):
    dav.put("one.vcf", card(uid="1", fn="Ada Lovelace"))
    assert dav.put("two.vcf", card(uid="2", fn="Ada King")).status_code == 201
    cards = client.get("/api/contacts/", headers=auth_headers).get_json()
    by_name = {c["last_name"]: c for c in cards}
    assert by_name["Lovelace"]["email"] == "ada@example.com"
    assert by_name["King"]["email"] is None
    assert by_name["King"]["additional_data"]["emails"][0] == "ada@example.com"
    assert "EMAIL;TYPE=INTERNET:ada@example.com" in dav.get("two.vcf").get_data(as_text=True)


def test_cards_made_elsewhere_appear_by_id_and_json_writes_change_etag_and_ctag(
        dav, client, auth_headers):
    made = client.post("/api/contacts/", headers=auth_headers, json={
        "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"}).get_json()
    name = f"{made['id'].replace('-', '')}.vcf"
    listing = Multistatus(dav.propfind(dav.book, "<D:propfind xmlns:D='DAV:'><D:prop>"
                                       "<D:getetag/><D:getcontenttype/><D:getlastmodified/>"
                                       "</D:prop></D:propfind>", depth="1"))
    href = dav.book + name
    assert listing.hrefs == [dav.book, href]
    etag = listing.text(href, f"{D}getetag")
    assert listing.text(href, f"{D}getcontenttype") == "text/vcard; charset=utf-8"
    assert listing.text(href, f"{D}getlastmodified").endswith(" GMT")
    assert dav.get(name).headers["ETag"] == etag
    ctag, token = dav.ctag()

    client.patch(f"/api/contacts/{made['id']}", headers=auth_headers, json={"phone": None,
                                                                            "first_name": "G"})
    assert dav.get(name).headers["ETag"] != etag
    assert dav.ctag()[0] != ctag and dav.ctag()[1] != token


def test_a_card_without_a_name_is_400_and_writes_nothing(dav, client, auth_headers):
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:x@example.com\r\nEND:VCARD\r\n"
    response = dav.put("x.vcf", text)
    assert response.status_code == 400
    assert b"valid-address-data" in response.data
    assert client.get("/api/contacts/", headers=auth_headers).get_json() == []


def test_two_cards_in_one_put_are_400(dav):
    response = dav.put("two.vcf", card(uid="a") + card(uid="b", email="b@example.com"))
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert b"<C:valid-address-data" in response.data or b"valid-address-data" in response.data
    assert dav.get("two.vcf").status_code == 404


@pytest.mark.parametrize("text", ["not a vcard", "BEGIN:VCARD\r\nFN:A B\r\n", ""])
def test_malformed_cards_are_400(dav, text):
    assert dav.put("bad.vcf", text).status_code == 400
    assert dav.get("bad.vcf").status_code == 404


def test_a_20_mb_put_is_413(dav):
    huge = card(extra="NOTE:" + "x" * (20 * 1024 * 1024))
    response = dav.put("huge.vcf", huge)
    assert response.status_code == 413
    assert dav.get("huge.vcf").status_code == 404


def test_a_put_of_another_media_type_is_415(dav):
    response = dav.request("PUT", dav.book + "a.vcf", b"{}",
                           {"Content-Type": "application/json"})
    assert response.status_code == 415


@pytest.mark.parametrize("path", [
    "/dav/addressbooks/{other}/contacts/",
    "/dav/addressbooks/{other}/contacts/a.vcf",
    "/dav/principals/{other}/",
    "/dav/addressbooks/{me}/contacts/../../{other}/contacts/a.vcf",
    "/dav/addressbooks/{me}/../{other}/contacts/",
    "/dav/addressbooks/{me}/contacts/a.vcf/more",
    "/dav/addressbooks/{me}/elsewhere/",
    "/dav/nothing/",
])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PROPFIND"])
def test_other_users_paths_and_dot_dot_are_404(client, dav, make_user, path, method):
    other = make_user("bob")
    Dav = type(dav)
    Dav(client, other).put("a.vcf", card(uid="bob"))
    url = path.format(me=dav.user.id.hex, other=other.id.hex)
    body = card(uid="evil", email="evil@example.com").encode() if method == "PUT" else None
    response = client.open(url, method=method, data=body,
                           headers={**dav.headers, "Content-Type": "text/vcard"})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    bob = Dav(client, other)
    assert bob.get("a.vcf").status_code == 200
    assert "UID:bob" in bob.get("a.vcf").get_data(as_text=True)
    assert Multistatus(dav.propfind(dav.book, depth="1")).hrefs == [dav.book]


def test_an_unsupported_method_is_a_dav_405(dav):
    response = dav.request("MKCOL", dav.book + "sub/")
    assert response.status_code == 405
    assert response.headers["Allow"].startswith("OPTIONS, GET")


def test_a_put_shows_at_once_in_cached_lists_and_in_1_sync(dav, client, auth_headers):
    synced = client.post("/1/sync", headers=auth_headers).get_json()["synced"]
    assert client.get("/api/contacts/", headers=auth_headers).get_json() == []
    assert client.get("/api/contacts/", headers=auth_headers).headers["X-Cache"] == "HIT"
    dav.put("ada.vcf", card())
    listed = client.get("/api/contacts/", headers=auth_headers)
    assert [c["last_name"] for c in listed.get_json()] == ["Lovelace"]
    delta = client.post("/1/sync", headers=auth_headers, data={"since": synced}).get_json()
    assert [c["last_name"] for c in delta["address_book"]["contacts"]] == ["Lovelace"]
    card_id = listed.get_json()[0]["id"]

    dav.delete("ada.vcf")
    assert client.get("/api/contacts/", headers=auth_headers).get_json() == []
    delta = client.post("/1/sync", headers=auth_headers, data={"since": synced}).get_json()
    assert delta["address_book"] == {"contacts": [], "deleted": [card_id]}


def properties_of(text: str) -> set[tuple]:
    """The card's properties as vCard compares them: names and parameters in any case,
    `TYPE=a;TYPE=b` the same as `TYPE=a,b`; without those a server may rewrite."""
    found = set()
    for line in vobject.readOne(text).getChildren():
        if line.name in {"PRODID", "REV"}:
            continue
        params = frozenset((name.upper(), frozenset(v.lower() for value in values
                                                    for v in value.split(",")))
                           for name, values in line.params.items())
        found.add(((line.group or "").lower(), line.name.upper(), params, str(line.value)))
    return found


@pytest.mark.parametrize("source", ["iphone.vcf", "rfc6350.vcf"])
@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_card_comes_back_with_every_property_it_sent(dav, source, index):
    blocks = (Path(__file__).parents[1] / "data" / source).read_text().split("END:VCARD")
    text = blocks[index].strip() + "\r\nEND:VCARD\r\n"
    assert dav.put(f"{index}.vcf", text).status_code == 201
    returned = properties_of(dav.get(f"{index}.vcf").get_data(as_text=True))
    assert properties_of(text) - returned == set()


def test_a_card_holding_nul_is_400_and_writes_nothing(dav, client, auth_headers):
    response = dav.put("nul.vcf", card(extra="NOTE:before\x00after"))
    assert response.status_code == 400
    assert b"valid-address-data" in response.data
    assert dav.get("nul.vcf").status_code == 404
    assert client.get("/api/contacts/", headers=auth_headers).get_json() == []


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PROPFIND"])
def test_a_name_holding_nul_is_400(dav, method):
    body = card().encode() if method == "PUT" else None
    response = dav.request(method, dav.book + "nul%00.vcf", body, {"Content-Type": "text/vcard"})
    assert response.status_code == 400
    assert Multistatus(dav.propfind(dav.book, depth="1")).hrefs == [dav.book]


def test_a_multiget_of_a_name_holding_nul_is_404_for_it(dav):
    dav.put("ada.vcf", card())
    hrefs = f"<D:href>{dav.book}nul%00.vcf</D:href><D:href>{dav.book}ada.vcf</D:href>"
    status = Multistatus(dav.report(
        '<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
        f"<D:prop><D:getetag/></D:prop>{hrefs}</C:addressbook-multiget>"))
    assert status.statuses[dav.book + "nul%00.vcf"] == "HTTP/1.1 404 Not Found"
    assert list(status.props) == [dav.book + "ada.vcf"]


def test_a_card_starting_with_a_bom_is_accepted(dav):
    response = dav.put("bom.vcf", "\ufeff" + card())
    assert response.status_code == 201
    assert dav.get("bom.vcf").get_data(as_text=True).startswith("BEGIN:VCARD")


def test_a_card_made_elsewhere_is_named_by_its_id_exactly_as_listed(dav, client, auth_headers):
    made = client.post("/api/contacts/", headers=auth_headers, json={
        "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"}).get_json()
    name = f"{made['id'].replace('-', '')}.vcf"
    upper = name.removesuffix(".vcf").upper() + ".vcf"
    etag = dav.get(name).headers["ETag"]
    assert dav.get(upper).status_code == 404
    assert dav.propfind(dav.book + upper).status_code == 404
    assert dav.delete(upper).status_code == 404

    created = dav.put(upper, card(uid="other", fn="Ada Lovelace"), {"If-None-Match": "*"})
    assert created.status_code == 201
    assert dav.get(name).headers["ETag"] == etag
    assert "FN:Grace Hopper" in dav.get(name).get_data(as_text=True)
    assert "FN:Ada Lovelace" in dav.get(upper).get_data(as_text=True)
    assert sorted(Multistatus(dav.propfind(dav.book, depth="1")).hrefs) == sorted(
        [dav.book, dav.book + name, dav.book + upper])
    hrefs = f"<D:href>{dav.book}{name}</D:href><D:href>{dav.book}{upper}</D:href>"
    multiget = Multistatus(dav.report(
        '<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
        f"<D:prop><D:getetag/></D:prop>{hrefs}</C:addressbook-multiget>"))
    assert multiget.text(dav.book + name, f"{D}getetag") == etag
    assert multiget.text(dav.book + upper, f"{D}getetag") == created.headers["ETag"]

    assert dav.delete(upper).status_code == 204
    assert dav.get(name).headers["ETag"] == etag

