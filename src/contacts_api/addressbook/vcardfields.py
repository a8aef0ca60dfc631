"""The vCard properties the columns map, one by one: the value a stored line means (read
in, and compared on the way out), and the line a column's value is written as.
"""

import re
from datetime import date

from .cardvalues import (
    clean_labels,
    e164,
    fit_names,
    parse_birthday,
    pick_emails,
    pick_phones,
    split_name,
)
from .models import MonthDay
from .vcardlines import escape, new_line, preference, split, unescape

#: `TEL:…;ext=12` (vCard 4's URI form).
_EXTENSION_PARAMETER = re.compile(r";\s*ext=", re.I)
#: An extension written after the number (`x12`, `ext. 12`, `#12`), matched on the reversed
#: text: anchored at its start, the match is linear, where `\s*(?:ext\.?|x|#)\s*\d+\s*$`
#: is retried at every position of the text, quadratic in a long run of spaces.
_TRAILING_EXTENSION = re.compile(r"\s*\d+\s*(?:\.?txe|x|#)\s*", re.I)


def names(by_name: dict, warnings: list | None = None) -> tuple[str, str] | None:
    """(first, last) from N, else FN (one word is a first name; else split at the last space)."""
    found = None
    if "N" in by_name:
        parts = [part.strip() for part in split(by_name["N"][0].value, ";")] + ["", ""]
        if parts[0] or parts[1]:
            found = (parts[1], parts[0])
    if found is None and "FN" in by_name:
        found = split_name(unescape(by_name["FN"][0].value))
    return None if found is None else fit_names(found, warnings)


def by_preference(lines) -> list:
    return sorted(lines, key=preference)


def emails(lines, warnings) -> tuple[str | None, list[str]]:
    return pick_emails([unescape(line.value) for line in by_preference(lines)], warnings)


def phones(lines, region, warnings) -> tuple[str | None, list[str]]:
    return pick_phones([unescape(line.value) for line in by_preference(lines)], region,
                       warnings)


def birthday(line, warnings: list | None = None) -> date | MonthDay | None:
    return parse_birthday(line.value, warnings, "X-APPLE-OMIT-YEAR" in line.params)


def single(line) -> str | None:
    """The one-line text of ORG, TITLE, URL, NICKNAME, NOTE or ADR."""
    if line.name == "URL":
        text = line.value.strip()
    elif line.name == "ORG":
        text = split(line.value, ";")[0].strip()
    elif line.name == "ADR":
        parts = [" ".join(part.split()) for part in split(line.value, ";")]
        text = ", ".join(part for part in parts if part)
    elif line.name == "NICKNAME":
        text = ", ".join(part.strip() for part in split(line.value, ",") if part.strip())
    else:
        text = unescape(line.value).strip()
    return text or None


def labels(lines, warnings: list | None = None) -> list[str]:
    return clean_labels([value for line in lines for value in split(line.value, ",")], warnings)


def same_email(line, value: str) -> bool:
    return unescape(line.value).strip().casefold() == value.casefold()


def digits(value: str) -> str:
    """The number's digits without an extension or trunk zeros, to match it loosely."""
    number, *parameter = _EXTENSION_PARAMETER.split(value.removeprefix("tel:"), maxsplit=1)
    if not parameter and (trailing := _TRAILING_EXTENSION.match(number[::-1])):
        number = number[:len(number) - trailing.end()]
    return re.sub(r"\D", "", number).lstrip("0")


def same_phone(line, value: str) -> bool:
    text = unescape(line.value).strip()
    if text == value:
        return True
    ours, theirs = digits(text), digits(value)
    if len(ours) >= 6 and value.startswith("+") and theirs.endswith(ours):
        return True
    return value.startswith("+") and e164(text) == value


def new_email(value: str, version: str):
    return new_line("EMAIL", escape(value), {"TYPE": ["INTERNET"]} if version == "3.0" else None)


def new_phone(value: str, version: str):
    if version == "4.0" and e164(value) == value:
        return new_line("TEL", f"tel:{value}", {"VALUE": ["uri"]})
    return new_line("TEL", escape(value))


def new_birthday(birthday: date | MonthDay, version: str):
    if isinstance(birthday, MonthDay):
        if version == "3.0":
            # Apple's form: 3.0 has no year-less date; 1604 is a leap year, so 29 Feb fits.
            return new_line("BDAY", f"1604-{birthday.month:02d}-{birthday.day:02d}",
                            {"X-APPLE-OMIT-YEAR": ["1604"]})
        return new_line("BDAY", f"--{birthday.month:02d}{birthday.day:02d}")
    return new_line("BDAY", birthday.strftime("%Y%m%d" if version == "4.0" else "%Y-%m-%d"))


def new_single(name: str, value: str):
    if name == "URL":
        return new_line(name, " ".join(value.split()))
    if name == "ADR":
        return new_line(name, f";;{escape(value)};;;;")
    return new_line(name, escape(value))
