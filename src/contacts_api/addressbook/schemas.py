"""The Contact representation and the arguments of the address-book endpoints."""

import operator
import re
from datetime import UTC, date, datetime

import orjson
import phonenumbers
import sqlalchemy as sa
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..http import CommaList, EmailAddress, Id, Timestamp
from ..http.fields import format_timestamp
from . import labels
from .filters import SORTABLE
from .models import (
    CARD_COLUMNS,
    MAX_ADDITIONAL_DATA_BYTES,
    MonthDay,
    birthday_of,
    stored_birthday,
)
from .vcard import MAPPED_KEYS, TEXT_LISTS

MAX_ADDITIONAL_DATA_DEPTH = 32
MAX_PHONE_INPUT = 64
_SORT_ITEM = rf"\s*(-?({'|'.join(sorted(SORTABLE))})\s*)?"
SORT_PATTERN = rf"^{_SORT_ITEM}(,{_SORT_ITEM})*$"


class Name(fields.String):
    """A name: surrounding spaces dropped, then 1..50 characters."""

    def __init__(self, **kwargs):
        # The pattern tells the document what stripping implies: not blank.
        metadata = {"pattern": r"\S", **kwargs.pop("metadata", {})}
        super().__init__(validate=validate.Length(min=1, max=50), metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class BlankAsNone:
    """Mixin: an empty string (an empty form field) means "no value"."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str) and not value.strip():
            value = None
        return super().deserialize(value, attr, data, **kwargs)


class PhoneNumber(BlankAsNone, fields.String):
    """An international phone number (`+` and country code), normalised to E.164."""

    default_error_messages = {
        "invalid_phone": "Not a valid phone number; give it in international form, "
                         "e.g. +14155552671.",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > MAX_PHONE_INPUT:
            raise self.make_error("invalid_phone")
        try:
            # No default region: a number without `+` and country code is ambiguous.
            number = phonenumbers.parse(text, None)
        except phonenumbers.NumberParseException as exc:
            raise self.make_error("invalid_phone") from exc
        if not phonenumbers.is_valid_number(number):
            raise self.make_error("invalid_phone")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


MONTH_DAY_PATTERN = r"^--\d{2}-\d{2}$"
_MONTH_DAY = re.compile(r"--(\d{2})-(\d{2})")
#: A leap year, so that `--02-29` is a real month-day.
_LEAP_YEAR = 2000


class Birthday(BlankAsNone, fields.String):
    """A real date strictly before today (UTC), or a month-day without a year (`--MM-DD`).

    Loads a `date` or a `MonthDay`; renders the card's birthday either way (`birthday_of`).
    """

    default_error_messages = {
        "invalid": "Not a valid date: give YYYY-MM-DD, or --MM-DD without a year.",
        "future": "Must be a date in the past.",
    }

    def _serialize(self, value, attr, obj, **kwargs):
        birthday = birthday_of(obj) if obj is not None else value  # no card: the doc's default
        return birthday.isoformat() if birthday is not None else None

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            if match := _MONTH_DAY.fullmatch(text):
                month, day = int(match[1]), int(match[2])
                date(_LEAP_YEAR, month, day)
                return MonthDay(month, day)
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise self.make_error("invalid")
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise self.make_error("invalid") from exc
        if day >= datetime.now(UTC).date():
            raise self.make_error("future")
        return day


class Labels(fields.List):
    """A card's labels: trimmed, 1..50 characters, at most 20, unique ignoring case.

    A label may hold a comma, so forms repeat the parameter; null means none.
    """

    def __init__(self, **kwargs):
        super().__init__(fields.String(), **kwargs)

    def deserialize(self, value, attr=None, data=None, **kwargs):
        return super().deserialize([] if value is None else value, attr, data, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize([] if value is None else value, attr, obj, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return labels.normalize(super()._deserialize(value, attr, data, **kwargs))
        except labels.InvalidLabels as exc:
            raise ValidationError(str(exc)) from exc


class JsonObject(BlankAsNone, fields.Dict):
    """A JSON object of at most 16 KiB serialized; forms may send it as a JSON string."""

    default_error_messages = {
        "invalid": "Must be a JSON object.",
        "too_large": f"Must be at most {MAX_ADDITIONAL_DATA_BYTES} bytes as JSON.",
        "too_deep": f"Must be nested at most {MAX_ADDITIONAL_DATA_DEPTH} levels deep.",
    }

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            try:
                value = orjson.loads(value)
            except orjson.JSONDecodeError as exc:
                raise self.make_error("invalid") from exc
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        if nesting_depth(value) > MAX_ADDITIONAL_DATA_DEPTH:
            raise self.make_error("too_deep")
        if len(orjson.dumps(value)) > MAX_ADDITIONAL_DATA_BYTES:
            raise self.make_error("too_large")
        return super()._deserialize(value, attr, data, **kwargs)


class CardData(JsonObject):
    """`additional_data`: any JSON object, but the keys the vCard mapping owns
    (`vcard.MAPPED_KEYS`) hold what the mapping writes and reads back: text, and lists of text
    under `emails` and `phones`; trimmed, as names are, a blank one left out (an empty value
    is no value, and no vCard line). Anything else would not survive export and import, which
    must change nothing (API.md §5)."""

    default_error_messages = {
        "text": "The key '{key}' must be a string (the vCard mapping writes it as text).",
        "texts": "The key '{key}' must be a list of strings (the vCard mapping writes each as "
                 "text).",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        value, cleaned, errors = super()._deserialize(value, attr, data, **kwargs), {}, []
        for key, item in value.items():
            if key in TEXT_LISTS:
                if not isinstance(item, list) or not all(isinstance(i, str) for i in item):
                    errors.append(self.error_messages["texts"].format(key=key))
                    continue
                item = [text.strip() for text in item if text.strip()] or None
            elif key in MAPPED_KEYS:
                if not isinstance(item, str):
                    errors.append(self.error_messages["text"].format(key=key))
                    continue
                item = item.strip() or None
            if item is not None or key not in MAPPED_KEYS:
                cleaned[key] = item
        if errors:
            raise ValidationError(errors)
        return cleaned


def nesting_depth(value) -> int:
    """How many objects/arrays deep `value` goes (an empty object is 1), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in children)
    return deepest


def _listed(keys) -> str:
    """Keys as the document names them: "`a`, `b` and `c`"."""
    *others, last = [f"`{key}`" for key in keys]
    return f"{', '.join(others)} and {last}"


class ContactSchema(Schema):
    """A card; as input (POST, PUT) omitted optional fields are null, PATCH uses `partial`."""

    id = Id(dump_only=True)
    first_name = Name(required=True)
    last_name = Name(required=True)
    # Required as input; null only on cards that came from elsewhere (API.md §5).
    email = EmailAddress(required=True, metadata={
        "description": "Unique per owner; null on some imported cards", "nullable": True})
    phone = PhoneNumber(
        allow_none=True, load_default=None, metadata={"example": "+14155552671"}
    )
    birthday = Birthday(
        allow_none=True, load_default=None,
        metadata={"anyOf": [{"type": "string", "format": "date"},
                            {"type": "string", "pattern": MONTH_DAY_PATTERN}],
                  "example": "1990-01-01",
                  "description": "A past date `YYYY-MM-DD`, or `--MM-DD` without a year"},
    )
    additional_data = CardData(
        allow_none=True, load_default=None,
        metadata={"example": {"company": "Example Corp", "position": "Developer"},
                  "description": "Any JSON object, except that the keys the vCard mapping "
                                 "owns take what it writes: "
                                 f"{_listed(k for k in MAPPED_KEYS if k not in TEXT_LISTS)} "
                                 f"a string, {_listed(TEXT_LISTS)} a list of strings; "
                                 "trimmed, blank ones left out"},
    )
    labels = Labels(
        load_default=list,
        metadata={"description": "Trimmed, 1..50 characters each, at most 20, unique "
                                 "ignoring case; `[]` when none",
                  "example": ["Family"]},
    )
    created_at = Timestamp(dump_only=True)
    updated_at = Timestamp(dump_only=True)

    def dump(self, obj, *, many=None):
        """The declared fields' output, built directly: lists of 100 cards are the hot path."""
        if self.only or self.exclude:
            return super().dump(obj, many=many)
        many = self.many if many is None else many
        return render_contacts(obj) if many else render_contact(obj)

    def dump_declared(self, obj, *, many=None):
        """Render through the declared marshmallow fields (the reference for `dump`)."""
        return super().dump(obj, many=many)


#: Reads a card's `CARD_COLUMNS`, the arguments of `_render` in their order.
_read_card = operator.attrgetter(*CARD_COLUMNS)


def render_contact(card) -> dict:
    """A card (ORM object or row) as `ContactSchema` renders it."""
    return _render(*_read_card(card))


def render_contacts(cards) -> list[dict]:
    """Cards as `ContactSchema(many=True)` renders them.

    The rows of a page are read by position: a row's attribute lookup by name cost more
    than half of rendering a page of 100 (0.43 → 0.17 ms, measured).
    """
    if cards and isinstance(cards[0], sa.Row):
        read = operator.itemgetter(*map(cards[0]._fields.index, CARD_COLUMNS))
    else:
        read = _read_card
    return [_render(*read(card)) for card in cards]


def _render(id, first_name, last_name, email, phone, birthday, birthday_key,  # noqa: A002
            additional_data, card_labels, created_at, updated_at) -> dict:
    birthday = stored_birthday(birthday, birthday_key)
    return {
        "id": id.hex,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "phone": phone,
        "birthday": birthday.isoformat() if birthday is not None else None,
        "additional_data": dict(additional_data) if additional_data is not None else None,
        "labels": list(card_labels or ()),
        "created_at": format_timestamp(created_at),
        "updated_at": format_timestamp(updated_at),
    }


class ContactPatchSchema(ContactSchema):
    """PATCH input: the fields of a card, each optional (use with `partial=True`)."""


class ContactListQuerySchema(Schema):
    query = fields.String(
        metadata={"description": "Filter: `field:op:value` terms joined by `,`, or free text"}
    )
    # The pattern documents `order_by`'s syntax; `order_by` answers 400 for anything else.
    sort = fields.String(
        metadata={"description": "Fields joined by `,`; `-` prefix for descending. "
                                 "Default `last_name,first_name`", "pattern": SORT_PATTERN},
    )


class UpcomingBirthdayQuerySchema(Schema):
    time_range = fields.Integer(
        load_default=7, validate=validate.Range(min=0, max=366),
        metadata={"description": "Days from today, 0..366"},
    )
    tz = fields.String(metadata={"description": "IANA time zone for today (default UTC)"})


class LabelSchema(Schema):
    name = fields.String(metadata={"description": "The label's most used spelling",
                                   "example": "Family"})
    count = fields.Integer(metadata={"description": "Cards carrying it"})


class LabelRenameSchema(Schema):
    name = Name(required=True, metadata={"description": "The new name (1..50 characters)"})


class DuplicateGroupSchema(Schema):
    reason = fields.String(metadata={"enum": ["email", "phone", "name"]})
    contacts = fields.Nested(ContactSchema, many=True,
                             metadata={"description": "Oldest first"})


MAX_MERGED = 1000


class MergeSchema(Schema):
    ids = CommaList(Id(), required=True, validate=validate.Length(max=MAX_MERGED),
                    metadata={"description": "Two or more of your contacts", "minItems": 2,
                              "uniqueItems": True})
    into = Id(load_default=None,
              metadata={"description": "The card that stays, one of `ids`; default the oldest"})

    @validates_schema
    def _distinct(self, data, **kwargs):
        """422 before any lookup: two distinct cards, and a kept card among them."""
        if len(set(data["ids"])) < 2:
            raise ValidationError("Give at least two distinct contact ids.", "ids")
        if data["into"] is not None and data["into"] not in data["ids"]:
            raise ValidationError("Must be one of ids.", "into")


class FeedUrlSchema(Schema):
    url = fields.String(metadata={"description": "The secret URL of your birthday feed; "
                                                 "no credentials needed"})


class Region(fields.String):
    """A country whose national phone numbers `phonenumbers` reads, any case (`us` → `US`)."""

    default_error_messages = {"region": "Must be an ISO 3166 country code, e.g. US."}

    def _deserialize(self, value, attr, data, **kwargs):
        region = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise self.make_error("region")
        return region


class ImportQuerySchema(Schema):
    dry_run = fields.Boolean(load_default=False,
                             metadata={"description": "Validate and report; write nothing"})
    on_conflict = fields.String(
        load_default="skip", validate=validate.OneOf(["skip", "update"]),
        metadata={"description": "What to do with a card that matches one in the book"})
    region = Region(metadata={"pattern": "^[A-Za-z]{2}$",
                              "description": "ISO 3166 country (e.g. `US`) for numbers "
                                             "written without a country code"})


class ImportResultSchema(Schema):
    index = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(
        ["created", "updated", "skipped", "failed"]))
    id = Id(allow_none=True)
    error = fields.String(metadata={"description": "failed only: `malformed` or `no_name`"})
    detail = fields.String(metadata={"description": "failed only"})
    warnings = fields.List(fields.String(), metadata={"description": "values that could not "
                                                      "be mapped, left empty, kept in the card"})


class ImportReportSchema(Schema):
    dry_run = fields.Boolean(required=True)
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    skipped = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    results = fields.List(fields.Nested(ImportResultSchema), required=True)


class ExportQuerySchema(Schema):
    format = fields.String(load_default="vcard", validate=validate.OneOf(["vcard", "csv"]))
    version = fields.String(load_default="4.0", validate=validate.OneOf(["3.0", "4.0"]),
                            metadata={"description": "vCard version (format=vcard)"})
    query = fields.String(
        metadata={"description": "Only the cards matching this filter (as in the list)"})
