"""`POST /api/contacts/import` and `GET /api/contacts/export` (API.md §5)."""

import csv
import io
import re
import uuid
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa
import vobject
from vcard.vcard_validator import VCard

from addressbook_helpers import add
from conftest import basic
from contacts_api.addressbook.models import Contact, ContactLabel
from contacts_api.database import db

DATA = Path(__file__).parent / "data"
IMPORT = "/api/contacts/import"
EXPORT = "/api/contacts/export"
LIST = "/api/contacts/?limit=1000"


def vcf(*cards) -> bytes:
    return "".join("\r\n".join(("BEGIN:VCARD", "VERSION:3.0", *lines, "END:VCARD", ""))
                   for lines in cards).encode()


def post(client, headers, data: bytes, content_type="text/vcard", **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return client.post(f"{IMPORT}?{query}", data=data,
                       headers={**headers, "Content-Type": content_type})


def imported(client, headers, data: bytes, content_type="text/vcard", **params) -> dict:
    response = post(client, headers, data, content_type, **params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def cards(client, headers) -> dict:
    """The caller's cards by id."""
    return {card["id"]: card for card in client.get(LIST, headers=headers).get_json()}


def ids_of(report) -> list:
    return [result["id"] for result in report["results"]]


def statuses(report) -> list:
    return [result["status"] for result in report["results"]]


def export(client, headers, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    response = client.get(f"{EXPORT}?{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


class TestImport:
    def test_iphone_vcard(self, client, auth_headers):
        report = imported(client, auth_headers, (DATA / "iphone.vcf").read_bytes(), region="US")
        johnny, juergen, acme = ids_of(report)
        assert report == {"dry_run": False, "created": 3, "updated": 0, "skipped": 0,
                          "failed": 0, "results": [
            {"index": 0, "status": "created", "id": johnny,
             "warnings": ["TEL '555-0123' could not be read as a phone number"]},
            {"index": 1, "status": "created", "id": juergen},
            {"index": 2, "status": "created", "id": acme},
        ]}
        book = cards(client, auth_headers)
        assert book[juergen] == {
            "id": juergen, "first_name": "Jürgen", "last_name": "Müller",
            "email": "juergen@example.de", "phone": "+49301234567", "birthday": "1985-07-04",
            "additional_data": {"note": "Ein sehr langer Kommentar über den Kontakt, der über "
                                "die Zeilenlänge von 75 Oktetten hinausgeht und deshalb "
                                "gefaltet wurde – mit Umlauten äöü."},
            "labels": [],
            "created_at": book[juergen]["created_at"], "updated_at": book[juergen]["created_at"],
        }
        assert book[acme]["email"] is None and book[acme]["last_name"] == "Plumbing"
        assert book[johnny]["additional_data"]["phones"] == ["+14085550199", "555-0123"]
        assert book[johnny]["birthday"] == "--02-29"  # X-APPLE-OMIT-YEAR: no year
        # One transaction, one change-clock stamp for every card it wrote.
        assert len({card["updated_at"] for card in book.values()}) == 1

    def test_google_csv_as_multipart_file(self, client, auth_headers):
        response = client.post(IMPORT, headers=auth_headers, data={
            "file": (io.BytesIO((DATA / "google.csv").read_bytes()), "contacts.csv")})
        assert response.status_code == 200
        report = response.get_json()
        ada, grace, linus, _ = ids_of(report)
        assert report["results"][3] == {"index": 3, "status": "failed", "id": None,
                                        "error": "no_name", "detail": "The row has no name"}
        assert statuses(report) == ["created", "created", "created", "failed"]
        book = cards(client, auth_headers)
        assert book[ada] | {"created_at": None, "updated_at": None} == {
            "id": ada, "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
            "phone": "+442079460958", "birthday": "1815-12-10",
            "additional_data": {
                "company": "Analytical Engines Ltd", "position": "Mathematician",
                "note": "First programmer, wrote notes on the Engine",
                "url": "https://example.org/ada", "nickname": "Enchantress",
                "address": "12 St James's Square, London SW1Y 4JH",
                "emails": ["ada.lovelace@example.org"], "phones": ["020 7946 0000"]},
            "labels": ["Friends", "Science"], "created_at": None, "updated_at": None,
        }
        assert (book[grace]["email"], book[linus]["last_name"]) == ("grace@example.com", "")
        assert book[linus]["additional_data"] == {"phones": ["+14155550101"]}
        with client.application.app_context():
            labels = db.session.scalars(sa.select(ContactLabel.folded).where(
                ContactLabel.contact_id == uuid.UUID(ada))).all()
        assert sorted(labels) == ["friends", "science"]  # `* myContacts` dropped

    def test_outlook_csv(self, client, auth_headers):
        report = imported(client, auth_headers, (DATA / "outlook.csv").read_bytes(), "text/csv")
        alan, emilie = ids_of(report)
        book = cards(client, auth_headers)
        assert book[alan]["birthday"] == "1912-06-23"
        assert book[alan]["additional_data"] == {
            "company": "University of Manchester", "position": "Researcher", "note": "Enigma",
            "url": "https://example.co.uk/turing", "emails": ["a.turing@example.org"],
            "phones": ["+44 7700 900123"]}
        assert (book[emilie]["first_name"], book[emilie]["birthday"]) == ("Émilie", None)

    def test_rfc_6350_examples(self, client, auth_headers):
        report = imported(client, auth_headers, (DATA / "rfc6350.vcf").read_bytes())
        assert statuses(report) == ["created"] * 3
        assert report["results"][2]["warnings"] == [
            "BDAY 'circa 1800' is not a date; the birthday was left empty"]

    def test_same_file_twice_with_skip_creates_nothing(self, client, auth_headers):
        for name in ("iphone.vcf", "google.csv", "outlook.csv", "rfc6350.vcf"):
            data = (DATA / name).read_bytes()
            first = imported(client, auth_headers, data, "text/csv", region="us")
            again = imported(client, auth_headers, data, "text/csv", region="US")
            assert again["created"] == 0 and again["skipped"] == first["created"]
            assert ids_of(again) == ids_of(first)
        assert len(cards(client, auth_headers)) == 3 + 3 + 2 + 3

    def test_dry_run_writes_nothing(self, client, auth_headers):
        add(client, auth_headers, email="grace@example.com", first_name="Grace")
        report = imported(client, auth_headers, (DATA / "google.csv").read_bytes(),
                          "text/csv", dry_run="true", on_conflict="update")
        grace = next(iter(cards(client, auth_headers)))
        assert report["dry_run"] is True
        assert [(r["status"], r["id"]) for r in report["results"]] == [
            ("created", None), ("updated", grace), ("created", None), ("failed", None)]
        assert list(cards(client, auth_headers)) == [grace]
        assert cards(client, auth_headers)[grace]["first_name"] == "Grace"

    def test_update_matches_by_uid_then_email_then_name_and_phone(self, client, auth_headers):
        first = imported(client, auth_headers, vcf(
            ["N:One;Ann;;;", "UID:u-1", "EMAIL:ann@example.com"],
            ["N:Two;Bob;;;", "EMAIL:bob@example.com"],
            ["N:Three;Cy;;;", "TEL:+14155552671"]))
        ann, bob, cy = ids_of(first)
        again = imported(client, auth_headers, vcf(
            ["N:One;Annie;;;", "UID:u-1", "EMAIL:annie@example.com"],
            ["N:Two;Bobby;;;", "EMAIL:BOB@example.com"],
            ["N:Three;Cy;;;", "TEL:+1 415 555 2671", "NOTE:same name and phone"],
            ["N:Three;Cy;;;", "TEL:+14155550000"]), on_conflict="update")
        assert ids_of(again)[:3] == [ann, bob, cy]
        assert statuses(again) == ["updated", "updated", "updated", "created"]
        book = cards(client, auth_headers)
        assert (book[ann]["first_name"], book[ann]["email"]) == ("Annie", "annie@example.com")
        assert book[bob]["first_name"] == "Bobby"
        assert book[cy]["additional_data"] == {"note": "same name and phone"}

    def test_a_change_in_an_unmapped_property_is_an_update(self, client, auth_headers):
        card = ["N:Doe;Jane;;;", "UID:u-9", "EMAIL:jane@example.com"]
        (jane,) = ids_of(imported(client, auth_headers, vcf([*card, "X-MOOD:happy"])))
        same = imported(client, auth_headers, vcf([*card, "X-MOOD:happy"]), on_conflict="update")
        changed = imported(client, auth_headers, vcf([*card, "X-MOOD:sleepy"]),
                           on_conflict="update")
        assert (statuses(same), statuses(changed)) == (["skipped"], ["updated"])
        assert ids_of(changed) == [jane]
        assert "\r\nX-MOOD:sleepy\r\n" in export(client, auth_headers)

    def test_update_keeps_the_users_own_additional_data(self, client, auth_headers):
        card = add(client, auth_headers, additional_data={"company": "Old", "pet": "cat"})
        imported(client, auth_headers, vcf(["N:Doe;John;;;", "EMAIL:john@example.com",
                                            "ORG:New"]), on_conflict="update")
        assert cards(client, auth_headers)[card["id"]]["additional_data"] == {
            "company": "New", "pet": "cat"}

    def test_an_email_on_another_card_stays_with_the_card(self, client, auth_headers):
        imported(client, auth_headers, vcf(["N:A;Ann;;;", "UID:u-1", "EMAIL:ann@example.com"]))
        other = add(client, auth_headers, email="taken@example.com")
        report = imported(client, auth_headers, vcf(
            ["N:A;Ann;;;", "UID:u-1", "EMAIL:taken@example.com"]), on_conflict="update")
        ann = ids_of(report)[0]
        assert report["results"][0]["warnings"] == [
            "EMAIL 'taken@example.com' is already on another card; it was kept in "
            "additional_data.emails"]
        book = cards(client, auth_headers)
        assert (book[ann]["email"], book[ann]["additional_data"]) == (
            None, {"emails": ["taken@example.com"]})
        assert book[other["id"]]["email"] == "taken@example.com"

    def test_cards_of_one_file_match_each_other(self, client, auth_headers):
        report = imported(client, auth_headers, vcf(["N:A;Ann;;;", "EMAIL:ann@example.com"],
                                                    ["N:A;Annie;;;", "EMAIL:ann@example.com"]))
        assert statuses(report) == ["created", "skipped"]
        assert ids_of(report)[0] == ids_of(report)[1]

    def test_one_bad_card_fails_alone(self, client, auth_headers):
        data = (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No End\r\n"
                + vcf(["FN:Good One"], ["EMAIL:nameless@example.com"],
                      ["N:Bad;Birthday;;;", "BDAY:2025-02-30"]))
        report = imported(client, auth_headers, data)
        good, bad = report["results"][1]["id"], report["results"][3]["id"]
        assert report == {"dry_run": False, "created": 2, "updated": 0, "skipped": 0,
                          "failed": 2, "results": [
            {"index": 0, "status": "failed", "id": None, "error": "malformed",
             "detail": "The card has no END:VCARD before the next card"},
            {"index": 1, "status": "created", "id": good},
            {"index": 2, "status": "failed", "id": None, "error": "no_name",
             "detail": "The card has no name (N or FN)"},
            {"index": 3, "status": "created", "id": bad, "warnings": [
                "BDAY '2025-02-30' is not a real date; the birthday was left empty"]},
        ]}
        assert cards(client, auth_headers)[bad]["birthday"] is None
        assert "BDAY:2025-02-30" in export(client, auth_headers, query="first_name:eq:Birthday")

    @pytest.mark.parametrize("prefix, encoding", [
        (b"", "utf-8"), (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be")])
    def test_encodings(self, client, auth_headers, prefix, encoding):
        data = prefix + "First Name,Last Name\r\nZoë,Ørsted\r\n".replace(
            "First Name,Last Name", "First Name,Last Name,E-mail 1 - Value").replace(
            "Zoë,Ørsted", "Zoë,Ørsted,zoe@example.com").encode(encoding)
        imported(client, auth_headers, data, "text/csv")
        (card,) = cards(client, auth_headers).values()
        assert (card["first_name"], card["last_name"]) == ("Zoë", "Ørsted")

    def test_imported_cards_reach_sync(self, client, auth_headers):
        since = client.post("/1/sync", headers=basic("alice")).get_json()["synced"]
        (card_id,) = ids_of(imported(client, auth_headers, vcf(["FN:Synced Card"])))
        body = client.post("/1/sync", data={"since": since}, headers=basic("alice")).get_json()
        assert [card["id"] for card in body["address_book"]["contacts"]] == [card_id]


ERROR_422 = {"error": "validation_error"}


class TestImportRefuses:
    @pytest.mark.parametrize("data, content_type, detail", [
        (b"hello, world\r\n1,2\r\n", "text/csv",
         "The file is neither vCard nor a CSV this API reads: The CSV header is not this API's "
         "export, a Google Contacts CSV or an Outlook CSV"),
        (b"\x89PNG\r\n\x1a\n", "text/vcard",
         "The file is not valid UTF-8 (or UTF-16 with a byte order mark): undecodable byte at "
         "offset 0"),
        (b"First Name,Last Name,E-mail 1 - Value\r\n", "text/csv",
         "The CSV file has a header but no rows"),
        (b"  \r\n", "text/vcard", "The file is empty"),
        (b"BEGIN:VCARDX\r\nFN:x\r\nEND:VCARDX\r\n", "text/vcard",
         "The file holds no vCard (no BEGIN:VCARD line)"),
        (b"caf\xe9", "text/csv",
         "The file is not valid UTF-8 (or UTF-16 with a byte order mark): undecodable byte at "
         "offset 3"),
        ("Zoe".encode("utf-16-le"), "text/csv",
         "The file holds NUL characters; send UTF-8, or UTF-16 with a byte order mark"),
    ])
    def test_unreadable_files(self, client, auth_headers, data, content_type, detail):
        response = post(client, auth_headers, data, content_type)
        assert response.status_code == 422
        assert response.get_json() == {**ERROR_422, "detail": detail}
        assert cards(client, auth_headers) == {}

    def test_a_one_megabyte_line(self, client, auth_headers):
        data = vcf(["FN:Long", "NOTE:" + "x" * 1_000_000])
        response = post(client, auth_headers, data)
        assert response.status_code == 422
        assert response.get_json() == {**ERROR_422, "detail": (
            "The file has a line of 1000005 characters; at most 524288 are accepted")}

    def test_more_than_10000_cards(self, client, auth_headers):
        response = post(client, auth_headers, vcf(*[[f"FN:Card {i}"] for i in range(10_001)]))
        assert response.status_code == 422
        assert response.get_json() == {**ERROR_422,
                                       "detail": "The file holds more than 10000 cards"}
        assert cards(client, auth_headers) == {}

    @pytest.mark.parametrize("multipart", [False, True])
    def test_a_20_megabyte_body(self, client, auth_headers, multipart):
        data = vcf(["FN:Big", "NOTE:" + ("x" * 70 + "\r\n ") * 280_000])
        if multipart:
            response = client.post(IMPORT, headers=auth_headers,
                                   data={"file": (io.BytesIO(data), "big.vcf")})
        else:
            response = post(client, auth_headers, data)
        assert response.status_code == 413
        assert response.get_json()["error"] == "payload_too_large"

    def test_up_to_10_mib_is_accepted(self, client, auth_headers):
        data = vcf(["FN:Big", "NOTE:" + ("x" * 70 + "\r\n ") * 130_000])
        assert len(data) < 10 * 1024 * 1024
        assert imported(client, auth_headers, data)["created"] == 1

    @pytest.mark.parametrize("query, errors", [
        ("on_conflict=merge", {"on_conflict": ["Must be one of: skip, update."]}),
        ("region=XX", {"region": ["Must be an ISO 3166 country code, e.g. US."]}),
        ("dry_run=maybe", {"dry_run": ["Not a valid boolean."]}),
    ])
    def test_bad_parameters(self, client, auth_headers, query, errors):
        response = client.post(f"{IMPORT}?{query}", data=vcf(["FN:A"]),
                               headers={**auth_headers, "Content-Type": "text/vcard"})
        assert response.status_code == 422
        assert response.get_json()["errors"] == errors

    def test_multipart_without_file(self, client, auth_headers):
        response = client.post(IMPORT, headers=auth_headers, data={"other": "x"},
                               content_type="multipart/form-data")
        assert response.status_code == 422
        assert response.get_json() == {**ERROR_422, "detail": "file: Missing data for required "
                                       "field.", "errors": {"file": ["Missing data for required "
                                                                     "field."]}}


class TestExport:
    def test_vcard_4_headers_and_body(self, client, auth_headers):
        card = add(client, auth_headers, phone="+14155552671", birthday="1990-01-01",
                   additional_data={"company": "Example Corp"})
        response = client.get(EXPORT, headers=auth_headers)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/vcard; charset=utf-8"
        assert response.headers["Content-Disposition"] == 'attachment; filename="contacts.vcf"'
        assert "X-Cache" not in response.headers
        uid = re.sub(r"(.{8})(.{4})(.{4})(.{4})(.{12})", r"\1-\2-\3-\4-\5", card["id"])
        stamp = re.sub(r"[-:]|\.\d+", "", card["updated_at"])
        assert response.get_data(as_text=True) == (
            "BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//contacts_api//address book//EN\r\n"
            "N:Doe;John;;;\r\nFN:John Doe\r\nEMAIL:john@example.com\r\n"
            "TEL;VALUE=uri:tel:+14155552671\r\nBDAY:19900101\r\nORG:Example Corp\r\n"
            f"UID:urn:uuid:{uid}\r\nREV:{stamp}\r\nEND:VCARD\r\n")

    def test_labels_and_a_year_less_birthday(self, client, auth_headers):
        add(client, auth_headers, birthday="--02-29", labels=["Family", "Book club"])
        four = export(client, auth_headers)
        assert "\r\nBDAY:--0229\r\nCATEGORIES:Family,Book club\r\n" in four
        three = export(client, auth_headers, version="3.0")
        assert "\r\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29\r\n" in three
        header, row = csv.reader(io.StringIO(export(client, auth_headers, format="csv"),
                                             newline=""))
        assert (row[header.index("birthday")], row[header.index("labels")]) == (
            "'--02-29", "Family ::: Book club")

    def test_vcard_3_parses_in_a_strict_validator(self, client, auth_headers):
        add(client, auth_headers, phone="+14155552671", additional_data={"note": "a, b; c"})
        imported(client, auth_headers, (DATA / "google.csv").read_bytes(), "text/csv")
        # Not Grace: her year-less birthday is written in Apple's form (the only one 3.0 apps
        # read), which this RFC 2426 validator refuses.
        text = export(client, auth_headers, version="3.0", query="first_name:ne:Grace")
        blocks = re.findall(r"BEGIN:VCARD\r\n.*?END:VCARD\r\n", text, re.S)
        assert len(blocks) == 3
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # it warns about non-ASCII and default TYPEs
            for block in blocks:
                VCard(block)

    def test_imported_cards_export_and_parse_with_vobject(self, client, auth_headers):
        for name in ("iphone.vcf", "rfc6350.vcf", "quoted_printable.vcf"):
            imported(client, auth_headers, (DATA / name).read_bytes(), region="US")
        for version in ("3.0", "4.0"):
            text = export(client, auth_headers, version=version)
            parsed = list(vobject.readComponents(text))
            assert len(parsed) == 8
            assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))

    def test_json_edit_shows_with_the_kept_properties(self, client, auth_headers):
        (johnny, *_) = ids_of(imported(client, auth_headers, (DATA / "iphone.vcf").read_bytes(),
                                       region="US"))
        client.patch(f"/api/contacts/{johnny}", json={"first_name": "John"},
                     headers=auth_headers)
        text = export(client, auth_headers, query="last_name:eq:Appleseed").replace("\r\n ", "")
        assert "N:Appleseed;John;Q;Dr.;Jr.\r\nFN:Dr. John Q Appleseed Jr.\r\n" in text
        assert "\r\nPHOTO:data:image/jpeg;base64,/9j/4AAQ" in text
        assert "\r\nX-SOCIALPROFILE;type=twitter:https://twitter.com/johnny\r\n" in text
        three = export(client, auth_headers, version="3.0", query="last_name:eq:Appleseed")
        assert "\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ" in three

    @pytest.mark.parametrize("params, content_type", [
        ({}, "text/vcard"), ({"version": "3.0"}, "text/vcard"), ({"format": "csv"}, "text/csv")])
    def test_export_then_import_with_update_changes_nothing(self, client, auth_headers, params,
                                                            content_type):
        for name in ("iphone.vcf", "google.csv", "outlook.csv", "rfc6350.vcf"):
            imported(client, auth_headers, (DATA / name).read_bytes(), "text/csv", region="US")
        add(client, auth_headers, first_name="=HYPERLINK(\"http://x\")", phone="+14155552671",
            additional_data={"pet": "cat", "note": "-5 @home +1"})
        before = cards(client, auth_headers)
        report = imported(client, auth_headers, export(client, auth_headers, **params).encode(),
                          content_type, on_conflict="update", region="US")
        assert (report["created"], report["updated"], report["skipped"]) == (0, 0, len(before))
        assert cards(client, auth_headers) == before

    VCARD_2_1 = "\r\n".join((
        "BEGIN:VCARD", "VERSION:2.1",
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=B6rg",
        "TEL;CELL:+49 30 123456", "TEL;WORK;VOICE:+49 30 654321",
        "EMAIL;INTERNET;ENCODING=8BIT:joerg@example.de",
        "NOTE;ENCODING=QUOTED-PRINTABLE:line1=0D=0A=", "line2",
        "X-NAME;CHARSET=ISO-8859-1;7BIT:plain",
        "PHOTO;JPEG;BASE64:", " /9j/4AAQSkZJRgABAQ", " AAAQABAAD/2w==", "",
        "LOGO;ENCODING=BASE64;TYPE=GIF:R0lGODlhAQABAAAAACw=",
        "END:VCARD", ""))

    @pytest.mark.parametrize("version, lines", [
        ("4.0", ["EMAIL;TYPE=INTERNET:joerg@example.de", "TEL;TYPE=CELL:+49 30 123456",
                 "TEL;TYPE=WORK,VOICE:+49 30 654321", "NOTE:line1\\nline2", "X-NAME:plain",
                 "PHOTO:data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2w==",
                 "LOGO:data:image/gif;base64,R0lGODlhAQABAAAAACw="]),
        ("3.0", ["EMAIL;TYPE=INTERNET:joerg@example.de", "TEL;TYPE=CELL:+49 30 123456",
                 "TEL;TYPE=WORK,VOICE:+49 30 654321", "NOTE:line1\\nline2", "X-NAME:plain",
                 "PHOTO;TYPE=JPEG;ENCODING=b:/9j/4AAQSkZJRgABAQAAAQABAAD/2w==",
                 "LOGO;ENCODING=b;TYPE=GIF:R0lGODlhAQABAAAAACw="]),
    ])
    def test_a_vcard_2_1_card_goes_out_in_the_syntax_of_its_version(self, client, auth_headers,
                                                                    version, lines):
        """Bare parameters become TYPE=, 2.1's encodings and CHARSET go (BASE64 is 3.0's `b`,
        a `data:` URI in 4.0), and a quoted-printable line break is a `\\n`."""
        (card,) = ids_of(imported(client, auth_headers, self.VCARD_2_1.encode()))
        text = export(client, auth_headers, version=version)
        assert text.replace("\r\n ", "").split("\r\n")[5:12] == lines
        assert "QUOTED-PRINTABLE" not in text and "CHARSET" not in text
        assert vobject.readOne(text).tel_list[0].params == {"TYPE": ["CELL"]}
        assert cards(client, auth_headers)[card]["additional_data"] == {
            "note": "line1\nline2", "phones": ["+4930654321"]}

    @pytest.mark.parametrize("params, content_type", [
        ({}, "text/vcard"), ({"version": "3.0"}, "text/vcard"), ({"format": "csv"}, "text/csv")])
    def test_every_mapped_key_set_through_json_survives_export_and_import(
            self, client, auth_headers, params, content_type):
        """Values with the characters vCard and CSV escape or split at (`,` `;` `\\`, a line
        break); surrounding spaces and blank values are taken off by the JSON API."""
        add(client, auth_headers, phone="+14155552671", additional_data={
            "company": " ACME; Inc. ", "position": "Boss, Chief",
            "url": "https://x.example/a?b=c,d;e", "nickname": "Jo, Joe",
            "note": "first line\nsecond \\ line", "address": "1 Road, Town; Place",
            "emails": ["a@example.com", " ", "B@Example.org"],
            "phones": ["+442079460958", "555-0100"], "pet": {"kind": ["cat", None, 3]},
            "blank": ""})
        add(client, auth_headers, email="empty@example.com", additional_data={"note": "  "})
        before = cards(client, auth_headers)
        assert {card["email"]: card["additional_data"] for card in before.values()} == {
            "john@example.com": {
                "company": "ACME; Inc.", "position": "Boss, Chief",
                "url": "https://x.example/a?b=c,d;e", "nickname": "Jo, Joe",
                "note": "first line\nsecond \\ line", "address": "1 Road, Town; Place",
                "emails": ["a@example.com", "B@Example.org"],
                "phones": ["+442079460958", "555-0100"], "pet": {"kind": ["cat", None, 3]},
                "blank": ""},
            "empty@example.com": {}}
        report = imported(client, auth_headers, export(client, auth_headers, **params).encode(),
                          content_type, on_conflict="update")
        assert statuses(report) == ["skipped", "skipped"]
        assert cards(client, auth_headers) == before

    def test_csv_neutralises_formulas(self, client, auth_headers):
        card = add(client, auth_headers, first_name='=HYPERLINK("http://x")', last_name="@Doe",
                   phone="+14155552671", additional_data={"note": "'=already quoted"})
        response = client.get(f"{EXPORT}?format=csv", headers=auth_headers)
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"] == 'attachment; filename="contacts.csv"'
        header, row = csv.reader(io.StringIO(response.get_data(as_text=True), newline=""))
        assert header == ["id", "first_name", "last_name", "email", "phone", "birthday",
                          "labels", "company", "position", "note", "url", "nickname",
                          "address", "emails", "phones", "uid", "created_at", "updated_at"]
        assert row[:10] == [card["id"], "'=HYPERLINK(\"http://x\")", "'@Doe", "john@example.com",
                            "'+14155552671", "", "", "", "", "''=already quoted"]
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)

    def test_additional_data_of_any_shape(self, client, auth_headers):
        """A card written before the JSON API checked the mapped keys may hold anything
        under them."""
        card = add(client, auth_headers)
        with client.application.app_context():
            db.session.execute(sa.update(Contact).where(Contact.id == uuid.UUID(card["id"]))
                               .values(additional_data={"emails": "not-a-list", "note": 5,
                                                        "phones": [1, "+14155552671"],
                                                        "company": {"x": 1}}))
            db.session.commit()
        text = export(client, auth_headers).replace("\r\n ", "")
        assert "\r\nTEL;VALUE=uri:tel:+14155552671\r\n" in text
        assert "not-a-list" not in text and "ORG" not in text and "NOTE" not in text
        # CSV cells are text: scalars are written as they read, objects are left out.
        row = export(client, auth_headers, format="csv").splitlines()[1]
        assert ",,,,,,5,,,,not-a-list,1 ::: +14155552671,urn:uuid:" in row

    def test_query_filters_and_only_my_cards(self, client, auth_headers, make_user, bearer):
        add(client, auth_headers, first_name="Ann", email="ann@example.com")
        add(client, auth_headers, first_name="Bob", email="bob@example.com")
        bob = bearer(make_user("bob"))
        add(client, bob, first_name="Secret", email="secret@example.com")
        text = export(client, auth_headers, query="first_name:eq:Ann")
        assert "FN:Ann Doe" in text and "Bob" not in text
        mine = export(client, auth_headers, format="csv")
        assert "Secret" not in mine and len(mine.splitlines()) == 3
        assert export(client, bob).count("BEGIN:VCARD") == 1

    @pytest.mark.parametrize("query, status, body", [
        ("format=pdf", 422, {"error": "validation_error",
                             "detail": "format: Must be one of: vcard, csv.",
                             "errors": {"format": ["Must be one of: vcard, csv."]}}),
        ("version=2.1", 422, {"error": "validation_error",
                              "detail": "version: Must be one of: 3.0, 4.0.",
                              "errors": {"version": ["Must be one of: 3.0, 4.0."]}}),
        ("query=nosuch:eq:x", 400, {"error": "invalid_filter",
                                    "detail": "Invalid filter operator 'eq' for field 'nosuch'"}),
    ])
    def test_bad_parameters(self, client, auth_headers, query, status, body):
        response = client.get(f"{EXPORT}?{query}", headers=auth_headers)
        assert (response.status_code, response.get_json()) == (status, body)


@pytest.mark.parametrize("method, path", [("POST", IMPORT), ("GET", EXPORT)])
def test_401_without_credentials(client, method, path):
    response = client.open(path, method=method, data=b"BEGIN:VCARD",
                           headers={"Content-Type": "text/vcard"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_openapi_documents_the_content_types(client):
    spec = client.get("/openapi.json").get_json()["paths"]
    body = spec["/api/contacts/import"]["post"]["requestBody"]["content"]
    assert set(body) == {"multipart/form-data", "text/vcard", "text/x-vcard", "text/csv"}
    response = spec["/api/contacts/export"]["get"]["responses"]["200"]["content"]
    assert set(response) == {"text/vcard", "text/csv"}


class TestHostileCards:
    def test_a_tel_with_a_long_run_of_spaces_exports_at_once(self, client, auth_headers):
        """Matching a stored TEL to the phone once took time quadratic in the value (a regex
        retried at every position): these 100,000 spaces took minutes and held the worker."""
        tel = "TEL:1" + " " * 100_000 + "x"
        folded = "\r\n ".join(tel[i:i + 74] for i in range(0, len(tel), 74))
        report = imported(client, auth_headers, vcf(["N:Phone;Slow;;;", folded,
                                                     "TEL:+14155550199"]))
        (card_id,) = ids_of(report)
        assert report["results"] == [{"index": 0, "status": "created", "id": card_id,
                                      "warnings": [
            f"TEL {'1' + ' ' * 99!r} could not be read as a phone number",
            "additional_data.phones was left out: additional_data is at most 16384 bytes "
            "as JSON"]}]
        card = cards(client, auth_headers)[card_id]
        assert (card["phone"], card["additional_data"]) == ("+14155550199", None)
        text = export(client, auth_headers)
        assert "\r\nN:Phone;Slow;;;\r\nFN:Slow Phone\r\nTEL:+14155550199\r\nUID:" in text

    QP_NUL = "\r\n".join(("BEGIN:VCARD", "VERSION:2.1", "N;ENCODING=QUOTED-PRINTABLE:Nu=00l;Zed",
                          "END:VCARD", ""))

    def test_a_value_decoding_to_nul_fails_its_card(self, client, auth_headers):
        report = imported(client, auth_headers, self.QP_NUL.encode() + vcf(["FN:Good One"]))
        good = ids_of(report)[1]
        assert report == {"dry_run": False, "created": 1, "updated": 0, "skipped": 0,
                          "failed": 1, "results": [
            {"index": 0, "status": "failed", "id": None, "error": "malformed",
             "detail": "Unreadable vCard: the line 'N;ENCODING=QUOTED-PRINTABLE:Nu=00l;Zed' "
                       "decodes to a NUL character"},
            {"index": 1, "status": "created", "id": good}]}
        assert list(cards(client, auth_headers)) == [good]

    def test_a_value_decoding_to_nul_is_a_400_for_carddav(self, client, auth_headers, user):
        response = client.put(f"/dav/addressbooks/{user.id.hex}/contacts/nul.vcf",
                              data=self.QP_NUL.encode(),
                              headers={**basic("alice"), "Content-Type": "text/vcard"})
        assert response.status_code == 400
        assert response.get_data(as_text=True) == (
            "<?xml version='1.0' encoding='utf-8'?>\n"
            '<D:error xmlns:C="urn:ietf:params:xml:ns:carddav" xmlns:D="DAV:">'
            "<C:valid-address-data /></D:error>")
        assert cards(client, auth_headers) == {}

    def test_additional_data_is_held_to_16_kib(self, client, auth_headers):
        note = "x" * 500_000
        report = imported(client, auth_headers, vcf([
            "N:Note;Huge;;;", "ORG:Acme", "NOTE:" + "\r\n ".join(
                note[i:i + 74] for i in range(0, len(note), 74))]))
        (card_id,) = ids_of(report)
        assert report["results"] == [{"index": 0, "status": "created", "id": card_id,
                                      "warnings": [
            "additional_data.note was left out: additional_data is at most 16384 bytes "
            "as JSON"]}]
        assert cards(client, auth_headers)[card_id]["additional_data"] == {"company": "Acme"}
        text = export(client, auth_headers)
        assert "\r\nORG:Acme\r\n" in text and "NOTE" not in text
        again = imported(client, auth_headers, text.encode(), on_conflict="update")
        assert statuses(again) == ["skipped"]

    def test_an_update_never_drops_the_users_own_keys(self, client, auth_headers):
        card = add(client, auth_headers, additional_data={"pet": "c" * 15_000})
        report = imported(client, auth_headers, vcf(
            ["N:Doe;John;;;", "EMAIL:john@example.com", "ORG:Acme", "NOTE:" + "n" * 2_000]),
            on_conflict="update")
        assert report["results"] == [{"index": 0, "status": "updated", "id": card["id"],
                                      "warnings": [
            "additional_data.note was left out: additional_data is at most 16384 bytes "
            "as JSON"]}]
        assert cards(client, auth_headers)[card["id"]]["additional_data"] == {
            "pet": "c" * 15_000, "company": "Acme"}

    @pytest.mark.parametrize("first, again", [
        ("N:Smith;Anna;;;", "N:SMITH;ANNA;;;"),
        ("N:Straße;Jürgen;;;", "N:STRASSE;JÜRGEN;;;"),
    ])
    def test_names_match_whatever_their_case(self, client, auth_headers, first, again):
        (card_id,) = ids_of(imported(client, auth_headers, vcf([first, "TEL:+14155552671"])))
        report = imported(client, auth_headers, vcf([again, "TEL:+1 415 555 2671"]))
        assert [(r["status"], r["id"]) for r in report["results"]] == [("skipped", card_id)]
        assert list(cards(client, auth_headers)) == [card_id]

    @pytest.mark.parametrize("on_conflict, second, status", [
        ("update", ["FN:Dup Two", "UID:same-uid", "EMAIL:d2@example.com"], "updated"),
        ("skip", ["FN:Dup Two", "EMAIL:d1@example.com"], "skipped"),
    ])
    def test_a_dry_run_gives_no_id_to_a_card_it_would_create(self, client, auth_headers,
                                                           on_conflict, second, status):
        report = imported(client, auth_headers, vcf(
            ["FN:Dup One", "UID:same-uid", "EMAIL:d1@example.com"], second),
            dry_run="true", on_conflict=on_conflict)
        assert [(r["status"], r["id"]) for r in report["results"]] == [
            ("created", None), (status, None)]
        assert cards(client, auth_headers) == {}

    def test_google_csv_with_given_name_and_no_family_name(self, client, auth_headers):
        report = imported(client, auth_headers,
                          b"Given Name,E-mail 1 - Value\r\nSolo,solo@example.com\r\n", "text/csv")
        (card_id,) = ids_of(report)
        card = cards(client, auth_headers)[card_id]
        assert (card["first_name"], card["last_name"], card["email"]) == (
            "Solo", "", "solo@example.com")

    def test_an_outlook_birthday_needs_four_year_digits(self, client, auth_headers):
        report = imported(client, auth_headers, (
            b"First Name,Last Name,E-mail Address,Birthday\r\n"
            b"Two,Digits,two@example.com,1/2/85\r\nFour,Digits,four@example.com,1/2/1985\r\n"
            b"No,Birthday,none@example.com,0/0/00\r\n"), "text/csv")
        two, four, none = ids_of(report)
        assert report["results"][0]["warnings"] == [
            "BDAY '1/2/85' has no four-digit year; the birthday was left empty"]
        assert [r.get("warnings") for r in report["results"][1:]] == [None, None]
        book = cards(client, auth_headers)
        assert [book[i]["birthday"] for i in (two, four, none)] == [None, "1985-01-02", None]
