"""The vCard mapping of API.md §5, both ways, for import, export and CardDAV alike.

A card read in becomes the columns (`ParsedCard.fields`) plus its own text, stored as
`Contact.vcard`. A card written out starts from that stored text: the lines the columns
map are replaced by the columns' current values (a stored line whose value still equals
its column is written back as it was, parameters and group included), and every other
line is written back unchanged, converted only where the target version requires it.
"""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import vcardfields as props
from .cardvalues import fit_data
from .models import birthday_of
from .vcardlines import (
    VERSIONS,
    Malformed,
    convert,
    copy,
    drop_preference,
    escape,
    new_line,
    read_lines,
    serialize,
    split,
    version_of,
)

PRODID = "-//contacts_api//address book//EN"
#: The first of each of these maps to a key of `additional_data`; further ones are kept.
SINGLE = {"ORG": "company", "TITLE": "position", "URL": "url", "NICKNAME": "nickname",
          "NOTE": "note", "ADR": "address"}
#: The keys of `additional_data` that hold the further EMAILs and TELs, lists of text.
TEXT_LISTS = ("emails", "phones")
#: The keys of `additional_data` that cards read in set; any other key is the user's own.
MAPPED_KEYS = (*SINGLE.values(), *TEXT_LISTS)
#: Written from the card's columns and metadata, never copied from the stored card.
REWRITTEN = {"BEGIN", "END", "VERSION", "PRODID", "REV", "UID"}
_BEGIN = re.compile(r"BEGIN:VCARD[ \t]*$", re.I)
_END = re.compile(r"END:VCARD[ \t]*$", re.I)
_LINE_END = re.compile(r"\r\n|\n|\r")


@dataclass
class ParsedCard:
    """A card read in: its columns, its text to store, its version and what could not map."""

    fields: dict
    vcard: str
    version: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class CardFailure:
    """A card that cannot go in: `error` is a code (`malformed`, `no_name`)."""

    error: str
    detail: str


class InvalidCard(ValueError):
    """Raised by `parse_card` for a body that is not exactly one card with a name."""

    def __init__(self, error: str, detail: str):
        super().__init__(detail)
        self.error, self.detail = error, detail


def parse_cards(text: str, region: str | None = None) -> Iterator[ParsedCard | CardFailure]:
    """Every card of a vCard file in order; a bad card is a `CardFailure` and the rest go on."""
    for block in split_cards(text):
        if isinstance(block, CardFailure):
            yield block
            continue
        try:
            yield _parse_block(block, region)
        except InvalidCard as exc:
            yield CardFailure(exc.error, exc.detail)


def parse_card(text: str, region: str | None = None) -> ParsedCard:
    """Exactly one card (a CardDAV PUT body); raises `InvalidCard` otherwise."""
    cards = list(split_cards(text))
    if len(cards) != 1:
        raise InvalidCard("malformed", "The body must hold exactly one vCard, "
                                       f"not {len(cards)}")
    if isinstance(cards[0], CardFailure):
        raise InvalidCard(cards[0].error, cards[0].detail)
    return _parse_block(cards[0], region)


def split_cards(text: str) -> Iterator[str | CardFailure]:
    """The BEGIN:VCARD…END:VCARD blocks of `text`, split here so that a card missing its END
    fails alone instead of swallowing the cards after it. Lines between cards are ignored."""
    current = None
    for line in _LINE_END.split(text):
        if _BEGIN.match(line):
            if current is not None:
                yield CardFailure("malformed", "The card has no END:VCARD before the next card")
            current = [line.strip()]
        elif current is not None:
            current.append(line)
            if _END.match(line):
                yield "\r\n".join(current) + "\r\n"
                current = None
    if current is not None:
        yield CardFailure("malformed", "The card has no END:VCARD")


def _parse_block(block: str, region: str | None) -> ParsedCard:
    try:
        lines = read_lines(block)
    except Malformed as exc:
        raise InvalidCard("malformed", f"Unreadable vCard: {exc}") from exc
    warnings: list[str] = []
    by_name = _mapped(lines)[0]
    names = props.names(by_name, warnings)
    if names is None:
        raise InvalidCard("no_name", "The card has no name (N or FN)")
    email, emails = props.emails(by_name.get("EMAIL", []), warnings)
    phone, phones = props.phones(by_name.get("TEL", []), region, warnings)
    data = {key: value for name, key in SINGLE.items()
            if name in by_name and (value := props.single(by_name[name][0]))}
    if emails:
        data["emails"] = emails
    if phones:
        data["phones"] = phones
    uid = next((line.value.strip() for line in lines if line.name == "UID"), None) or None
    if uid is not None and len(uid) > 255:
        warnings.append("UID is longer than 255 characters; it was not kept")
        uid = None
    fields = {
        "first_name": names[0], "last_name": names[1], "email": email, "phone": phone,
        "birthday": props.birthday(by_name["BDAY"][0], warnings) if "BDAY" in by_name else None,
        "additional_data": fit_data(data or None, MAPPED_KEYS, warnings),
        "labels": props.labels(by_name.get("CATEGORIES", []), warnings),
        "uid": uid,
    }
    return ParsedCard(fields, block, _version(version_of(lines)), warnings)


def _version(received: str | None) -> str:
    """The version a card is written back in: 2.1 (and a card without VERSION) as 3.0."""
    if received is None:
        return "4.0"
    return received if received in VERSIONS else "3.0"


def _mapped(lines) -> tuple[dict, list]:
    """The lines the columns map, by name, and the lines kept as they are, in order."""
    by_name: dict[str, list] = {}
    kept = []
    for line in lines:
        if line.name in REWRITTEN:
            continue
        mapped = line.name in {"N", "FN", "EMAIL", "TEL", "CATEGORIES"} or (
            line.name in {"BDAY", *SINGLE} and line.name not in by_name)
        if mapped:
            by_name.setdefault(line.name, []).append(line)
        else:
            kept.append(line)
    return by_name, kept


def unmapped(text: str | None) -> list[str]:
    """The stored card's lines the columns do not map, as 4.0 writes them, sorted: two cards
    with the same columns and the same `unmapped` lines render alike. Preferences are left
    out: 3.0 has no ranks (`PREF=2`), so a card that went through 3.0 lost them."""
    lines = [convert(line, "4.0") for line in _mapped(_stored(text))[1]]
    for line in lines:
        drop_preference(line)
    return sorted(serialize(line) for line in lines)


def _stored(text: str | None) -> list:
    if not text:
        return []
    try:
        return read_lines(text)
    except Malformed:
        return []


def render_card(card, version: str | None = None) -> str:
    """The card (an ORM card or a row) as vCard `version`, by default its stored version."""
    stored = _stored(card.vcard)
    target = version or _version(version_of(stored))
    by_name, kept = _mapped(stored)
    first, last = card.first_name, card.last_name
    data = card.additional_data or {}
    lines, dropped = _render_names(by_name, first, last)
    for name, values, same, make in (
        ("EMAIL", [card.email, *_strings(data.get("emails"))], props.same_email,
         props.new_email),
        ("TEL", [card.phone, *_strings(data.get("phones"))], props.same_phone, props.new_phone),
    ):
        written, unused = _render_many(by_name.get(name, []), values, same,
                                       lambda value, make=make: make(value, target))
        lines += written
        dropped += unused
    stored_birthday = by_name.get("BDAY", [])
    written = _render_one(stored_birthday, props.birthday(stored_birthday[0]) if stored_birthday
                          else None, birthday_of(card), lambda b: props.new_birthday(b, target))
    lines += written
    dropped += [line for line in stored_birthday if line not in written]
    for name, key in SINGLE.items():
        stored_one = by_name.get(name, [])
        written = _render_one(stored_one, props.single(stored_one[0]) if stored_one else None,
                              _text_value(data.get(key)), lambda v, n=name: props.new_single(n, v))
        lines += written
        dropped += [line for line in stored_one if line not in written]
    categories = by_name.get("CATEGORIES", [])
    if props.labels(categories) == list(card.labels or []) and categories:
        lines += categories
    elif card.labels:
        lines.append(new_line("CATEGORIES", ",".join(escape(label) for label in card.labels)))
        dropped += categories
    orphaned = {line.group for line in dropped if line.group} - {
        line.group for line in lines if line.group}
    lines += [line for line in kept if line.group not in orphaned or line.group is None]
    uid = card.uid or f"urn:uuid:{uuid.UUID(str(card.id))}"
    out = [new_line("BEGIN", "VCARD"), new_line("VERSION", target), new_line("PRODID", PRODID)]
    out += [convert(line, target) for line in lines]
    out += [new_line("UID", uid), new_line("REV", _revision(card.updated_at, target)),
            new_line("END", "VCARD")]
    return "".join(serialize(line) for line in out)


def _render_names(by_name: dict, first: str, last: str) -> tuple[list, list]:
    """N and FN for the card's names: the stored lines while the names are unchanged.

    Names changed through JSON replace N's family and given names only: its other
    components (additional names, honorific prefixes and suffixes) stay, and FN is written
    from all five, in the order a person is addressed.
    """
    stored = by_name.get("N", []) + by_name.get("FN", [])
    _, _, additional, prefix, suffix = (
        split(by_name["N"][0].value, ";") + [""] * 5)[:5] if "N" in by_name else [""] * 5
    name = new_line("N", ";".join(escape(part)
                                  for part in (last, first, additional, prefix, suffix)))
    full = new_line("FN", escape(" ".join(
        part for part in (prefix, first, additional, last, suffix) if part)))
    if stored and props.names(by_name) == (first, last):
        lines = [copy(line) for line in stored]
        if "N" not in by_name:
            lines.insert(0, name)
        if "FN" not in by_name:
            lines.append(full)
        return lines, []
    return [name, full], stored


def _render_many(stored: list, values: list, same, make) -> tuple[list, list]:
    """One line per value, reusing a stored line of the same value; the first is the
    preferred one as `props.by_preference` reads it back. Returns (lines, stored lines unused)."""
    remaining, lines = list(stored), []
    for value in values:
        if not value:
            continue
        match = next((line for line in remaining if same(line, value)), None)
        if match is not None:
            remaining.remove(match)
        lines.append(copy(match) if match is not None else make(value))
    if lines and props.by_preference(lines)[0] is not lines[0]:
        for line in lines[1:]:
            drop_preference(line)
    return lines, remaining


def _render_one(stored: list, stored_value, value, make) -> list:
    if stored and stored_value == value:
        return [copy(stored[0])]
    return [make(value)] if value is not None else []


def _strings(value) -> list[str]:
    """A list of strings from `additional_data` (set through the JSON API, so it may be
    anything)."""
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _text_value(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _revision(moment: datetime, version: str) -> str:
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return moment.strftime("%Y%m%dT%H%M%SZ" if version == "4.0" else "%Y-%m-%dT%H:%M:%SZ")
