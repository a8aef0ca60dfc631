"""Which card of the book an imported card is (API.md §5 "Import"): the one with its UID,
else the one with its email, else (a card without an email) the one with the same full
name and phone; and what placing it there would change.

`Book` holds only the cards an import can touch (loaded in a few indexed queries) plus
the cards the import creates, so a second card of the same file matches the first.
"""

import uuid
from collections.abc import Iterable
from types import SimpleNamespace

import sqlalchemy as sa

from ..database import db
from ..http.fields import parse_id
from . import vcard
from .cardvalues import fit_data
from .models import Contact, birthday_of

_CARDS = Contact.__table__
_CHUNK = 500
#: The columns an import writes and compares.
FIELDS = ("first_name", "last_name", "email", "phone", "birthday", "additional_data", "labels")


def our_uid(card_id: uuid.UUID) -> str:
    """The UID export writes for a card that arrived without one."""
    return f"urn:uuid:{card_id}"


def _rows(owner_id: uuid.UUID, column, values: set) -> dict:
    """The owner's rows whose `column` is in `values`, by id, in chunks of `IN` lists."""
    values, rows = sorted(values, key=str), {}
    for start in range(0, len(values), _CHUNK):
        statement = sa.select(_CARDS).where(_CARDS.c.owner_id == owner_id,
                                            column.in_(values[start:start + _CHUNK]))
        rows.update((row.id, row) for row in db.session.execute(statement))
    return rows


def _named(owner_id: uuid.UUID, names: set) -> set:
    """The ids of the owner's cards with one of these case-folded (first, last) names.

    SQL cannot fold case as `_name_key` does (SQLite's `lower()` folds ASCII only, and
    `casefold` makes "ß" "ss"), so the book's names are read, from the (owner, last name,
    first name, id) index alone, and compared here: the same index range that an `IN` on
    `first_name` walked, now without spelling."""
    if not names:
        return set()
    statement = sa.select(_CARDS.c.id, _CARDS.c.first_name, _CARDS.c.last_name).where(
        _CARDS.c.owner_id == owner_id)
    return {row.id for row in db.session.execute(statement)
            if (row.first_name.casefold(), row.last_name.casefold()) in names}


def _name_key(values: dict) -> tuple:
    return values["first_name"].casefold(), values["last_name"].casefold(), values["phone"]


class Book:
    """The owner's cards an import can match, and the cards it creates or changes."""

    def __init__(self, owner_id: uuid.UUID, rows: Iterable):
        self.owner_id = owner_id
        self.cards: dict[uuid.UUID, dict] = {}
        self.status: dict[uuid.UUID, str] = {}
        self.by_uid: dict[str, uuid.UUID] = {}
        self.by_email: dict[str, uuid.UUID] = {}
        self.by_name: dict[tuple, uuid.UUID] = {}
        for row in rows:
            values = {name: getattr(row, name) for name in (*FIELDS, "id", "uid", "vcard")}
            values["birthday"] = birthday_of(row)
            self._index(values)

    @classmethod
    def load(cls, owner_id: uuid.UUID, cards: list) -> "Book":
        """The book's cards sharing a UID, an email or (cards without one) a full name with
        `cards`, read with `IN` lists on indexed columns (names: found by `_named`) rather
        than the whole book.

        UIDs first: a re-imported card found by its UID, with the same email, needs no second
        look-up (that halves the rows a re-import reads)."""
        uids, ids = set(), set()
        for card in cards:
            uid = card.fields["uid"]
            if uid:
                uids.add(uid)
                if uid.startswith("urn:uuid:") and parse_id(uid[9:]):
                    ids.add(parse_id(uid[9:]))
        rows = _rows(owner_id, _CARDS.c.uid, uids) | _rows(owner_id, _CARDS.c.id, ids)
        known = {key: row.email.lower() if row.email else None for row in rows.values()
                 for key in (row.uid, our_uid(row.id)) if key}
        emails, names = set(), set()
        for card in cards:
            fields = card.fields
            if not fields["email"]:
                names.add(_name_key(fields)[:2])
            elif known.get(fields["uid"]) != fields["email"].lower():
                emails.add(fields["email"].lower())
        rows |= _rows(owner_id, sa.func.lower(_CARDS.c.email), emails)
        rows |= _rows(owner_id, _CARDS.c.id, _named(owner_id, names))
        return cls(owner_id, rows.values())

    def place(self, card: vcard.ParsedCard, update: bool) -> tuple[str, uuid.UUID]:
        """Match `card` and create, update or skip: (status, card id)."""
        fields = card.fields
        match = self._match(fields)
        if match is None:
            values = {**fields, "id": uuid.uuid4(), "vcard": card.vcard}
            self._take_email(values, card.warnings)
            self._fit(values, card.warnings)
            self._index(values)
            self.status[values["id"]] = "created"
            return "created", values["id"]
        if not update:
            return "skipped", match
        current = self.cards[match]
        values = self._merged(current, card)
        self._take_email(values, card.warnings)
        self._fit(values, card.warnings)
        if self._same(current, values):
            return "skipped", match
        self._unindex(current)
        self._index(values)
        self.status.setdefault(match, "updated")
        return "updated", match

    def creates(self, card_id: uuid.UUID) -> bool:
        """Whether the card is one this import creates (not yet in the book)."""
        return self.status.get(card_id) == "created"

    def created(self) -> list[dict]:
        return [self.cards[i] for i, status in self.status.items() if status == "created"]

    def updated(self) -> list[dict]:
        return [self.cards[i] for i, status in self.status.items() if status == "updated"]

    def labelled(self) -> list[SimpleNamespace]:
        """The written cards, shaped for `store_labels`."""
        return [SimpleNamespace(id=i, owner_id=self.owner_id, labels=self.cards[i]["labels"])
                for i in self.status]

    def _match(self, fields: dict) -> uuid.UUID | None:
        if fields["uid"] and fields["uid"] in self.by_uid:
            return self.by_uid[fields["uid"]]
        if fields["email"]:
            return self.by_email.get(fields["email"].lower())
        return self.by_name.get(_name_key(fields))

    @staticmethod
    def _merged(current: dict, card: vcard.ParsedCard) -> dict:
        """The card's mapped fields over the current card; the user's own `additional_data`
        keys, the UID and (for CSV) the stored vCard stay."""
        fields = card.fields
        data = {key: value for key, value in (current["additional_data"] or {}).items()
                if key not in vcard.MAPPED_KEYS}
        data.update(fields["additional_data"] or {})
        uid = fields["uid"] if fields["uid"] != our_uid(current["id"]) else current["uid"]
        return {**current, **fields, "additional_data": data or None,
                "uid": uid or current["uid"],
                "vcard": card.vcard if card.vcard is not None else current["vcard"]}

    @staticmethod
    def _same(current: dict, values: dict) -> bool:
        # `additional_data` `{}` (as JSON may set it) is none: a vCard or CSV cannot tell them
        # apart, so a card with `{}` comes back with none.
        if any(current[name] != values[name] for name in (*FIELDS, "uid")
               if name != "additional_data"):
            return False
        if (current["additional_data"] or None) != values["additional_data"]:
            return False
        return values["vcard"] == current["vcard"] or (
            vcard.unmapped(values["vcard"]) == vcard.unmapped(current["vcard"]))

    def _take_email(self, values: dict, warnings: list) -> None:
        """An address already on another card stays with the card as an additional one
        (API.md §6 does the same for CardDAV), and `email` is null."""
        email = values["email"]
        holder = self.by_email.get(email.lower()) if email else None
        if holder is None or holder == values["id"]:
            return
        data = dict(values["additional_data"] or {})
        data["emails"] = [email, *data.get("emails", [])]
        values["additional_data"], values["email"] = data, None
        warnings.append(f"EMAIL {email!r} is already on another card; it was kept in "
                        "additional_data.emails")

    @staticmethod
    def _fit(values: dict, warnings: list) -> None:
        """Within the 16 KiB of `additional_data` after the card's values joined the user's own
        keys and a moved email: only the card's values are left out, never the user's keys."""
        values["additional_data"] = fit_data(values["additional_data"], vcard.MAPPED_KEYS,
                                             warnings)

    def _index(self, values: dict) -> None:
        self.cards[values["id"]] = values
        self.by_uid.setdefault(our_uid(values["id"]), values["id"])
        if values["uid"]:
            self.by_uid.setdefault(values["uid"], values["id"])
        if values["email"]:
            self.by_email[values["email"].lower()] = values["id"]
        self.by_name.setdefault(_name_key(values), values["id"])

    def _unindex(self, values: dict) -> None:
        if values["email"] and self.by_email.get(values["email"].lower()) == values["id"]:
            del self.by_email[values["email"].lower()]
        if self.by_name.get(_name_key(values)) == values["id"]:
            del self.by_name[_name_key(values)]
