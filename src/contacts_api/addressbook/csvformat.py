"""Address books as CSV (API.md §5): this API's own columns, Google Contacts and Outlook
exports read in, told apart by their header; our own columns written out.

Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) are written
with a `'` in front; reading our own CSV takes it off again, so a round trip is exact.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator

from ..http.fields import format_timestamp
from .cardvalues import (
    clean_labels,
    fit_names,
    parse_birthday,
    pick_emails,
    pick_phones,
    split_name,
)
from .models import birthday_of
from .vcard import MAPPED_KEYS, SINGLE, CardFailure, ParsedCard

#: Our columns, in order; the first four tell our own export apart from others.
COLUMNS = ("id", "first_name", "last_name", "email", "phone", "birthday", "labels",
           "company", "position", "note", "url", "nickname", "address", "emails", "phones",
           "uid", "created_at", "updated_at")
LISTS = ("labels", "emails", "phones")
#: Google's separator for several values in one cell; ours for the list columns too.
SEPARATOR = " ::: "
FORMULA_START = ("=", "+", "-", "@")
_OUTLOOK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})$")
#: Google's name columns (`Given Name`/`Family Name` in its older export).
GOOGLE_NAMES = {"First Name", "Given Name"}
GOOGLE_SIGNS = {"E-mail 1 - Value", "Phone 1 - Value", "Labels", "Organization Name",
                "Organization 1 - Name"}
OUTLOOK_SIGNS = {"E-mail Address", "Mobile Phone", "Business Phone", "Job Title", "Categories"}


class UnknownHeader(ValueError):
    """A first row that is none of the CSV layouts we read."""


def kind_of(header: list[str]) -> str:
    """`ours`, `google` or `outlook`; raises `UnknownHeader`."""
    names = {name.strip() for name in header}
    if tuple(name.strip() for name in header[:4]) == COLUMNS[:4]:
        return "ours"
    if (names & GOOGLE_SIGNS and names & GOOGLE_NAMES) or {"Given Name", "Family Name"} <= names:
        return "google"
    if names & OUTLOOK_SIGNS and "First Name" in names:
        return "outlook"
    raise UnknownHeader("The CSV header is not this API's export, a Google Contacts CSV "
                        "or an Outlook CSV")


def defused(cell: str) -> str:
    """The cell as a spreadsheet must show it: formulas get a `'` in front (so does a cell
    that already starts with `'` and then a formula, so that reading it back is exact)."""
    if cell.startswith(FORMULA_START) or (cell.startswith("'") and defused(cell[1:]) != cell[1:]):
        return "'" + cell
    return cell


def restored(cell: str) -> str:
    """`defused` undone."""
    if cell.startswith("'") and defused(cell[1:]) == cell:
        return cell[1:]
    return cell


def parse_rows(rows: Iterable[list[str]], region: str | None = None
               ) -> Iterator[ParsedCard | CardFailure]:
    """The cards of a CSV file (`rows` from `csv.reader`, header first); blank rows skipped."""
    rows = iter(rows)
    header = [name.strip() for name in next(rows)]
    kind = kind_of(header)
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, (restored(c) if kind == "ours" else c for c in row),
                         strict=False))
        yield _card(kind, cells, region)


def _card(kind: str, cells: dict, region: str | None) -> ParsedCard | CardFailure:
    def get(*names: str) -> str:
        """The first of these columns that has a value."""
        return next((cells[n].strip() for n in names if cells.get(n, "").strip()), "")

    def many(*names: str) -> list[str]:
        """Every value of these columns (Google puts several in one cell, ` ::: ` apart)."""
        return [v.strip() for n in names for v in cells.get(n, "").split(SEPARATOR)]

    warnings: list[str] = []
    if kind == "ours":
        first, last = get("first_name"), get("last_name")
        emails, phones, labels = many("email", "emails"), many("phone", "phones"), many("labels")
        birthday, data_keys = get("birthday"), {key: key for key in SINGLE.values()}
    elif kind == "google":
        first, last = get("First Name", "Given Name"), get("Last Name", "Family Name")
        emails = many(*(f"E-mail {i} - Value" for i in range(1, 10)))
        phones = many(*(f"Phone {i} - Value" for i in range(1, 10)))
        labels = [label for label in many("Labels", "Group Membership")
                  if not label.startswith("* ")]  # Google's own groups (`* myContacts`)
        birthday = get("Birthday")
        data_keys = {"company": ("Organization Name", "Organization 1 - Name"),
                     "position": ("Organization Title", "Organization 1 - Title"),
                     "note": ("Notes",), "url": ("Website 1 - Value",),
                     "nickname": ("Nickname",), "address": ("Address 1 - Formatted",)}
    else:
        first, last = get("First Name"), get("Last Name")
        emails = many("E-mail Address", "E-mail 2 Address", "E-mail 3 Address")
        phones = many("Mobile Phone", "Home Phone", "Business Phone", "Other Phone")
        labels = get("Categories").split(";")
        birthday = _outlook_date(get("Birthday"), warnings)
        data_keys = {"company": ("Company",), "position": ("Job Title",), "note": ("Notes",),
                     "url": ("Web Page",), "nickname": ("Nickname",)}
    names = (first, last) if first or last else split_name(get("Name", "Display Name"))
    if names is None:
        return CardFailure("no_name", "The row has no name")
    email, other_emails = pick_emails(emails, warnings)
    phone, other_phones = pick_phones(phones, region, warnings)
    data = {key: value for key, columns in data_keys.items()
            if (value := get(*((columns,) if isinstance(columns, str) else columns)))}
    if "address" in data:  # one line, as from a vCard's ADR
        data["address"] = ", ".join(part.strip() for part in data["address"].splitlines()
                                    if part.strip())
    if other_emails:
        data["emails"] = other_emails
    if other_phones:
        data["phones"] = other_phones
    fields = {
        "first_name": "", "last_name": "", "email": email, "phone": phone,
        "birthday": parse_birthday(birthday, warnings) if birthday else None,
        "additional_data": data or None, "labels": clean_labels(labels, warnings),
        "uid": get("uid") or None if kind == "ours" else None,
    }
    fields["first_name"], fields["last_name"] = fit_names(names, warnings)
    return ParsedCard(fields, None, "", warnings)


def _outlook_date(text: str, warnings: list) -> str:
    """Outlook writes `M/D/YYYY`, and `0/0/00` for none. A year of two digits has no century
    to trust (85 is 1985 for a birthday, 25 anything), so it is refused, not guessed."""
    match = _OUTLOOK_DATE.match(text)
    if match is None:
        return text
    month, day, year = match.groups()
    if int(month) == 0:
        return ""
    if len(year) != 4:
        warnings.append(f"BDAY {text!r} has no four-digit year; the birthday was left empty")
        return ""
    return f"{year}-{int(month):02d}-{int(day):02d}"


def header() -> str:
    return _line(COLUMNS)


def row(card) -> str:
    """One card (an ORM card or a row) as our CSV line, formulas defused."""
    data = card.additional_data or {}
    birthday = birthday_of(card)
    values = {
        "id": card.id.hex, "first_name": card.first_name, "last_name": card.last_name,
        "email": card.email, "phone": card.phone,
        "birthday": birthday.isoformat() if birthday is not None else "",
        "labels": card.labels or [],
        "uid": card.uid or f"urn:uuid:{card.id}",
        "created_at": format_timestamp(card.created_at),
        "updated_at": format_timestamp(card.updated_at),
        **{key: data.get(key) for key in MAPPED_KEYS},
    }
    cells = []
    for column in COLUMNS:
        value = values.get(column)
        if isinstance(value, list):
            value = SEPARATOR.join(str(item) for item in value)
        cells.append(defused("" if value is None or isinstance(value, dict) else str(value)))
    return _line(cells)


def _line(cells) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(cells)  # quotes as needed, CRLF line ends (RFC 4180)
    return out.getvalue()
