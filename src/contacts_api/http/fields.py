"""marshmallow fields for the formats both surfaces share: ids, timestamps, lists."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import orjson
from email_validator import EmailNotValidError, validate_email
from marshmallow import Schema, fields
from webargs.core import MultiDictProxy

_ID_PATTERN = re.compile(
    r"[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


# ASCII digits only: `\d` would take "٣" (Arabic-Indic three) for epoch second 3.
_EPOCH_SECONDS = re.compile(r"[0-9]{1,12}(\.[0-9]+)?")


def parse_id(value) -> uuid.UUID | None:
    """A UUID from 32 hex characters or the hyphenated form, any case; None otherwise."""
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str) and _ID_PATTERN.fullmatch(value):
        return uuid.UUID(value)
    return None


def format_timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and `Z`: `2025-04-16T12:28:54.744Z`.

    A naive value is taken as UTC. Every timestamp of a list goes through here (200 on a
    page of cards): orjson writes the UTC value in half the time `isoformat` takes, and
    it leaves out a zero fraction, which is put back.
    """
    if value.tzinfo is not UTC and value.utcoffset():
        value = value.astimezone(UTC)
    text = orjson.dumps(value, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC)
    if len(text) == _WHOLE_SECONDS:  # b'"2025-04-16T12:28:54Z"'
        return text[1:20].decode() + ".000Z"
    return text[1:24].decode() + "Z"


_WHOLE_SECONDS = len(b'"2025-04-16T12:28:54Z"')


def parse_timestamp(value: str) -> datetime:
    """An aware UTC datetime from ISO 8601; a value without an offset is taken as UTC."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class Id(fields.Field):
    """A resource id: 32 lowercase hex characters out; 32 hex or hyphenated, any case, in."""

    network_error = "invalid_id"

    default_error_messages = {"invalid": "Invalid ID."}

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.hex

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = parse_id(value)
        if parsed is None:
            raise self.make_error("invalid")
        return parsed


class Timestamp(fields.Field):
    """An instant: ISO 8601 UTC with milliseconds and `Z` out; any ISO 8601 in."""

    default_error_messages = {"invalid": "Not a valid ISO 8601 datetime."}

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else format_timestamp(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return parse_timestamp(value)
        except ValueError as exc:
            raise self.make_error("invalid") from exc


class SyncTime(Timestamp):
    """An instant given as ISO 8601 (UTC when no offset) or as UNIX epoch seconds.

    Epoch seconds may carry a fraction (`1700000000.25`) and may be a JSON number;
    microseconds beyond the sixth decimal are dropped. On `/1/` a bad value is
    `400 invalid_date` with the value as submitted.
    """

    network_error = "invalid_date"
    default_error_messages = {"invalid": "Not an ISO 8601 datetime or UNIX epoch seconds."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and _EPOCH_SECONDS.fullmatch(value.strip()):
            try:
                micros = int(Decimal(value.strip()) * 1_000_000)
                return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
            except (OverflowError, ArithmeticError) as exc:
                raise self.make_error("invalid") from exc
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except OverflowError as exc:
            raise self.make_error("invalid") from exc


class RemovedSchema(Schema):
    """What is left of an object that is gone: its id."""

    id = Id(required=True, dump_only=True)


class OrRemoved(fields.Nested):
    """A nested object, or `{"id": …}` alone once it is gone (a tombstone of `/1/sync`)."""

    removed_schema = RemovedSchema


class CommaList(fields.List):
    """A list given as a JSON array, as repeated form/query parameters, or comma-separated.

    `ids=a,b&ids=c`, `ids=a&ids=b&ids=c` and `{"ids": ["a", "b", "c"]}` are the same list.
    In a form or query, values are split at commas and empty ones dropped (`ids=a,` is one
    id). A JSON array is taken item for item: a batch answers one entry per item in order,
    so a blank item is that item's error, never silently left out.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list | tuple):
            raise self.make_error("invalid")
        if isinstance(data, MultiDictProxy):  # how webargs hands over a form or a query
            value = [part.strip() for item in value for part in str(item).split(",")
                     if part.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


def normalize_email(value: str) -> str:
    """The address as email-validator normalizes it (domain lowercased, IDNA applied).

    Raises `ValueError` when it is not a deliverable-looking address. No DNS lookup is
    made: that would make validation slow and dependent on the network.
    """
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


class EmailAddress(fields.String):
    """An email address checked and normalized by email-validator, at most 255 characters."""

    network_error = "invalid_email"
    default_error_messages = {"invalid_email": "Not a valid email address."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > 255:
            raise self.make_error("invalid_email")
        try:
            return normalize_email(text)
        except ValueError as exc:
            raise self.make_error("invalid_email") from exc
