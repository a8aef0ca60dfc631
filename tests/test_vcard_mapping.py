"""The vCard mapping of API.md §5, both ways, without HTTP: parse, render, round trips."""

import re
import uuid
import warnings
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import vobject
from vcard.vcard_validator import VCard

from contacts_api.addressbook.models import MonthDay
from contacts_api.addressbook.vcard import (
    CardFailure,
    InvalidCard,
    ParsedCard,
    parse_card,
    parse_cards,
    render_card,
)

DATA = Path(__file__).parent / "data"
UPDATED = datetime(2025, 4, 16, 12, 28, 54, 744000, tzinfo=UTC)


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def vcf(*lines: str) -> str:
    return "\r\n".join(("BEGIN:VCARD", *lines, "END:VCARD", ""))


def stored(parsed: ParsedCard, **changes) -> SimpleNamespace:
    """A card as the database holds it after importing `parsed` (and `changes` to columns)."""
    fields = {"vcard": parsed.vcard, **parsed.fields, **changes}
    birthday = fields.pop("birthday")
    return SimpleNamespace(
        id=uuid.UUID("fd0540d0-1094-45e3-a060-1bc6e69f8f1d"), updated_at=UPDATED,
        birthday=birthday if isinstance(birthday, date) else None,
        birthday_key=birthday.month * 100 + birthday.day if birthday else None, **fields,
    )


def lines_of(text: str) -> list[str]:
    """The unfolded lines of a rendered card."""
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def assert_well_formed(text: str) -> None:
    """What RFC 6350 §3.2 asks of what we write: CRLF, lines of at most 75 octets, the frame."""
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = lines_of(text)
    assert unfolded[0] == "BEGIN:VCARD" and unfolded[-1] == "END:VCARD"
    assert unfolded[1] in ("VERSION:3.0", "VERSION:4.0")
    # vobject's full parser (with its vCard 3.0 behaviour) reads it back.
    card = vobject.readOne(text)
    assert card.name == "VCARD"


def test_rfc_6350_example_card():
    simon, stevenson, org = parse_cards(read("rfc6350.vcf"))
    assert simon.version == "4.0" and simon.warnings == []
    assert simon.fields == {
        "first_name": "Simon", "last_name": "Perreault",
        "email": "simon.perreault@viagenie.ca", "phone": "+14186569254",
        "birthday": MonthDay(2, 3),
        "additional_data": {
            "company": "Viagenie", "url": "http://nomis80.org",
            "address": "Suite D2-630, 2875 Laurier, Quebec, QC, G1V 2M2, Canada",
            "phones": ["+14182626501"],
        },
        "labels": [], "uid": None,
    }
    # PREF=1 wins over the first EMAIL; unreadable (fictional) numbers stay as written.
    assert stevenson.fields["email"] == "jane_doe@example.com"
    assert stevenson.fields["additional_data"]["emails"] == ["jqpublic@xyz.example.com"]
    assert stevenson.fields["phone"] is None
    assert stevenson.fields["additional_data"]["phones"] == [
        "tel:+1-555-555-5555;ext=5555", "tel:+33-01-23-45-67"]
    assert stevenson.warnings == [
        "TEL 'tel:+1-555-555-5555;ext=5555' could not be read as a phone number",
        "TEL 'tel:+33-01-23-45-67' could not be read as a phone number",
    ]
    assert stevenson.fields["labels"] == [
        "TRAVEL AGENT", "INTERNET", "IETF", "INDUSTRY", "INFORMATION TECHNOLOGY"]
    assert stevenson.fields["additional_data"]["nickname"] == "Jim, Jimmie"
    assert stevenson.fields["additional_data"]["note"] == (
        "This fax number is operational 0800 to 1715 EST, Mon-Fri.")
    assert stevenson.fields["uid"] == "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
    # FN alone names a card: split at the last space.
    assert (org.fields["first_name"], org.fields["last_name"]) == ("ABC", "Marketing")
    assert org.fields["additional_data"] == {"company": "ABC, Inc."}
    assert org.warnings == ["BDAY 'circa 1800' is not a date; the birthday was left empty"]


def test_iphone_card_with_photo_groups_and_labels():
    johnny, juergen, acme = parse_cards(read("iphone.vcf"), region="US")
    assert johnny.fields == {
        "first_name": "Johnny", "last_name": "Appleseed",
        "email": "johnny@example.com", "phone": "+14085550100",
        "birthday": MonthDay(2, 29),
        "additional_data": {
            "company": "Apple Inc.", "position": "Seed planter",
            "url": "https://www.example.com/johnny", "nickname": "Johnny Appleseed",
            "note": "Met at the orchard, spring 2019.\nLikes apples.",
            "address": "1 Infinite Loop, Cupertino, CA, 95014, United States",
            "emails": ["j.appleseed@example.org"], "phones": ["+14085550199", "555-0123"],
        },
        "labels": ["Friends", "Orchard Club"],
        "uid": "9B8C9A2E-2F44-4B7B-8F5C-0E0D1F7E1A11",
    }
    assert johnny.version == "3.0"
    assert johnny.warnings == ["TEL '555-0123' could not be read as a phone number"]
    # Folded non-ASCII text.
    assert juergen.fields["additional_data"]["note"].endswith("mit Umlauten äöü.")
    assert juergen.fields["phone"] == "+49301234567"
    assert (acme.fields["first_name"], acme.fields["last_name"]) == ("Acme", "Plumbing")
    assert acme.fields["phone"] == "+14155552671"  # national number, region US


def test_iphone_card_renders_back_every_property():
    johnny = next(parse_cards(read("iphone.vcf"), region="US"))
    text = render_card(stored(johnny))
    assert_well_formed(text)
    out = lines_of(text)
    assert out[:5] == ["BEGIN:VCARD", "VERSION:3.0", "PRODID:-//contacts_api//address book//EN",
                       "N:Appleseed;Johnny;Q;Dr.;Jr.", "FN:Dr. Johnny Q Appleseed Jr."]
    for line in ("item1.EMAIL;TYPE=INTERNET,pref:johnny@example.com",
                 "item1.X-ABLabel:_$!<Other>!$_",
                 "item2.EMAIL;TYPE=INTERNET,HOME:j.appleseed@example.org",
                 "TEL;TYPE=WORK,VOICE:+1 408 555 0199;ext=42",
                 "item3.TEL:555-0123",
                 "BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29",
                 "ORG:Apple Inc.;Engineering",
                 "item5.ADR;type=WORK:;;One Apple Park Way;Cupertino;CA;95014;United States",
                 "X-SOCIALPROFILE;type=twitter:https://twitter.com/johnny",
                 "IMPP;X-SERVICE-TYPE=Skype;TYPE=HOME,pref:skype:johnny.appleseed",
                 "UID:9B8C9A2E-2F44-4B7B-8F5C-0E0D1F7E1A11",
                 "REV:2025-04-16T12:28:54Z"):
        assert line in out
    photo = next(line for line in out if line.startswith("PHOTO"))
    assert photo.startswith("PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ")
    # In 4.0 the photo becomes a data: URI and TYPE=pref becomes PREF=1.
    out4 = lines_of(render_card(stored(johnny), "4.0"))
    assert next(line for line in out4 if line.startswith("PHOTO")) == (
        "PHOTO:data:image/jpeg;base64," + photo.split(":", 1)[1])
    assert "item1.EMAIL;TYPE=INTERNET;PREF=1:johnny@example.com" in out4
    assert "REV:20250416T122854Z" in out4


@pytest.mark.parametrize("version", [None, "3.0", "4.0"])
@pytest.mark.parametrize("name", ["iphone.vcf", "rfc6350.vcf", "quoted_printable.vcf"])
def test_round_trip_changes_no_column(name, version):
    for card in parse_cards(read(name), region="US"):
        fields = {**card.fields, "uid": card.fields["uid"]}
        again = parse_card(render_card(stored(card), version), region="US")
        if fields["uid"] is None:
            fields["uid"] = "urn:uuid:fd0540d0-1094-45e3-a060-1bc6e69f8f1d"
        assert again.fields == fields
        # Rendering what was rendered gives the same card (REV and all).
        assert render_card(stored(again), version) == render_card(stored(card), version)


def test_json_edits_render_new_values_and_keep_the_rest():
    johnny = next(parse_cards(read("iphone.vcf"), region="US"))
    data = {**johnny.fields["additional_data"], "company": "Orchards Ltd",
            "emails": ["new@example.org"], "phones": ["+14085550199"]}
    card = stored(johnny, first_name="John", email="john@example.com", phone="+14155552671",
                  birthday=date(1990, 5, 1), additional_data=data, labels=["Family"])
    out = lines_of(render_card(card, "4.0"))
    # The rename keeps N's middle name and honorifics (the card has "N:Appleseed;Johnny;Q;Dr.;Jr.").
    assert "N:Appleseed;John;Q;Dr.;Jr." in out and "FN:Dr. John Q Appleseed Jr." in out
    emails = [line for line in out if "EMAIL" in line]
    assert emails == ["EMAIL:john@example.com", "EMAIL:new@example.org"]
    # The dropped addresses take their Apple labels with them; other groups stay.
    assert not any("_$!<Other>!$_" in line or line.endswith(":Orchard") for line in out)
    assert "item3.X-ABLabel:_$!<Pager>!$_" not in out
    assert [line for line in out if "TEL" in line] == [
        "TEL;VALUE=uri:tel:+14155552671", "TEL;TYPE=WORK,VOICE:+1 408 555 0199;ext=42"]
    assert "BDAY:19900501" in out and "CATEGORIES:Family" in out
    assert "ORG:Orchards Ltd" in out
    assert "item5.X-ABADR:us" in out and any(line.startswith("PHOTO:data:") for line in out)
    again = parse_card(render_card(card, "4.0"))
    assert again.fields["email"] == "john@example.com"
    assert again.fields["additional_data"]["emails"] == ["new@example.org"]
    assert again.fields["phone"] == "+14155552671"


def test_quoted_printable_and_vcard_2_1():
    juergen, zoska = parse_cards(read("quoted_printable.vcf"))
    assert (juergen.fields["first_name"], juergen.fields["last_name"]) == ("Jürgen", "Müller")
    assert juergen.fields["additional_data"] == {"note": "Grüße aus Köln, bis bald."}
    assert juergen.fields["phone"] == "+491701234567"
    assert juergen.version == "3.0"
    assert (zoska.fields["first_name"], zoska.fields["last_name"]) == ("Zośka", "Łukasz")
    out = lines_of(render_card(stored(juergen)))
    assert out[1] == "VERSION:3.0"
    assert "TEL;TYPE=CELL,PREF:+49 170 1234567" in out
    assert "NOTE:Grüße aus Köln, bis bald." in out  # decoded, otherwise as received


@pytest.mark.parametrize("bday, expected", [
    ("--0229", MonthDay(2, 29)),
    ("--02-29", MonthDay(2, 29)),
    ("19850412", date(1985, 4, 12)),
    ("1985-04-12", date(1985, 4, 12)),
    ("1953-10-15T23:10:00Z", date(1953, 10, 15)),
])
def test_birthdays(bday, expected):
    card = parse_card(vcf("VERSION:4.0", "FN:Ann", f"BDAY:{bday}"))
    assert card.fields["birthday"] == expected and card.warnings == []


@pytest.mark.parametrize("bday, problem", [
    ("2025-02-30", "is not a real date"),
    ("--02-30", "is not a real date"),
    ("2999-01-01", "is not in the past"),
    ("circa 1800", "is not a date"),
])
def test_impossible_birthday_is_left_empty_and_kept_in_the_card(bday, problem):
    card = parse_card(vcf("VERSION:4.0", "FN:Ann", f"BDAY:{bday}"))
    assert card.fields["birthday"] is None
    assert card.warnings == [f"BDAY {bday!r} {problem}; the birthday was left empty"]
    assert f"BDAY:{bday}" in lines_of(render_card(stored(card)))


def test_apple_omit_year_and_yearless_output_per_version():
    card = parse_card(vcf("VERSION:3.0", "N:Doe;Ann;;;", "BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-14"))
    assert card.fields["birthday"] == MonthDay(3, 14)
    fresh = stored(card, vcard=None)
    assert "BDAY:--0314" in lines_of(render_card(fresh, "4.0"))
    assert "BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-14" in lines_of(render_card(fresh, "3.0"))


@pytest.mark.parametrize("lines, names", [
    (("N:Doe;John;;;",), ("John", "Doe")),
    (("N:;Cher;;;",), ("Cher", "")),
    (("N:Prince;;;;",), ("", "Prince")),
    (("N:;;;;", "FN:Mary Ann van Buren"), ("Mary Ann van", "Buren")),
    (("FN:Madonna",), ("Madonna", "")),
    (("N:" + "x" * 60 + ";Al;;;",), ("Al", "x" * 50)),
])
def test_names(lines, names):
    card = parse_card(vcf("VERSION:3.0", *lines))
    assert (card.fields["first_name"], card.fields["last_name"]) == names


@pytest.mark.parametrize("lines", [(), ("N:;;;;",), ("FN:  ",), ("N:;;;;", "FN:")])
def test_a_card_without_a_name_fails(lines):
    with pytest.raises(InvalidCard) as raised:
        parse_card(vcf("VERSION:3.0", "EMAIL:a@example.com", *lines))
    assert (raised.value.error, raised.value.detail) == ("no_name",
                                                         "The card has no name (N or FN)")


def test_one_bad_card_fails_alone():
    text = (vcf("VERSION:3.0", "FN:One")
            + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No end\r\n"
            + vcf("VERSION:3.0", "FN:Three")
            + vcf("VERSION:3.0", "EMAIL:x@example.com")
            + vcf("VERSION:3.0", "FN:Five", "this line has no colon")
            + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut off at the end")
    results = list(parse_cards(text))
    assert [r.fields["first_name"] if isinstance(r, ParsedCard) else r for r in results] == [
        "One",
        CardFailure("malformed", "The card has no END:VCARD before the next card"),
        "Three",
        CardFailure("no_name", "The card has no name (N or FN)"),
        CardFailure("malformed",
                    "Unreadable vCard: cannot read the line 'this line has no colon'"),
        CardFailure("malformed", "The card has no END:VCARD"),
    ]


def test_parse_card_wants_exactly_one_card():
    with pytest.raises(InvalidCard) as raised:
        parse_card(vcf("VERSION:4.0", "FN:A") + vcf("VERSION:4.0", "FN:B"))
    assert raised.value.detail == "The body must hold exactly one vCard, not 2"
    with pytest.raises(InvalidCard):
        parse_card("hello")


def test_labels_from_categories_follow_the_label_rules():
    many = ",".join(f"L{i}" for i in range(25))
    card = parse_card(vcf("VERSION:4.0", "FN:Ann", "CATEGORIES:Family,family, Work ,,"
                          + "y" * 51, f"CATEGORIES:{many}"))
    assert card.fields["labels"][:3] == ["Family", "Work", "y" * 50]
    assert len(card.fields["labels"]) == 20
    assert card.warnings == ["Labels are at most 50 characters; longer ones were shortened",
                             "At most 20 labels per card; the first ones were kept"]


def test_escaping_and_folding_of_what_we_write():
    card = parse_card(vcf("VERSION:4.0", "N:Doe;Jane;;;"))
    note = "Line one; with, punctuation\\ and\nline two " + "ü" * 80
    out = render_card(stored(card, vcard=None, additional_data={"note": note},
                             labels=["a,b", "c;d"]), "4.0")
    assert_well_formed(out)
    assert "CATEGORIES:a\\,b,c\\;d" in lines_of(out)
    again = parse_card(out)
    assert again.fields["additional_data"]["note"] == note
    assert again.fields["labels"] == ["a,b", "c;d"]


def test_fresh_card_uid_and_strict_3_0_validator():
    """A card made through the JSON API: our UID, and vCard 3.0 a strict validator accepts."""
    card = SimpleNamespace(
        id=uuid.UUID("fd0540d0-1094-45e3-a060-1bc6e69f8f1d"), vcard=None, updated_at=UPDATED,
        first_name="John", last_name="Doe", email="john@example.com", phone="+14155552671",
        birthday=date(1990, 1, 1), birthday_key=101, labels=["Friends"], uid=None,
        additional_data={"company": "Example Corp", "position": "Developer"})
    text = render_card(card, "3.0")
    assert text == (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//contacts_api//address book//EN\r\n"
        "N:Doe;John;;;\r\nFN:John Doe\r\nEMAIL;TYPE=INTERNET:john@example.com\r\n"
        "TEL:+14155552671\r\nBDAY:1990-01-01\r\nORG:Example Corp\r\nTITLE:Developer\r\n"
        "CATEGORIES:Friends\r\nUID:urn:uuid:fd0540d0-1094-45e3-a060-1bc6e69f8f1d\r\n"
        "REV:2025-04-16T12:28:54Z\r\nEND:VCARD\r\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        VCard(text)
    assert re.search(r"\r\nTEL;VALUE=uri:tel:\+14155552671\r\n", render_card(card))
