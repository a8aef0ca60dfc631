"""SQL constructs the filter syntax needs that behave alike on PostgreSQL and SQLite."""

import json

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement


class JsonText(ColumnElement[str]):
    """The value of one top-level key of a JSON column, as text; the key is a bound value."""

    type = sa.String()
    inherit_cache = False

    def __init__(self, column, key: str):
        self.column = column
        self.key = key


@compiles(JsonText)
def _compile_json_text(element, compiler, **kw):
    return compiler.process(element.column[element.key].as_string(), **kw)


@compiles(JsonText, "sqlite")
def _compile_json_extract(element, compiler, **kw):
    # SQLite matches the key as written in the stored text, which json.dumps escapes.
    path = sa.bindparam(None, "$." + json.dumps(element.key), type_=sa.String())
    return compiler.process(
        sa.cast(sa.func.json_extract(element.column, path), sa.String()), **kw
    )


class CaseSensitiveLike(ColumnElement[bool]):
    """`LIKE` with `\\` as escape, case-sensitive on every backend.

    SQLite's LIKE ignores ASCII case, so there the pattern is translated to GLOB.
    """

    type = sa.Boolean()
    inherit_cache = False

    def __init__(self, column, pattern: str):
        self.column = column
        self.pattern = pattern


@compiles(CaseSensitiveLike)
def _compile_like(element, compiler, **kw):
    return compiler.process(element.column.like(element.pattern, escape="\\"), **kw)


@compiles(CaseSensitiveLike, "sqlite")
def _compile_glob(element, compiler, **kw):
    glob = element.column.op("GLOB", is_comparison=True)(like_to_glob(element.pattern))
    return compiler.process(glob, **kw)


def like_to_glob(pattern: str) -> str:
    """The GLOB pattern matching what a `\\`-escaped LIKE pattern matches."""
    out, chars = [], iter(pattern)
    for char in chars:
        if char == "\\":
            out.append(_glob_literal(next(chars, "\\")))
        elif char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        else:
            out.append(_glob_literal(char))
    return "".join(out)


def _glob_literal(char: str) -> str:
    return f"[{char}]" if char in "*?[" else char
