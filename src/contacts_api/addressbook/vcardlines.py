"""vCard content lines: reading a card's lines with vobject, RFC 6350 escaping, writing and
converting lines between vCard 3.0 and 4.0.

vobject's component layer is not used: it knows vCard 3.0 only, decodes every value
(a PHOTO with bad base64 fails the whole card), re-escapes values it does not understand
(`TEL:…;ext=12` becomes `…\\;ext=12`) and sorts properties. Its line layer (unfolding,
parameter parsing, quoting parameter values) is used as it is, so a
property the columns do not map is written back with its raw value untouched. Lines are
held in a plain `Line`: vobject's `Line` costs ~20 µs per attribute set, which made
an export of 10,000 cards take seconds.
"""

import codecs
import io
import re
from dataclasses import dataclass, field

from vobject.base import VObjectError, dquoteEscape, getLogicalLines, parseLine

VERSIONS = ("3.0", "4.0")
#: Properties that hold binary data: 3.0 writes `ENCODING=b;TYPE=JPEG`, 4.0 a `data:` URI.
BINARY = {"PHOTO": "image", "LOGO": "image", "SOUND": "audio", "KEY": "application"}
_DATA_URI = re.compile(r"^data:([\w.+-]+)/([\w.+-]+);base64,(.*)$", re.I | re.S)
_ESCAPED = re.compile(r"\\(.)", re.S)


class Malformed(ValueError):
    """A card whose lines vobject cannot read."""


@dataclass(slots=True)
class Line:
    """One content line: `value` is raw (still escaped as the card wrote it)."""

    name: str
    value: str
    params: dict[str, list[str]] = field(default_factory=dict)
    group: str | None = None


def read_lines(block: str) -> list[Line]:
    """The card's content lines, unfolded, quoted-printable decoded, in their order."""
    lines = []
    try:
        for text, number in getLogicalLines(io.StringIO(block)):
            name, pairs, value, group = parseLine(text, number)
            params: dict[str, list[str]] = {}
            for pair in pairs:
                if len(pair) == 1:
                    # vCard 2.1's bare parameters (`TEL;CELL:`, `;QUOTED-PRINTABLE`).
                    pair = ["ENCODING" if pair[0].upper() == "QUOTED-PRINTABLE" else "TYPE",
                            pair[0]]
                params.setdefault(pair[0].upper(), []).extend(pair[1:])
            lines.append(Line(name.upper(), _decoded(value, params), params, group))
    except (VObjectError, ValueError, LookupError) as exc:
        raise Malformed(_first_line(str(exc))) from exc
    return lines


def _decoded(value: str, params: dict) -> str:
    """A quoted-printable value decoded (its CHARSET too): what we write is plain UTF-8."""
    charset = (params.pop("CHARSET", None) or ["utf-8"])[0]
    encoding = params.get("ENCODING", [])
    if not any(e.upper() == "QUOTED-PRINTABLE" for e in encoding):
        return value
    params["ENCODING"] = [e for e in encoding if e.upper() != "QUOTED-PRINTABLE"]
    if not params["ENCODING"]:
        del params["ENCODING"]
    return codecs.decode(value.encode("utf-8"), "quoted-printable").decode(charset)


def _first_line(message: str) -> str:
    return message.splitlines()[0][:200] if message else "unreadable line"


def unescape(value: str) -> str:
    """A text value as RFC 6350 §3.4 escapes it, read back (`\\n` is a line break)."""
    return _ESCAPED.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def split(value: str, separator: str) -> list[str]:
    """Split a raw value at unescaped `separator`s, unescaping each part."""
    parts, current, chars = [], [], iter(value)
    for char in chars:
        if char == "\\":
            current.append(char + next(chars, ""))
        elif char == separator:
            parts.append(unescape("".join(current)))
            current = []
        else:
            current.append(char)
    parts.append(unescape("".join(current)))
    return parts


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def new_line(name: str, value: str, params: dict | None = None,
             group: str | None = None) -> Line:
    """A line to write; `value` is already escaped as the property needs."""
    return Line(name, value, {key: list(values) for key, values in (params or {}).items()},
                group)


def copy(line: Line) -> Line:
    return new_line(line.name, line.value, line.params, line.group)


def types(line: Line) -> list[str]:
    """The TYPE values, split at commas, upper-cased."""
    return [t.strip().upper() for value in line.params.get("TYPE", []) for t in value.split(",")
            if t.strip()]


def preference(line: Line) -> int:
    """Lower is preferred: 4.0 `PREF=1..100`, 3.0 `TYPE=pref` (as 1); 101 when neither."""
    for value in line.params.get("PREF", []):
        if value.strip().isdigit():
            return int(value)
    return 1 if "PREF" in types(line) else 101


def drop_preference(line: Line) -> None:
    line.params.pop("PREF", None)
    kept = [t for t in types(line) if t != "PREF"]
    if "TYPE" in line.params:
        line.params["TYPE"] = kept
        if not kept:
            del line.params["TYPE"]


def convert(line: Line, version: str) -> Line:
    """A copy of `line` as `version` writes it; unchanged where both versions agree."""
    line = copy(line)
    if "PREF" in types(line) and version == "4.0":
        drop_preference(line)
        line.params["PREF"] = ["1"]
    elif "PREF" in line.params and version == "3.0":
        line.params.pop("PREF")
        line.params["TYPE"] = [*types(line), "PREF"]
    if line.name in BINARY:
        _convert_binary(line, version)
    return line


def _convert_binary(line: Line, version: str) -> None:
    encoding = [e.lower() for e in line.params.get("ENCODING", [])]
    if version == "4.0" and ("b" in encoding or "base64" in encoding):
        kind = (types(line) or ["JPEG"])[0].lower()
        media = kind if "/" in kind else f"{BINARY[line.name]}/{kind}"
        line.value = f"data:{media};base64,{''.join(line.value.split())}"
        for key in ("ENCODING", "TYPE", "VALUE"):
            line.params.pop(key, None)
    elif version == "3.0" and (match := _DATA_URI.match(line.value)):
        line.value = "".join(match.group(3).split())
        line.params.pop("VALUE", None)
        line.params.pop("MEDIATYPE", None)
        line.params["ENCODING"] = ["b"]
        line.params["TYPE"] = [match.group(2).upper()]


def serialize(line: Line) -> str:
    """One line, folded at 75 octets with CRLF (RFC 6350 §3.2) by vobject."""
    text = [f"{line.group}.{line.name}" if line.group else line.name]
    for key, values in line.params.items():
        # vobject refuses a double quote in a parameter value (RFC 6350 has no escape for it).
        quoted = ",".join(dquoteEscape(value.replace('"', "'")) for value in values)
        text.append(f";{key}={quoted}")
    # A value decoded from quoted-printable may hold raw line breaks; as text they are `\\n`.
    value = line.value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    text.append(f":{value}")
    return fold("".join(text))


def fold(text: str, octets: int = 75) -> str:
    """Fold at `octets` UTF-8 octets, never inside a character, and end with CRLF.

    Not vobject's `foldOneLine`: it measures a short line in characters, so a line of 60
    non-ASCII characters (over 75 octets) goes out unfolded, and it walks every character
    of a base64 photo in Python.
    """
    if text.isascii():
        parts = [text[:octets]] + [text[i:i + octets - 1]
                                   for i in range(octets, len(text), octets - 1)]
        return "\r\n ".join(parts) + "\r\n"
    parts, current, size = [], [], 0
    for char in text:
        width = len(char.encode())
        if size + width > octets:
            parts.append("".join(current))
            current, size = [], 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts) + "\r\n"


def version_of(lines: list[Line]) -> str | None:
    for line in lines:
        if line.name == "VERSION":
            return line.value.strip()
    return None
