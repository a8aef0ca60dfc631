"""`/1/find` and `/1/search`."""

import pytest

from .helpers import public, shape


@pytest.fixture
def zoe(make_user):
    return make_user("zoe_q", email="zoe@login.example", first_name="Zoë",
                     last_name="Ångström", organization="Acme Søftware",
                     work_email="Zoe@Work.Example", work_phone="+44 20 7555 0002",
                     home_phone="+1 212-555-4663", home_mobile="not a number")


def ids(response):
    return [user["id"] for user in response.get_json()]


class TestFind:
    @pytest.mark.parametrize(
        "query",
        ["email=ZOE@LOGIN.example", "email=zoe@work.example", "email=zoe.extra@example.com",
         "phone=%2B442075550002", "phone=%2B44 (0) 20 7555 0002", "phone=%2B1 (212) 555 4663",
         "email=nobody@example.com&phone=%2B12125554663"],
    )
    def test_each_kind_of_address_and_number(self, api, alice, zoe, query, add_email):
        add_email(zoe, "zoe.extra@example.com")
        response = api(alice).get(f"/1/find?{query}")
        assert response.status_code == 200
        assert shape(response.get_json()) == [public(zoe)]

    def test_many_values_at_once(self, api, alice, bob, zoe):
        response = api(alice).get(
            "/1/find?email=bob@example.com,zoe@work.example&email=x@y.example"
            "&phone=%2B12125552355")
        # Alice finds herself too, by her home mobile.
        assert sorted(ids(response)) == sorted([bob.id.hex, zoe.id.hex, alice.id.hex])
        names = [u["last_name"] for u in response.get_json()]
        assert names.index("Builder") < names.index("Liddell")

    def test_missing_arguments(self, api, alice):
        response = api(alice).get("/1/find")
        assert response.status_code == 400
        assert response.get_json() == {"error": "missing_required_argument", "detail": "email"}

    def test_at_most_1000_values(self, api, alice):
        emails = ",".join(f"u{n}@example.com" for n in range(600))
        phones = ",".join(f"+1212555{n:04d}" for n in range(400))
        assert api(alice).get(f"/1/find?email={emails}&phone={phones}").status_code == 200
        response = api(alice).get(f"/1/find?email={emails}&phone={phones},+12125559999")
        assert response.status_code == 400
        assert response.get_json() == {"error": "invalid_argument", "detail": "phone"}

    def test_unverified_accounts_are_not_found(self, api, alice, make_user):
        make_user("ghost", verified=False)
        assert api(alice).get("/1/find?email=ghost@example.com").get_json() == []

    def test_unparseable_numbers_match_nothing(self, api, alice, zoe):
        assert api(alice).get("/1/find?phone=not a number").get_json() == []


class TestSearch:
    @pytest.mark.parametrize("q", ["zoe", "ZOË", "angstrom", "zoe ang", "ACME", "søft",
                                   "zoe_q", "e_"])
    def test_case_and_accent_insensitive(self, api, alice, zoe, q):
        response = api(alice).get("/1/search", query_string={"q": q})
        assert response.status_code == 200
        assert shape(response.get_json()) == [public(zoe)]

    def test_wildcards_are_literal(self, api, alice, zoe):
        assert api(alice).get("/1/search", query_string={"q": "%%"}).get_json() == []
        assert api(alice).get("/1/search", query_string={"q": "z%q"}).get_json() == []

    def test_best_match_first(self, api, alice, make_user):
        substring = make_user("u1", first_name="Annabel", last_name="Lee")
        word = make_user("u2", first_name="Bel", last_name="Air")
        exact = make_user("bel", first_name="Someone", last_name="Else")
        later_word = make_user("u4", first_name="Mary", last_name="Belle")
        response = api(alice).get("/1/search?q=bel")
        assert ids(response) == [exact.id.hex, word.id.hex, later_word.id.hex,
                                 substring.id.hex]
        page = api(alice).get("/1/search?q=bel&skip=1&limit=2")
        assert ids(page) == [word.id.hex, later_word.id.hex]
        assert page.headers["X-Total-Count"] == "4"

    @pytest.mark.parametrize("q", ["a", " ", "  b "])
    def test_q_too_short(self, api, alice, q):
        response = api(alice).get("/1/search", query_string={"q": q})
        assert response.status_code == 400
        assert response.get_json() == {"error": "invalid_argument", "detail": "q"}

    def test_q_missing(self, api, alice):
        response = api(alice).get("/1/search")
        assert response.status_code == 400
        assert response.get_json() == {"error": "missing_required_argument", "detail": "q"}

    def test_a_renamed_user_is_found_by_the_new_name(self, api, alice, bob):
        api(bob).put("/1/you", data={"last_name": "Gärtner"})
        assert ids(api(alice).get("/1/search?q=gartner")) == [bob.id.hex]
        assert api(alice).get("/1/search?q=builder").get_json() == []
