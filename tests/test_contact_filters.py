"""The `query` and `sort` syntax of `GET /api/contacts/`: the parser, then every operator."""

import uuid
from datetime import UTC, datetime

import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from addressbook_helpers import URL, add
from contacts_api.addressbook import filters
from contacts_api.addressbook.filters import Term, parse_query
from contacts_api.addressbook.models import Contact
from contacts_api.addressbook.sql import like_to_glob
from contacts_api.database import db
from contacts_api.http import BadRequest


class TestParser:
    @pytest.mark.parametrize(
        ("query", "terms"),
        [
            ("first_name:eq:John,created_at:gt:2025-01-01,email:endswith:@gmail.com",
             [Term("first_name", "eq", "John"), Term("created_at", "gt", "2025-01-01"),
              Term("email", "endswith", "@gmail.com")]),
            ("birthday:between:1980-01-01,1990-12-31,last_name:eq:Doe",
             [Term("birthday", "between", "1980-01-01,1990-12-31"),
              Term("last_name", "eq", "Doe")]),
            ('first_name:in_:["Doe, John","a:b:c"],last_name:not_in:[]',
             [Term("first_name", "in_", '["Doe, John","a:b:c"]'),
              Term("last_name", "not_in", "[]")]),
            ("created_at:between:2025-01-01T10:00:00Z,2025-02-01T10:00:00+01:00",
             [Term("created_at", "between", "2025-01-01T10:00:00Z,2025-02-01T10:00:00+01:00")]),
            ("first_name:contains:Doe, John", [Term("first_name", "contains", "Doe, John")]),
            ("first_name:eq:Ann,  last_name:eq:Lee",
             [Term("first_name", "eq", "Ann"), Term("last_name", "eq", "Lee")]),
            ("additional_data.job title:eq:CTO,phone:eq:",
             [Term("additional_data.job title", "eq", "CTO"), Term("phone", "eq", "")]),
        ],
    )
    def test_terms(self, query, terms):
        assert parse_query(query) == terms

    @pytest.mark.parametrize(
        ("query", "detail"),
        [
            ("first_name:gt:A", "Invalid filter operator 'gt' for field 'first_name'"),
            ("nosuch:eq:x", "Invalid filter operator 'eq' for field 'nosuch'"),
            ("birthday:like:19%", "Invalid filter operator 'like' for field 'birthday'"),
            ("additional_data:eq:x", "Invalid filter operator 'eq' for field 'additional_data'"),
            ("first_name:John",
             "Invalid filter term 'first_name:John': expected field:operator:value"),
        ],
    )
    def test_invalid_terms(self, query, detail):
        with pytest.raises(BadRequest) as raised:
            parse_query(query)
        assert (raised.value.error, raised.value.detail) == ("invalid_filter", detail)

    @pytest.mark.parametrize(
        ("pattern", "glob"),
        [("A%", "A*"), ("_b", "?b"), (r"50\%\_x", "50%_x"), ("a*?[b]", "a[*][?][[]b]"),
         (r"a\\b", "a\\b")],
    )
    def test_like_to_glob(self, pattern, glob):
        assert like_to_glob(pattern) == glob

    @pytest.mark.parametrize("dialect", [postgresql.dialect(), sqlite.dialect()])
    @pytest.mark.parametrize(
        "query",
        ["first_name:eq:x' OR '1'='1", "additional_data.a' OR 1=1 --:eq:v",
         "last_name:like:%'; DROP TABLE contacts; --"],
    )
    def test_values_are_bound_parameters(self, dialect, query):
        statement = sa.select(Contact.id).where(filters.filter_clause(query, uuid.uuid4()))
        compiled = statement.compile(dialect=dialect)
        assert "'" not in str(compiled).replace("ESCAPE '\\'", "")
        assert "OR 1=1" not in str(compiled) and "DROP" not in str(compiled)

    def test_sort_clauses(self):
        rendered = [str(c.compile(dialect=postgresql.dialect()))
                    for c in filters.order_by("-birthday,first_name")]
        assert rendered == ["contacts.birthday DESC NULLS LAST", "contacts.first_name ASC",
                            "contacts.id ASC"]
        default = [str(c.compile(dialect=postgresql.dialect())) for c in filters.order_by(None)]
        assert default == ["contacts.last_name ASC", "contacts.first_name ASC", "contacts.id ASC"]


CARDS = [
    dict(first_name="Ann", last_name="Lee", email="ann@gmail.com", phone="+14155552671",
         birthday="1990-01-15", additional_data={"company": "Acme", "level": "3"},
         created="2025-01-10T08:00:00", updated="2025-03-01T00:00:00"),
    dict(first_name="Bob", last_name="Stone", email="Bob@Work.org", phone="+442071838750",
         birthday="1985-06-30", additional_data={"company": "Globex", "n": 3},
         created="2025-02-01T12:30:00"),
    dict(first_name="Cy", last_name="Young", email="cy@gmail.com",
         created="2025-02-01T23:59:59"),
    dict(first_name="Dee", last_name="50%_Off", email="dee@example.net",
         created="2024-12-31T23:00:00"),
]


@pytest.fixture
def cards(app, client, auth_headers):
    """Four cards with known creation and update times."""
    for spec in CARDS:
        fields = {k: v for k, v in spec.items() if k not in {"created", "updated"}}
        created = add(client, auth_headers, **fields)
        created_at = datetime.fromisoformat(spec["created"]).replace(tzinfo=UTC)
        updated_at = datetime.fromisoformat(spec.get("updated", spec["created"])).replace(
            tzinfo=UTC)
        with app.app_context():
            db.session.execute(
                sa.update(Contact).where(Contact.id == uuid.UUID(created["id"]))
                .values(created_at=created_at, updated_at=updated_at)
            )
            db.session.commit()


def first_names(client, headers, **params):
    response = client.get(URL, query_string=params, headers=headers)
    assert response.status_code == 200, response.get_json()
    return [c["first_name"] for c in response.get_json()]


@pytest.mark.usefixtures("cards")
class TestOperators:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            # eq / ne: exact and case-sensitive, except email; ne keeps empty fields.
            ("first_name:eq:Ann", ["Ann"]),
            ("first_name:eq:ann", []),
            ("email:eq:BOB@WORK.ORG", ["Bob"]),
            ("last_name:ne:Lee", ["Dee", "Bob", "Cy"]),
            ("phone:ne:+14155552671", ["Dee", "Bob", "Cy"]),
            ("email:ne:ANN@gmail.com", ["Dee", "Bob", "Cy"]),
            # in_ / not_in: JSON lists; commas inside strings are part of the value.
            ('first_name:in_:["Ann","Cy","Nobody"]', ["Ann", "Cy"]),
            ('first_name:in_:["Ann, X","Bob"]', ["Bob"]),
            ('email:in_:["CY@GMAIL.COM"]', ["Cy"]),
            ("last_name:in_:[]", []),
            ('first_name:not_in:["Ann","Cy"]', ["Dee", "Bob"]),
            ('phone:not_in:["+14155552671"]', ["Dee", "Bob", "Cy"]),
            # like / not_like: case-sensitive SQL patterns, `\` escapes.
            ("first_name:like:A%", ["Ann"]),
            ("first_name:like:a%", []),
            ("first_name:like:_o_", ["Bob"]),
            ("email:like:Bob@%", ["Bob"]),
            ("email:like:bob@%", []),
            (r"last_name:like:%\_%", ["Dee"]),
            (r"last_name:like:5_\%%", ["Dee"]),
            ("first_name:not_like:A%", ["Dee", "Bob", "Cy"]),
            ("phone:not_like:+1%", ["Dee", "Bob", "Cy"]),
            # ilike: case-insensitive patterns.
            ("first_name:ilike:a%", ["Ann"]),
            ("email:ilike:%GMAIL%", ["Ann", "Cy"]),
            # startswith / endswith / contains: case-insensitive, wildcards are literal.
            ("email:startswith:ANN", ["Ann"]),
            ("email:endswith:@gmail.com", ["Ann", "Cy"]),
            ("last_name:contains:ONE", ["Bob"]),
            ("last_name:contains:%", ["Dee"]),
            ("last_name:startswith:_", []),
            ("phone:startswith:+44", ["Bob"]),
            # additional_data.<key>: the key's value as text.
            ("additional_data.company:eq:Acme", ["Ann"]),
            ("additional_data.company:ne:Acme", ["Dee", "Bob", "Cy"]),
            ('additional_data.company:in_:["Acme","Globex"]', ["Ann", "Bob"]),
            ("additional_data.company:startswith:glo", ["Bob"]),
            ("additional_data.company:like:G%", ["Bob"]),
            ("additional_data.level:eq:3", ["Ann"]),
            ("additional_data.n:eq:3", ["Bob"]),
            ("additional_data.missing:eq:x", []),
            # birthday: a date.
            ("birthday:eq:1990-01-15", ["Ann"]),
            ("birthday:ne:1990-01-15", ["Dee", "Bob", "Cy"]),
            ("birthday:gt:1985-06-30", ["Ann"]),
            ("birthday:gte:1985-06-30", ["Ann", "Bob"]),
            ("birthday:lt:1990-01-15", ["Bob"]),
            ("birthday:lte:1990-01-15", ["Ann", "Bob"]),
            ("birthday:between:1985-01-01,1989-12-31", ["Bob"]),
            ("birthday:between:1985-06-30,1990-01-15", ["Ann", "Bob"]),
            ('birthday:in_:["1990-01-15","2000-01-01"]', ["Ann"]),
            # created_at / updated_at: a date means that whole UTC day, else an instant.
            ("created_at:eq:2025-02-01", ["Bob", "Cy"]),
            ("created_at:ne:2025-02-01", ["Dee", "Ann"]),
            ("created_at:gt:2025-01-10", ["Bob", "Cy"]),
            ("created_at:gt:2025-01-10T08:00:00Z", ["Bob", "Cy"]),
            ("created_at:gte:2025-01-10T08:00:00", ["Ann", "Bob", "Cy"]),
            ("created_at:lt:2025-01-10", ["Dee"]),
            ("created_at:lte:2025-01-10", ["Dee", "Ann"]),
            ("created_at:eq:2025-02-01T13:30:00+01:00", ["Bob"]),
            ("created_at:lt:2025-01-01T00:30:00+01:00", ["Dee"]),
            ("created_at:between:2025-01-01,2025-02-01", ["Ann", "Bob", "Cy"]),
            ("created_at:between:2025-01-01T00:00:00Z,2025-02-01T12:30:00Z", ["Ann", "Bob"]),
            ('created_at:in_:["2025-01-10","2024-12-31"]', ["Dee", "Ann"]),
            ("updated_at:gt:2025-02-15", ["Ann"]),
            # Terms combine with AND.
            ("email:endswith:@gmail.com,created_at:gt:2025-01-31", ["Cy"]),
            ("first_name:eq:Ann, last_name:eq:Lee", ["Ann"]),
            ("first_name:eq:Ann,last_name:eq:Stone", []),
            # A comma not followed by `field:op:` belongs to the value.
            ("first_name:eq:Ann,last_name:eq", []),
            # No `:` at all: free text over names, email and phone.
            ("gmail", ["Ann", "Cy"]),
            ("STONE", ["Bob"]),
            ("4420", ["Bob"]),
            ("%", ["Dee"]),
            ("_", ["Dee"]),
            ("  ", ["Dee", "Ann", "Bob", "Cy"]),
        ],
    )
    def test_query(self, client, auth_headers, query, expected):
        assert first_names(client, auth_headers, query=query) == expected

    @pytest.mark.parametrize(
        ("query", "detail"),
        [
            ("first_name:gt:A", "Invalid filter operator 'gt' for field 'first_name'"),
            ("nosuch:eq:x", "Invalid filter operator 'eq' for field 'nosuch'"),
            ("birthday:contains:19", "Invalid filter operator 'contains' for field 'birthday'"),
            ('birthday:not_in:["1990-01-15"]',
             "Invalid filter operator 'not_in' for field 'birthday'"),
            ("created_at:like:2025%", "Invalid filter operator 'like' for field 'created_at'"),
            ("first_name:bogus:x", "Invalid filter operator 'bogus' for field 'first_name'"),
            ("first_name:EQ:Ann", "Invalid filter operator 'EQ' for field 'first_name'"),
            ("last_name:eq", "Invalid filter term 'last_name:eq': expected field:operator:value"),
            ("birthday:eq:1990-13-01", "Invalid date value '1990-13-01' for field 'birthday'"),
            ("birthday:eq:1990-01-01T00:00:00",
             "Invalid date value '1990-01-01T00:00:00' for field 'birthday'"),
            ("created_at:gt:yesterday", "Invalid date value 'yesterday' for field 'created_at'"),
            ("created_at:eq:9999-12-31",
             "Invalid date value '9999-12-31' for field 'created_at'"),
            ("created_at:between:2025-01-01",
             "Invalid value for operator 'between' on field 'created_at': expected 'a,b'"),
            ("created_at:between:2025-01-01,nope",
             "Invalid date value 'nope' for field 'created_at'"),
            ("first_name:in_:Ann", "Invalid value for operator 'in_' on field 'first_name': "
                                   'expected a JSON list of strings such as ["a","b"]'),
            ("first_name:not_in:[1,2]", "Invalid value for operator 'not_in' on field "
                                        "'first_name': expected a JSON list of strings such "
                                        'as ["a","b"]'),
            ('birthday:in_:["1990-01-15",', "Invalid value for operator 'in_' on field "
                                            "'birthday': expected a JSON list of strings such "
                                            'as ["a","b"]'),
            ('additional_data.a"b:eq:v',
             "Invalid key in field 'additional_data.a\"b': quotes are not supported"),
            ("first_name:like:abc\\",
             "Invalid pattern for field 'first_name': it ends with an escape '\\'"),
        ],
    )
    def test_invalid_query_is_400(self, client, auth_headers, query, detail):
        response = client.get(URL, query_string={"query": query}, headers=auth_headers)
        assert response.status_code == 400
        assert response.get_json() == {"error": "invalid_filter", "detail": detail}

    @pytest.mark.parametrize("key", ["a\\b", "a.b", "a[0]", "a$", "ü", "a'b", "a b", "*"])
    def test_any_additional_data_key(self, client, auth_headers, key):
        add(client, auth_headers, email="odd@example.com", additional_data={key: "v"})
        assert first_names(client, auth_headers, query=f"additional_data.{key}:eq:v") == ["John"]

    def test_limits(self, client, auth_headers):
        many_terms = ",".join(["first_name:ne:x"] * 51)
        response = client.get(URL, query_string={"query": many_terms}, headers=auth_headers)
        assert response.get_json() == {"error": "invalid_filter",
                                       "detail": "Too many filter terms: at most 50"}
        assert first_names(client, auth_headers, query=",".join(["first_name:ne:x"] * 50))
        many_values = "first_name:in_:" + orjson.dumps([str(n) for n in range(1001)]).decode()
        response = client.get(URL, query_string={"query": many_values}, headers=auth_headers)
        assert response.get_json() == {
            "error": "invalid_filter",
            "detail": "Too many values for operator 'in_' on field 'first_name': at most 1000"}

    def test_filter_and_pagination_headers(self, client, auth_headers):
        response = client.get(URL, headers=auth_headers,
                              query_string={"query": "email:endswith:.com", "limit": 1})
        assert [c["first_name"] for c in response.get_json()] == ["Ann"]
        assert response.headers["X-Total-Count"] == "2"
        assert response.headers["X-Page-Count"] == "2"

    def test_filters_never_reach_other_users(self, client, make_user, bearer):
        other = bearer(make_user("bob"))
        assert first_names(client, other, query="gmail") == []
        assert first_names(client, other, query="first_name:ne:x") == []

    @pytest.mark.parametrize("params", [{}, {"query": "first_name:ne:x", "sort": "-first_name"},
                                        {"query": "labels:ne:golf"}])
    def test_one_list_statement_serves_every_owner(self, client, auth_headers, make_user,
                                                   bearer, params):
        """A worker builds each list statement once, the owner a parameter: asked by two
        users in turn, it answers each with their own cards."""
        other = bearer(make_user("bob"))
        add(client, other, first_name="Zed", email="zed@example.com")
        mine = first_names(client, auth_headers, **params)
        assert sorted(mine) == ["Ann", "Bob", "Cy", "Dee"]
        assert first_names(client, other, **params) == ["Zed"]
        assert first_names(client, auth_headers, **params) == mine


@pytest.mark.usefixtures("cards")
class TestSort:
    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            (None, ["Dee", "Ann", "Bob", "Cy"]),
            ("", ["Dee", "Ann", "Bob", "Cy"]),
            ("-last_name", ["Cy", "Bob", "Ann", "Dee"]),
            ("first_name", ["Ann", "Bob", "Cy", "Dee"]),
            ("-first_name,last_name", ["Dee", "Cy", "Bob", "Ann"]),
            ("birthday,first_name", ["Bob", "Ann", "Cy", "Dee"]),
            ("-birthday,first_name", ["Ann", "Bob", "Cy", "Dee"]),
            ("phone,-first_name", ["Ann", "Bob", "Dee", "Cy"]),
            ("created_at", ["Dee", "Ann", "Bob", "Cy"]),
            ("-updated_at", ["Ann", "Cy", "Bob", "Dee"]),
        ],
    )
    def test_sort(self, client, auth_headers, sort, expected):
        params = {} if sort is None else {"sort": sort}
        assert first_names(client, auth_headers, **params) == expected

    @pytest.mark.parametrize("sort", ["nosuch", "-id", "first_name,additional_data"])
    def test_unknown_sort_field_is_400(self, client, auth_headers, sort):
        response = client.get(URL, query_string={"sort": sort}, headers=auth_headers)
        assert response.status_code == 400
        name = sort.split(",")[-1].lstrip("-")
        assert response.get_json() == {"error": "bad_request",
                                       "detail": f"Invalid sort field '{name}'"}
