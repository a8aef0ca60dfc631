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
_FOLD = re.compile(r"(?:\r\n|\n|\r)[ \t]")
_LINE_END = re.compile(r"\r\n|\n|\r")
#: vCard 2.1's encodings as 3.0 names them (None: gone). Quoted-printable is decoded, and
#: 7BIT and 8BIT are what any value is now; BASE64 is 3.0's `b` (4.0 has no ENCODING:
#: `convert` makes a binary value a `data:` URI). 2.1 may write them bare (`;BASE64`).
_ENCODINGS = {"QUOTED-PRINTABLE": None, "7BIT": None, "8BIT": None, "BASE64": "b"}


class Malformed(ValueError):
    """A card whose lines vobject cannot read."""


@dataclass(slots=True)
class Line:
    """One content line: `value` is raw (still escaped as the card wrote it)."""

    name: str
    value: str
    params: dict[str, list[str]] = field(default_factory=dict)
    group: str | None = None
    #: The line as the card wrote it (unfolded), while nothing about it has changed: it is
    #: written back as it came, property name case and parameter order included.
    source: str | None = None


def read_lines(block: str) -> list[Line]:
    """The card's content lines, unfolded, quoted-printable decoded, in their order."""
    lines = []
    if "QUOTED-PRINTABLE" in block.upper():
        logical = (text for text, _number in getLogicalLines(io.StringIO(block)))
    else:
        # RFC 6350 §3.2 unfolding as one substitution: vobject's reader goes line by line
        # in Python and was a third of the time an export took.
        logical = (text for text in _LINE_END.split(_FOLD.sub("", block)) if text.strip())
    for text in logical:
        try:
            name, pairs, value, group = parseLine(text)
            params: dict[str, list[str]] = {}
            for pair in pairs:
                if len(pair) == 1:
                    # vCard 2.1's bare parameters (`TEL;CELL:`, `;QUOTED-PRINTABLE`).
                    pair = ["ENCODING" if pair[0].upper() in _ENCODINGS else "TYPE", pair[0]]
                params.setdefault(pair[0].upper(), []).extend(pair[1:])
            # A line with a bare parameter is vCard 2.1 and not kept as written: 3.0 and 4.0
            # need `TYPE=CELL` where 2.1 wrote `CELL`.
            plain = (len(pairs) == len(params) and all(len(pair) > 1 for pair in pairs)
                     and not {"CHARSET", "ENCODING"} & params.keys())
            decoded = _decoded(value, params)
            lines.append(Line(name.upper(), decoded, params, group,
                              text if plain and "\n" not in text else None))
        except (VObjectError, ValueError, LookupError) as exc:
            raise Malformed(f"cannot read the line {text[:80]!r}") from exc
        if "\x00" in decoded:
            # Quoted-printable `=00` makes one out of a file that has none. PostgreSQL text
            # cannot hold it, and no name or note means one: the card fails.
            raise Malformed(f"the line {text[:80]!r} decodes to a NUL character")
    return lines


def _decoded(value: str, params: dict) -> str:
    """The value and its ENCODING as 3.0 writes them (`_ENCODINGS`): a quoted-printable value
    decoded (its CHARSET too) into plain UTF-8, its line breaks escaped as `\\n`, the only
    line break a 3.0 or 4.0 text value has (a raw CR LF would be read back as LF)."""
    if not params:
        return value
    charset = (params.pop("CHARSET", None) or ["utf-8"])[0]
    encodings = params.get("ENCODING", [])
    if kept := [e for e in (_ENCODINGS.get(e.upper(), e) for e in encodings) if e]:
        params["ENCODING"] = kept  # in its place: parameters are written in their order
    else:
        params.pop("ENCODING", None)
    if not any(e.upper() == "QUOTED-PRINTABLE" for e in encodings):
        return value
    text = codecs.decode(value.encode("utf-8"), "quoted-printable").decode(charset)
    return _LINE_END.sub(r"\\n", text)


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
    duplicate = new_line(line.name, line.value, line.params, line.group)
    duplicate.source = line.source
    return duplicate


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
    if "PREF" not in line.params and "PREF" not in types(line):
        return
    line.source = None
    line.params.pop("PREF", None)
    kept = [t for t in types(line) if t != "PREF"]
    if "TYPE" in line.params:
        line.params["TYPE"] = kept
        if not kept:
            del line.params["TYPE"]


def convert(line: Line, version: str) -> Line:
    """`line`, changed in place to what `version` writes; unchanged where versions agree."""
    if "TYPE" in line.params and version == "4.0" and "PREF" in types(line):
        drop_preference(line)
        line.params["PREF"] = ["1"]
    elif "PREF" in line.params and version == "3.0":
        line.source = None
        line.params.pop("PREF")
        line.params["TYPE"] = [*types(line), "PREF"]
    if line.name in BINARY:
        _convert_binary(line, version)
    return line


def _convert_binary(line: Line, version: str) -> None:
    if version == "4.0" and "b" in (e.lower() for e in line.params.get("ENCODING", [])):
        kind = (types(line) or ["JPEG"])[0].lower()
        media = kind if "/" in kind else f"{BINARY[line.name]}/{kind}"
        line.value, line.source = f"data:{media};base64,{''.join(line.value.split())}", None
        for key in ("ENCODING", "TYPE", "VALUE"):
            line.params.pop(key, None)
    elif version == "3.0" and (match := _DATA_URI.match(line.value)):
        line.value, line.source = "".join(match.group(3).split()), None
        line.params.pop("VALUE", None)
        line.params.pop("MEDIATYPE", None)
        line.params["ENCODING"] = ["b"]
        line.params["TYPE"] = [match.group(2).upper()]


def serialize(line: Line) -> str:
    """One line as a card writes it, parameter values quoted by vobject, folded (`fold`)."""
    if line.source is not None:
        return fold(line.source)
    text = [f"{line.group}.{line.name}" if line.group else line.name]
    for key, values in line.params.items():
        # vobject refuses a double quote in a parameter value (RFC 6350 has no escape for it).
        quoted = ",".join(dquoteEscape(value.replace('"', "'")) for value in values)
        text.append(f";{key}={quoted}")
    # A value from a CSV cell (a UID) may hold raw line breaks; as text they are `\\n`.
    value = line.value
    if "\n" in value or "\r" in value:
        value = value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    text.append(f":{value}")
    return fold("".join(text))


def fold(text: str, octets: int = 75) -> str:
    """Fold at `octets` UTF-8 octets, never inside a character, and end with CRLF.

    Not vobject's `foldOneLine`: it measures a short line in characters, so a line of 60
    non-ASCII characters (over 75 octets) goes out unfolded, and it walks every character
    of a base64 photo in Python.
    """
    if len(text) < octets and (text.isascii() or len(text.encode()) <= octets):
        return text + "\r\n"
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
