"""`addressbook-query` filters (RFC 6352 §10.5) as SQL on the card columns.

`FN` is the card's full name; `EMAIL` and `TEL` match the card's own address or number
and the extra ones the mapping keeps in `additional_data`; `UID` the UID a card came
with. Text matches are case-insensitive unless the collation is `i;octet`. Parameter
filters and other properties are answered 403 `CARDDAV:supported-filter`.
"""

import sqlalchemy as sa

from ..addressbook.models import Contact
from .errors import DavError
from .xml import CARDDAV, tag

SUPPORTED_FILTER = "{urn:ietf:params:xml:ns:carddav}supported-filter"
SUPPORTED_COLLATION = "{urn:ietf:params:xml:ns:carddav}supported-collation"
COLLATIONS = {"i;unicode-casemap", "i;ascii-casemap", "i;octet"}
_EXTRA = sa.cast(Contact.additional_data, sa.Text)


def _texts(name: str) -> list:
    """The SQL texts a vCard property is matched against."""
    full_name = sa.func.trim(Contact.first_name + " " + Contact.last_name)
    columns = {"FN": [full_name], "N": [full_name], "EMAIL": [Contact.email, _EXTRA],
               "TEL": [Contact.phone, _EXTRA], "UID": [Contact.uid]}
    if name not in columns:
        raise DavError(403, f"Cannot filter on {name}", SUPPORTED_FILTER)
    return [sa.func.coalesce(column, "") for column in columns[name]]


def _combine(test: str | None, clauses: list):
    if test not in (None, "anyof", "allof"):
        raise DavError(400, "test must be anyof or allof")
    return sa.and_(*clauses) if test == "allof" else sa.or_(*clauses)


def _text_match(texts: list, match) -> sa.ColumnElement[bool]:
    collation = match.get("collation", "i;unicode-casemap")
    if collation not in COLLATIONS:
        raise DavError(403, f"Unsupported collation {collation}", SUPPORTED_COLLATION)
    value = match.text or ""
    if collation != "i;octet":
        texts, value = [sa.func.lower(text) for text in texts], value.lower()
    kind = match.get("match-type", "contains")
    if kind == "equals":
        clauses = [text == value for text in texts]
    elif kind in ("contains", "starts-with", "ends-with"):
        method = {"contains": "contains", "starts-with": "startswith",
                  "ends-with": "endswith"}[kind]
        clauses = [getattr(text, method)(value, autoescape=True) for text in texts]
    else:
        raise DavError(400, f"Unknown match-type {kind}")
    clause = sa.or_(*clauses)
    return sa.not_(clause) if match.get("negate-condition") == "yes" else clause


def _prop_filter(node) -> sa.ColumnElement[bool]:
    texts = _texts((node.get("name") or "").upper())
    clauses = []
    for child in node:
        if child.tag == tag(CARDDAV, "is-not-defined"):
            clauses.append(sa.and_(*(text == "" for text in texts)))
        elif child.tag == tag(CARDDAV, "text-match"):
            clauses.append(_text_match(texts, child))
        else:
            raise DavError(403, "Only text-match and is-not-defined are supported",
                           SUPPORTED_FILTER)
    if not clauses:  # the property is defined
        return sa.or_(*(text != "" for text in texts))
    return _combine(node.get("test"), clauses)


def clause(filter_node) -> sa.ColumnElement[bool] | None:
    """The SQL condition of a `CARDDAV:filter` element; None matches every card."""
    if filter_node is None:
        return None
    props = [child for child in filter_node if child.tag == tag(CARDDAV, "prop-filter")]
    if not props:
        return None
    return _combine(filter_node.get("test"), [_prop_filter(prop) for prop in props])
