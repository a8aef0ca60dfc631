"""The discovery and sync conversations of iOS/macOS Contacts and DAVx⁵, replayed as raw
HTTP with the request bodies those clients send (`requests/`)."""

from .conftest import NS, Multistatus, body_of, card

D, C, CS = (f"{{{NS[p]}}}" for p in ("D", "C", "CS"))


def hrefs_xml(paths, prefix="A:") -> str:
    namespace = ' xmlns:A="DAV:"' if prefix else ""
    return "".join(f"<{prefix}href{namespace}>{path}</{prefix}href>" for path in paths)


def test_ios_discovery_and_sync(client, dav):
    dav.put("first.vcf", card(uid="first"))
    # iOS starts at the well-known URL and follows the redirect with the same PROPFIND.
    redirected = client.open("/.well-known/carddav", method="PROPFIND",
                             data=body_of("ios-discovery.xml"), headers={"Depth": "0"})
    assert redirected.status_code == 301
    root = Multistatus(dav.propfind(redirected.headers["Location"], body_of("ios-discovery.xml")))
    principal = root.href_of("/dav/", f"{D}current-user-principal")
    assert principal == dav.principal

    found = Multistatus(dav.propfind(principal, body_of("ios-principal.xml")))
    home = found.href_of(principal, f"{C}addressbook-home-set")
    assert home == dav.home
    assert found.text(principal, f"{D}displayname") == "Principal"
    assert {f"{C}directory-gateway", f"{CS}email-address-set", f"{D}resource-id",
            f"{D}principal-collection-set"} <= set(found.missing[principal])

    listing = Multistatus(dav.propfind(home, body_of("ios-home.xml"), depth="1"))
    assert listing.hrefs == [dav.home, dav.book]
    book = listing.props[dav.book]
    assert [k.tag for k in book[f"{D}resourcetype"]] == [f"{D}collection", f"{C}addressbook"]
    token = book[f"{D}sync-token"].text
    assert book[f"{CS}getctag"].text == token

    first = Multistatus(dav.report(body_of("ios-sync.xml").format(token="")))
    assert first.hrefs == [dav.book + "first.vcf"]
    got = Multistatus(dav.report(body_of("ios-multiget.xml").format(
        hrefs=hrefs_xml(first.hrefs))))
    assert "UID:first" in got.text(dav.book + "first.vcf", f"{C}address-data")

    # The phone adds a card; the next sync from the last token brings back only that one.
    added = dav.put("ABCDEF01-2345-6789-ABCD-EF0123456789.vcf",
                    card(uid="ABCDEF01-2345-6789-ABCD-EF0123456789", fn="Tim Cook",
                         email="tim@example.com"), {"If-None-Match": "*"})
    assert added.status_code == 201
    later = Multistatus(dav.report(body_of("ios-sync.xml").format(token=first.sync_token)))
    assert later.hrefs == [dav.book + "ABCDEF01-2345-6789-ABCD-EF0123456789.vcf"]
    assert later.text(later.hrefs[0], f"{D}getetag") == added.headers["ETag"]


def test_davx5_discovery_and_paged_sync(dav):
    for n in range(5):
        dav.put(f"{n}.vcf", card(uid=str(n), fn=f"Person Number{n}", email=f"p{n}@example.com"))

    service = Multistatus(dav.propfind("/dav/", body_of("davx5-service.xml")))
    principal = service.href_of("/dav/", f"{D}current-user-principal")
    assert service.href_of("/dav/", f"{C}addressbook-home-set") == dav.home
    home = Multistatus(dav.propfind(principal, body_of("davx5-service.xml")))
    assert home.href_of(principal, f"{C}addressbook-home-set") == dav.home

    books = Multistatus(dav.propfind(dav.home, body_of("davx5-home.xml"), depth="1"))
    assert books.href_of(dav.book, f"{D}owner") == dav.principal
    assert f"{CS}source" in books.missing[dav.book]

    state = Multistatus(dav.propfind(dav.book, body_of("davx5-book.xml")))
    assert state.text(dav.book, f"{C}max-resource-size") == str(1024 * 1024)

    token, seen, rounds = "", [], 0
    while True:
        rounds += 1
        page = Multistatus(dav.report(body_of("davx5-sync.xml").format(token=token, limit=2)))
        token = page.sync_token
        truncated = page.statuses.get(dav.book) == "HTTP/1.1 507 Insufficient Storage"
        seen += [href for href in page.hrefs if href != dav.book]
        if not truncated:
            break
    assert rounds == 3
    assert sorted(seen) == sorted(f"{dav.book}{n}.vcf" for n in range(5))
    assert token == state.text(dav.book, f"{D}sync-token")

    cards = Multistatus(dav.report(body_of("davx5-multiget.xml").format(
        hrefs=hrefs_xml(seen, prefix=""))))
    data = cards.text(dav.book + "0.vcf", f"{C}address-data")
    assert "VERSION:4.0" in data and "UID:0" in data
    assert cards.text(dav.book + "0.vcf", f"{D}getcontenttype") == "text/vcard; charset=utf-8"
