"""The `query` and `sort` syntax of `GET /api/contacts/`, turned into SQLAlchemy clauses.

    query=first_name:eq:John,created_at:gt:2025-01-01,email:endswith:@gmail.com

`labels` takes `eq`, `ne`, `in_` and `not_in`, case-insensitively, through the label index
(`labels.has_label`). A year-less birthday has no date, so no date filter matches it.

A query is `field:operator:value` terms joined by commas (AND). A comma ends a term
only when a new term follows it, that is when the text after it (spaces allowed) starts
with `<field>:<operator>:`; every other comma belongs to the value. So
`between:2025-01-01,2025-12-31` and `in_:["Doe, John","Roe"]` keep their commas. A query
without any `:` is a free-text search. Every value becomes a bound parameter.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import orjson
import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement

from ..http import BadRequest
from ..http.fields import parse_timestamp
from . import labels
from .models import Contact
from .sql import CaseSensitiveLike, JsonText

TEXT_FIELDS = {
    "first_name": Contact.first_name,
    "last_name": Contact.last_name,
    "email": Contact.email,
    "phone": Contact.phone,
}
DATE_FIELDS = {"birthday": Contact.birthday}
DATETIME_FIELDS = {"created_at": Contact.created_at, "updated_at": Contact.updated_at}
JSON_PREFIX = "additional_data."
LABELS = "labels"

TEXT_OPERATORS = frozenset(
    {"eq", "ne", "in_", "not_in", "like", "ilike", "not_like", "startswith", "endswith",
     "contains"}
)
DATE_OPERATORS = frozenset({"eq", "ne", "gt", "lt", "gte", "lte", "between", "in_"})
LABEL_OPERATORS = frozenset({"eq", "ne", "in_", "not_in"})

SORTABLE = {**TEXT_FIELDS, **DATE_FIELDS, **DATETIME_FIELDS}
NULLABLE = {"email", "phone", "birthday"}
DEFAULT_SORT = "last_name,first_name"
MAX_TERMS = 50
MAX_LIST_VALUES = 1000

_FIELD = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[^:,\"\[\]]+)?"
_TERM_BOUNDARY = re.compile(rf",(?=\s*{_FIELD}:[A-Za-z_]+:)")
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Term:
    field: str
    operator: str
    value: str


def invalid(detail: str) -> BadRequest:
    return BadRequest("invalid_filter", detail)


def parse_query(query: str) -> list[Term]:
    """The terms of a filter query (which must contain a `:`), validated against the fields."""
    raws = _TERM_BOUNDARY.split(query)
    if len(raws) > MAX_TERMS:
        raise invalid(f"Too many filter terms: at most {MAX_TERMS}")
    terms = []
    for raw in raws:
        field, sep1, rest = raw.strip().partition(":")
        operator, sep2, value = rest.partition(":")
        if not (sep1 and sep2):
            raise invalid(f"Invalid filter term '{raw.strip()}': expected field:operator:value")
        if operator not in operators_for(field):
            raise invalid(f"Invalid filter operator '{operator}' for field '{field}'")
        if field.startswith(JSON_PREFIX) and '"' in field:
            # SQLite's JSON paths cannot name such a key; refused alike on every backend.
            raise invalid(f"Invalid key in field '{field}': quotes are not supported")
        terms.append(Term(field, operator, value))
    return terms


def operators_for(field: str) -> frozenset[str]:
    if field in TEXT_FIELDS or (field.startswith(JSON_PREFIX) and len(field) > len(JSON_PREFIX)):
        return TEXT_OPERATORS
    if field in DATE_FIELDS or field in DATETIME_FIELDS:
        return DATE_OPERATORS
    if field == LABELS:
        return LABEL_OPERATORS
    return frozenset()


def filter_clause(query: str | None, owner_id: uuid.UUID | sa.BindParameter
                  ) -> ColumnElement[bool] | None:
    """The WHERE clause for a `query` parameter on `owner_id`'s cards, or None when it
    filters nothing."""
    query = (query or "").strip()
    if not query:
        return None
    if ":" not in query:
        return free_text(query)
    return sa.and_(*(term_clause(term, owner_id) for term in parse_query(query)))


def free_text(text: str) -> ColumnElement[bool]:
    """Case-insensitive substring of first name, last name, email or phone."""
    return sa.or_(*(column.icontains(text, autoescape=True) for column in TEXT_FIELDS.values()))


def term_clause(term: Term, owner_id: uuid.UUID | sa.BindParameter) -> ColumnElement[bool]:
    if term.field in DATE_FIELDS or term.field in DATETIME_FIELDS:
        return _date_clause(term)
    if term.field == LABELS:
        return _label_clause(term, owner_id)
    return _text_clause(term)


def _label_clause(term: Term, owner_id: uuid.UUID | sa.BindParameter) -> ColumnElement[bool]:
    """Has the label (`eq`), any of them (`in_`), or none of them (`ne`, `not_in`)."""
    values = [term.value] if term.operator in {"eq", "ne"} else _json_list(term)
    has = labels.has_label(owner_id, sorted({labels.fold(value) for value in values}))
    return has if term.operator in {"eq", "in_"} else sa.not_(has)


# --- text fields -------------------------------------------------------------------------

def _text_column(field: str):
    if field.startswith(JSON_PREFIX):
        return JsonText(Contact.additional_data, field[len(JSON_PREFIX):])
    return TEXT_FIELDS[field]


def _text_clause(term: Term) -> ColumnElement[bool]:
    column = _text_column(term.field)
    value = term.value
    # Addresses are unique ignoring case, so exact comparisons of them ignore case too.
    exact, fold = column, (lambda v: v)
    if term.field == "email":
        exact, fold = sa.func.lower(column), (lambda v: v.lower())
    match term.operator:
        case "eq":
            return exact == fold(value)
        case "ne":
            return exact.is_distinct_from(fold(value))
        case "in_":
            return exact.in_([fold(v) for v in _json_list(term)])
        case "not_in":
            return sa.or_(column.is_(None), exact.not_in([fold(v) for v in _json_list(term)]))
        case "like":
            return CaseSensitiveLike(column, _pattern(term))
        case "not_like":
            return sa.or_(column.is_(None), sa.not_(CaseSensitiveLike(column, _pattern(term))))
        case "ilike":
            return column.ilike(_pattern(term), escape="\\")
        case "startswith":
            return column.istartswith(value, autoescape=True)
        case "endswith":
            return column.iendswith(value, autoescape=True)
        case "contains":
            return column.icontains(value, autoescape=True)
    raise AssertionError(term.operator)  # parse_query admits no other operator


def _json_list(term: Term) -> list[str]:
    try:
        values = orjson.loads(term.value)
    except orjson.JSONDecodeError:
        values = None
    if isinstance(values, list) and len(values) > MAX_LIST_VALUES:
        raise invalid(f"Too many values for operator '{term.operator}' on field "
                      f"'{term.field}': at most {MAX_LIST_VALUES}")
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise invalid(
            f"Invalid value for operator '{term.operator}' on field '{term.field}': "
            'expected a JSON list of strings such as ["a","b"]'
        )
    return values


def _pattern(term: Term) -> str:
    """A LIKE pattern: `%` and `_` are wildcards, `\\` escapes them (and itself)."""
    if re.search(r"(?<!\\)(\\\\)*\\$", term.value):
        raise invalid(f"Invalid pattern for field '{term.field}': it ends with an escape '\\'")
    return term.value


# --- date fields -------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """A filter value on a date or datetime field: `[start, end)`, or the instant `start`."""

    start: date | datetime
    end: date | datetime | None = None  # None: an instant, compared exactly

    def eq(self, column):
        if self.end is None:
            return column == self.start
        return sa.and_(column >= self.start, column < self.end)


def _date_clause(term: Term) -> ColumnElement[bool]:
    column = DATE_FIELDS.get(term.field, DATETIME_FIELDS.get(term.field))
    parse = _date_span if term.field in DATE_FIELDS else _datetime_span
    if term.operator == "between":
        low, sep, high = term.value.partition(",")
        if not sep:
            raise invalid(
                f"Invalid value for operator 'between' on field '{term.field}': expected 'a,b'"
            )
        low_span, high_span = parse(term, low.strip()), parse(term, high.strip())
        return sa.and_(column >= low_span.start, _at_most(column, high_span))
    if term.operator == "in_":
        spans = [parse(term, value) for value in _json_list(term)]
        return sa.or_(sa.false(), *(span.eq(column) for span in spans))
    span = parse(term, term.value.strip())
    match term.operator:
        case "eq":
            return span.eq(column)
        case "ne":
            return sa.or_(column.is_(None), sa.not_(span.eq(column)))
        case "gt":
            return column >= span.end if span.end is not None else column > span.start
        case "gte":
            return column >= span.start
        case "lt":
            return column < span.start
        case "lte":
            return _at_most(column, span)
    raise AssertionError(term.operator)


def _at_most(column, span: Span):
    return column < span.end if span.end is not None else column <= span.start


def _bad_date(term: Term, value: str) -> BadRequest:
    return invalid(f"Invalid date value '{value}' for field '{term.field}'")


def _date_span(term: Term, value: str) -> Span:
    """A birthday is a plain date: `YYYY-MM-DD`."""
    if not _DATE_ONLY.fullmatch(value):
        raise _bad_date(term, value)
    try:
        return Span(date.fromisoformat(value))
    except ValueError as exc:
        raise _bad_date(term, value) from exc


def _datetime_span(term: Term, value: str) -> Span:
    """An instant (ISO 8601, UTC when no offset), or a date meaning that whole UTC day."""
    try:
        if _DATE_ONLY.fullmatch(value):
            start = datetime.combine(date.fromisoformat(value), time(), UTC)
            return Span(start, start + timedelta(days=1))
        return Span(parse_timestamp(value))
    except (ValueError, OverflowError) as exc:
        raise _bad_date(term, value) from exc


# --- sort ----------------------------------------------------------------------------------

def order_by(sort: str | None) -> list:
    """ORDER BY for `sort` (`last_name,-created_at`); the id breaks ties for stable paging."""
    clauses = []
    for item in (sort or "").split(","):
        name = item.strip()
        if not name:
            continue
        descending = name.startswith("-")
        name = name.removeprefix("-")
        column = SORTABLE.get(name)
        if column is None:
            raise BadRequest(detail=f"Invalid sort field '{name}'")
        clause = column.desc() if descending else column.asc()
        clauses.append(clause.nulls_last() if name in NULLABLE else clause)
    if not clauses:
        return order_by(DEFAULT_SORT)
    return [*clauses, Contact.id.asc()]
