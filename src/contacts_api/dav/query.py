"""`addressbook-query` filters (RFC 6352 §10.5) as SQL on the card columns.

A property has values: `FN` the card's full name; `EMAIL` and `TEL` each of the card's
addresses or numbers, its own (`email`, `phone`) and each extra one the mapping keeps in
`additional_data.emails` / `phones`; `UID` the UID a card came with. As RFC 6352 §10.5.1
says of property instances, a `prop-filter` matches a card when one of its values passes
the filter's text-matches (a negated one: does not match), so a card without a value never
passes a text-match, and `is-not-defined` matches a card without any. Text matches are
case-insensitive unless the collation is `i;octet`. Parameter filters and other
properties are answered 403 `CARDDAV:supported-filter`.
"""

from collections.abc import Callable

import sqlalchemy as sa

from ..addressbook.models import Contact
from ..database import db
from .errors import DavError
from .xml import CARDDAV, tag

SUPPORTED_FILTER = "{urn:ietf:params:xml:ns:carddav}supported-filter"
SUPPORTED_COLLATION = "{urn:ietf:params:xml:ns:carddav}supported-collation"
COLLATIONS = {"i;unicode-casemap", "i;ascii-casemap", "i;octet"}
_FULL_NAME = sa.func.trim(Contact.first_name + " " + Contact.last_name)
#: A property's one-value columns, and the `additional_data` key of its further values.
PROPERTIES = {"FN": ([_FULL_NAME], None), "N": ([_FULL_NAME], None),
              "EMAIL": ([Contact.email], "emails"), "TEL": ([Contact.phone], "phones"),
              "UID": ([Contact.uid], None)}

Test = Callable[[sa.ColumnElement[str]], sa.ColumnElement[bool]]


def _extra_values(key: str, test: Test) -> sa.Select:
    """The card's non-empty strings under `additional_data.<key>` (a list of them, or one)
    that pass `test`: one row per value, so each is matched on its own."""
    if db.session.get_bind().dialect.name == "postgresql":
        # Lax mode reads a single string as a list of one, as the mapping's readers do.
        path = sa.literal_column(f"'lax $.{key}[*] ? (@.type() == \"string\")'")
        item = sa.func.jsonb_path_query(sa.func.to_jsonb(Contact.additional_data),
                                        path).column_valued("item")
        value = item.op("#>>")(sa.literal_column("'{}'"))
        return sa.select(sa.literal(1)).where(value != "", test(value))
    path = f"$.{key}"
    each = sa.func.json_each(Contact.additional_data, path).table_valued("value", "type")
    return sa.select(sa.literal(1)).select_from(each).where(
        sa.func.json_type(Contact.additional_data, path).in_(["array", "text"]),
        each.c.type == "text", each.c.value != "", test(each.c.value))


def _any_value(name: str, test: Test) -> sa.ColumnElement[bool]:
    """The card has a non-empty value of the property that passes `test`."""
    columns, key = PROPERTIES[name]
    # Coalesced: a NULL inside `not_` would make `is-not-defined` unknown, not true.
    texts = [sa.func.coalesce(column, "") for column in columns]
    clauses = [sa.and_(text != "", test(text)) for text in texts]
    if key is not None:
        clauses.append(sa.exists(_extra_values(key, test)))
    return sa.or_(*clauses)


def _combine(test: str | None, clauses: list):
    if test not in (None, "anyof", "allof"):
        raise DavError(400, "test must be anyof or allof")
    return sa.and_(*clauses) if test == "allof" else sa.or_(*clauses)


def _text_match(match) -> Test:
    collation = match.get("collation", "i;unicode-casemap")
    if collation not in COLLATIONS:
        raise DavError(403, f"Unsupported collation {collation}", SUPPORTED_COLLATION)
    value = match.text or ""
    folded = collation != "i;octet"
    if folded:
        value = value.lower()
    kind = match.get("match-type", "contains")
    methods = {"contains": "contains", "starts-with": "startswith", "ends-with": "endswith"}
    if kind != "equals" and kind not in methods:
        raise DavError(400, f"Unknown match-type {kind}")
    negate = match.get("negate-condition") == "yes"

    def test(text):
        text = sa.func.lower(text) if folded else text
        clause = (text == value if kind == "equals"
                  else getattr(text, methods[kind])(value, autoescape=True))
        return sa.not_(clause) if negate else clause
    return test


def _prop_filter(node) -> sa.ColumnElement[bool]:
    name = (node.get("name") or "").upper()
    if name not in PROPERTIES:
        raise DavError(403, f"Cannot filter on {name}", SUPPORTED_FILTER)
    clauses, tests = [], []
    for child in node:
        if child.tag == tag(CARDDAV, "is-not-defined"):
            clauses.append(sa.not_(_any_value(name, lambda text: sa.true())))
        elif child.tag == tag(CARDDAV, "text-match"):
            tests.append(_text_match(child))
        else:
            raise DavError(403, "Only text-match and is-not-defined are supported",
                           SUPPORTED_FILTER)
    if tests:  # one value passes them all (allof) or one of them (anyof)
        clauses.append(_any_value(name, lambda text: _combine(
            node.get("test"), [test(text) for test in tests])))
    if not clauses:  # the property is defined
        return _any_value(name, lambda text: sa.true())
    return _combine(node.get("test"), clauses)


def clause(filter_node) -> sa.ColumnElement[bool] | None:
    """The SQL condition of a `CARDDAV:filter` element; None matches every card."""
    if filter_node is None:
        return None
    props = [child for child in filter_node if child.tag == tag(CARDDAV, "prop-filter")]
    if not props:
        return None
    return _combine(filter_node.get("test"), [_prop_filter(prop) for prop in props])
