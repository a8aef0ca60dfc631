"""A card's values, whichever format they were read from (vCard or CSV): which of its
addresses and numbers become `email` and `phone`, birthdays with or without a year, names
and labels by the column rules. A value that does not fit is left out with a warning, never
failing the card (API.md §5 "Import").
"""

import re
from datetime import UTC, date, datetime

import orjson
import phonenumbers

from ..http.fields import normalize_email
from . import labels as label_rules
from .models import MAX_ADDITIONAL_DATA_BYTES, MonthDay

NAME_LENGTH = 50
EMAIL_LENGTH = 255
PHONE_INPUT_LENGTH = 64
_YEARLESS = re.compile(r"^--(\d\d)-?(\d\d)$")
_DATE = re.compile(r"^(\d{4})-?(\d\d)-?(\d\d)(?:T[\d:.,+Z-]*)?$", re.I)


def split_name(text: str) -> tuple[str, str] | None:
    """A full name as (first, last): one word is a first name, else split at the last space."""
    first, _, last = " ".join(text.split()).rpartition(" ")
    return (first, last) if first else (last, "") if last else None


def fit_names(names: tuple[str, str], warnings: list | None = None) -> tuple[str, str]:
    if warnings is not None and max(map(len, names)) > NAME_LENGTH:
        warnings.append(f"Names are at most {NAME_LENGTH} characters; the name was shortened")
    return names[0][:NAME_LENGTH], names[1][:NAME_LENGTH]


def fit_data(data: dict | None, droppable, warnings: list) -> dict | None:
    """`additional_data` within the JSON API's limit: the largest of its `droppable` keys (the
    ones a card's values were mapped to) are left out until it fits, each with a warning,
    rather than failing the card."""
    if data is None or len(orjson.dumps(data)) <= MAX_ADDITIONAL_DATA_BYTES:
        return data
    data = dict(data)
    for key in sorted((key for key in data if key in droppable), reverse=True,
                      key=lambda key: len(orjson.dumps(data[key]))):
        if len(orjson.dumps(data)) <= MAX_ADDITIONAL_DATA_BYTES:
            break
        del data[key]
        warnings.append(f"additional_data.{key} was left out: additional_data is at most "
                        f"{MAX_ADDITIONAL_DATA_BYTES} bytes as JSON")
    return data or None


def pick_emails(values, warnings: list) -> tuple[str | None, list[str]]:
    """From addresses in order of preference: the first valid one (normalized) for `email`,
    the others as written for `additional_data.emails`."""
    primary, others = None, []
    for value in values:
        value = value.strip()
        if not value:
            continue
        # Only until one is valid: the others are kept as written, checked or not.
        valid = valid_email(value) if primary is None else None
        if primary is None and valid is None:
            warnings.append(f"EMAIL {value[:100]!r} is not a valid address")
        if primary is None and valid is not None:
            primary = valid
        else:
            others.append(value)
    return primary, others


def valid_email(value: str) -> str | None:
    if len(value) > EMAIL_LENGTH:
        return None
    try:
        return normalize_email(value)
    except ValueError:
        return None


def e164(value: str, region: str | None = None) -> str | None:
    """The number in E.164 (an extension is not part of it), or None when it cannot be read."""
    if len(value) > PHONE_INPUT_LENGTH:
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def pick_phones(values, region: str | None, warnings: list) -> tuple[str | None, list[str]]:
    """From numbers in order of preference: the first readable one in E.164 for `phone`, the
    others in E.164 or, unreadable, as written for `additional_data.phones`."""
    primary, others = None, []
    for value in values:
        value = value.strip()
        if not value:
            continue
        number = e164(value, region)
        if number is None:
            warnings.append(f"TEL {value[:100]!r} could not be read as a phone number")
        if primary is None and number is not None:
            primary = number
        else:
            others.append(number or value)
    return primary, others


def parse_birthday(value: str, warnings: list | None = None,
                   omit_year: bool = False) -> date | MonthDay | None:
    """A date, or a `MonthDay` for `--MM-DD` (and Apple's `X-APPLE-OMIT-YEAR`)."""
    value = value.strip()
    yearless = _YEARLESS.match(value)
    dated = _DATE.match(value)
    try:
        if yearless:
            month, day = int(yearless.group(1)), int(yearless.group(2))
            date(2000, month, day)  # a leap year: 29 February is a real month-day
            return MonthDay(month, day)
        if dated:
            day = date(*map(int, dated.groups()))
            if omit_year:
                return MonthDay(day.month, day.day)
            if day < datetime.now(UTC).date():
                return day
            problem = "is not in the past"
        else:
            problem = "is not a date"
    except ValueError:
        problem = "is not a real date"
    if warnings is not None:
        warnings.append(f"BDAY {value[:40]!r} {problem}; the birthday was left empty")
    return None


def clean_labels(values, warnings: list | None = None) -> list[str]:
    """Labels by the label rules: too long ones shortened, beyond the 20th dropped, each with
    a warning, rather than failing the card."""
    values = [value.strip() for value in values if value.strip()]
    if warnings is not None and any(len(v) > label_rules.MAX_LENGTH for v in values):
        warnings.append(f"Labels are at most {label_rules.MAX_LENGTH} characters; "
                        "longer ones were shortened")
    labels, seen = [], set()
    for value in values:
        label = value[:label_rules.MAX_LENGTH].strip()
        if label_rules.fold(label) not in seen:
            seen.add(label_rules.fold(label))
            labels.append(label)
    if len(labels) > label_rules.MAX_PER_CARD:
        if warnings is not None:
            warnings.append(f"At most {label_rules.MAX_PER_CARD} labels per card; "
                            "the first ones were kept")
        labels = labels[:label_rules.MAX_PER_CARD]
    return label_rules.normalize(labels)
