"""`/1/suggestions`: contacts of contacts by mutual count, address-book matches, hide/restore."""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from contacts_api.database import db, utcnow
from contacts_api.extensions import cache
from contacts_api.network.models import Block, ContactLink, ContactRequest, SuggestionRefresh

from .helpers import T, public, shape

UNKNOWN = uuid.UUID("fd0540d0109445e3a0601bc6e69f8f1d")


def link(app, *pairs):
    """Make each pair contacts of each other, directly in the database."""
    with app.app_context():
        for a, b in pairs:
            db.session.add_all([ContactLink(user_id=a.id, contact_id=b.id),
                                ContactLink(user_id=b.id, contact_id=a.id)])
        db.session.commit()


@pytest.fixture
def graph(app, make_user, api):
    """Alice's small world; `graph.x` is user x.

    alice's contacts: bob, carol, dave (carol and dave also know each other)
    erin knows bob, carol, dave        → 3 mutual
    frank knows bob, carol             → 2 mutual
    gina knows bob; on alice's card too → 1 mutual
    hank knows bob, but is unverified  → never (while verification is required)
    ivan knows carol, and blocked alice → never
    liam knows bob; alice requested him → never
    mona knows dave; she requested alice → never
    judy's home mobile, kate's login email, are on alice's cards → 0 mutual
    """
    names = {
        "alice": ("Alice", "Liddell"), "bob": ("Bob", "Builder"), "carol": ("Carol", "Zunut"),
        "dave": ("Dave", "Dodo"), "erin": ("Erin", "Egg"), "frank": ("Frank", "Fox"),
        "gina": ("Gina", "Goat"), "hank": ("Hank", "Hare"), "ivan": ("Ivan", "Ibis"),
        "liam": ("Liam", "Lynx"), "mona": ("Mona", "Mole"), "judy": ("Judy", "Jay"),
        "kate": ("Kate", "Kite"),
    }
    extra = {"hank": {"verified": False}, "judy": {"home_mobile": "+44 20 7946 0018"}}

    class Graph:
        pass

    g = Graph()
    for name, (first, last) in names.items():
        setattr(g, name, make_user(name, first_name=first, last_name=last,
                                   **extra.get(name, {})))
    link(app, (g.alice, g.bob), (g.alice, g.carol), (g.alice, g.dave), (g.carol, g.dave),
         (g.erin, g.bob), (g.erin, g.carol), (g.erin, g.dave), (g.frank, g.bob),
         (g.frank, g.carol), (g.gina, g.bob), (g.hank, g.bob), (g.ivan, g.carol),
         (g.liam, g.bob), (g.mona, g.dave))
    with app.app_context():
        db.session.add_all([Block(blocker_id=g.ivan.id, blocked_id=g.alice.id),
                            ContactRequest(sender_id=g.alice.id, recipient_id=g.liam.id),
                            ContactRequest(sender_id=g.mona.id, recipient_id=g.alice.id)])
        db.session.commit()
    for card in ({"first_name": "J", "last_name": "J", "email": "j@example.net",
                  "phone": "+442079460018"},
                 {"first_name": "K", "last_name": "K", "email": "KATE@example.com"},
                 {"first_name": "G", "last_name": "G", "email": "gina@example.com"},
                 {"first_name": "N", "last_name": "N", "email": "nobody@example.com"}):
        assert api(g.alice).post("/api/contacts/", json=card).status_code == 201
    return g


def suggested(user, mutual=0):
    return public(user, suggested=T, **({"mutual_contacts_count": mutual} if mutual else {}))


def expected(g):
    return [suggested(g.erin, 3), suggested(g.frank, 2), suggested(g.gina, 1),
            suggested(g.judy), suggested(g.kate)]


def ids(response):
    return [user["id"] for user in response.get_json()]


def test_contacts_of_contacts_by_mutual_count_then_address_book_matches(api, graph):
    response = api(graph.alice).get("/1/suggestions")
    assert response.status_code == 200
    assert shape(response.get_json()) == expected(graph)
    assert response.headers["X-Total-Count"] == "5"


def test_post_recomputes_and_answers_the_list(api, graph):
    response = api(graph.alice).post("/1/suggestions")
    assert response.status_code == 200
    assert shape(response.get_json()) == expected(graph)


def test_paging(api, graph):
    response = api(graph.alice).get("/1/suggestions?skip=1&limit=2")
    assert ids(response) == [graph.frank.id.hex, graph.gina.id.hex]
    assert (response.headers["X-Total-Count"], response.headers["X-Page-Count"]) == ("5", "3")
    # judy and kate tie at no mutual contact: by name, Jay before Kite.
    assert ids(api(graph.alice).get("/1/suggestions?skip=3&limit=1")) == [graph.judy.id.hex]
    assert ids(api(graph.alice).post("/1/suggestions?skip=4&limit=5")) == [graph.kate.id.hex]
    response = api(graph.alice).get(f"/1/suggestions?skip={2**63 - 1}")
    assert (response.get_json(), response.headers["X-Total-Count"]) == ([], "5")
    response = api(graph.alice).post("/1/suggestions?limit=0")
    assert response.get_json() == {"error": "invalid_argument", "detail": "limit"}


@pytest.mark.config(EMAIL_VERIFICATION_REQUIRED=False)
def test_unverified_accounts_are_suggested_when_verification_is_off(api, graph):
    assert ids(api(graph.alice).get("/1/suggestions")) == [
        graph.erin.id.hex, graph.frank.id.hex, graph.gina.id.hex, graph.hank.id.hex,
        graph.judy.id.hex, graph.kate.id.hex]


def test_blocked_users_are_never_suggested(api, graph):
    api(graph.alice).post("/1/blocks", data={"id": graph.frank.id.hex})  # alice blocks
    api(graph.erin).post("/1/blocks", data={"id": graph.alice.id.hex})  # erin blocks alice
    assert ids(api(graph.alice).post("/1/suggestions")) == [
        graph.gina.id.hex, graph.judy.id.hex, graph.kate.id.hex]
    # Frank and erin see no suggestion of alice either.
    assert graph.alice.id.hex not in ids(api(graph.frank).post("/1/suggestions"))


def test_a_relationship_change_ends_the_suggestion_at_once(api, graph):
    api(graph.alice).get("/1/suggestions")
    api(graph.alice).post("/1/requests", data={"id": graph.erin.id.hex})
    api(graph.frank).post("/1/blocks", data={"id": graph.alice.id.hex})
    assert ids(api(graph.alice).get("/1/suggestions")) == [
        graph.gina.id.hex, graph.judy.id.hex, graph.kate.id.hex]


def test_stored_until_an_hour_old_then_recomputed_on_get(app, api, graph, make_user):
    assert len(ids(api(graph.alice).get("/1/suggestions"))) == 5
    first = api(graph.alice).get("/1/suggestions").get_json()[0]["suggested"]
    # As many mutual contacts as erin: the name (Abbot before Egg) breaks the tie.
    newcomer = make_user("nina", first_name="Nina", last_name="Abbot")
    link(app, (newcomer, graph.bob), (newcomer, graph.carol), (newcomer, graph.dave))
    assert graph.erin.id.hex == ids(api(graph.alice).get("/1/suggestions"))[0]  # stored
    with app.app_context():
        db.session.execute(sa.update(SuggestionRefresh).values(
            computed_at=utcnow() - timedelta(minutes=61)))
        db.session.commit()
        cache.clear()  # an hour has passed: so have the 10 s a cached read lives
    response = api(graph.alice).get("/1/suggestions")
    assert ids(response)[:2] == [newcomer.id.hex, graph.erin.id.hex]
    assert response.get_json()[0]["mutual_contacts_count"] == 3
    # A user still suggested keeps the time of the first suggestion.
    assert response.get_json()[1]["suggested"] == first


def test_hide_and_restore(api, graph):
    alice, erin = graph.alice, graph.erin
    api(alice).get("/1/suggestions")
    response = api(alice).delete(f"/1/suggestions/{erin.id.hex}")
    assert response.status_code == 200
    assert shape(response.get_json()) == public(erin, mutual_contacts_count=3)
    assert erin.id.hex not in ids(api(alice).get("/1/suggestions"))
    # Hidden across recomputes.
    assert erin.id.hex not in ids(api(alice).post("/1/suggestions"))
    response = api(alice).delete(f"/1/suggestions/{erin.id.hex}")
    assert (response.status_code, response.get_json()) == (
        404, {"error": "not_found", "detail": erin.id.hex})

    response = api(alice).post("/1/suggestions", data={"id": erin.id.hex})
    assert response.status_code == 200
    assert shape(response.get_json()) == expected(graph)
    response = api(alice).post("/1/suggestions", data={"id": erin.id.hex})
    assert (response.status_code, response.get_json()) == (
        403, {"error": "suggestion_exists", "detail": erin.id.hex})


def test_restoring_a_user_who_is_no_candidate_lifts_the_hide_only(api, graph):
    alice, erin = graph.alice, graph.erin
    api(alice).get("/1/suggestions")
    api(alice).delete(f"/1/suggestions/{erin.id.hex}")
    api(alice).post("/1/requests", data={"id": erin.id.hex})
    response = api(alice).post("/1/suggestions", data={"id": erin.id.hex})
    assert response.status_code == 200
    assert erin.id.hex not in ids(response)
    # Once the request is gone, erin is a candidate again: the hide was lifted.
    api(alice).delete(f"/1/requests/sent/{erin.id.hex}")
    assert ids(api(alice).post("/1/suggestions"))[0] == erin.id.hex


@pytest.mark.parametrize("target, status, body", [
    (UNKNOWN.hex, 404, {"error": "not_found", "detail": UNKNOWN.hex}),
    ("nope", 400, {"error": "invalid_id", "detail": "nope"}),
])
def test_restore_errors(api, graph, target, status, body):
    response = api(graph.alice).post("/1/suggestions", data={"id": target})
    assert (response.status_code, response.get_json()) == (status, body)


def test_restore_self_is_why_me(api, graph):
    response = api(graph.alice).post("/1/suggestions", json={"id": graph.alice.id.hex})
    assert (response.status_code, response.get_json()) == (
        403, {"error": "why_me", "detail": graph.alice.id.hex})


def test_hiding_a_user_who_is_not_suggested_is_not_found(api, graph):
    api(graph.alice).get("/1/suggestions")
    for target in (graph.bob.id, UNKNOWN):
        response = api(graph.alice).delete(f"/1/suggestions/{target.hex}")
        assert (response.status_code, response.get_json()) == (
            404, {"error": "not_found", "detail": target.hex})


def test_no_contacts_no_cards_no_suggestions(api, make_user):
    loner = make_user("loner", first_name="Lo", last_name="Ner")
    response = api(loner).get("/1/suggestions")
    assert (response.status_code, response.get_json()) == (200, [])


@pytest.mark.parametrize("method, path", [
    ("get", "/1/suggestions"), ("post", "/1/suggestions"),
    ("delete", f"/1/suggestions/{UNKNOWN.hex}"),
])
def test_credentials_required(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert "Basic" in response.headers["WWW-Authenticate"]


class TestRefreshCommand:
    def run(self, app, *args):
        return app.test_cli_runner().invoke(args=["suggestions", "refresh", *args])

    def test_all_accounts_with_a_progress_bar(self, app, api, graph):
        result = self.run(app, "--all")
        assert result.exit_code == 0, result.output
        assert "Refreshing every account" in result.output
        assert result.output.endswith("Refreshed suggestions of 13 account(s)\n")
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(
                SuggestionRefresh)) == 13
        assert shape(api(graph.alice).get("/1/suggestions").get_json()) == expected(graph)

    def test_named_accounts(self, app, api, graph):
        result = self.run(app, "alice", "bob@example.com")
        assert result.exit_code == 0, result.output
        assert result.output == ("Refreshed suggestions of alice\n"
                                 "Refreshed suggestions of bob\n")
        result = self.run(app, "nobody")
        assert result.exit_code == 1
        assert "No user with username or email 'nobody'" in result.output

    def test_stale_accounts_by_default(self, app, api, graph):
        api(graph.alice).get("/1/suggestions")
        api(graph.bob).get("/1/suggestions")
        assert self.run(app).output.endswith("Refreshed suggestions of 0 account(s)\n")
        with app.app_context():
            db.session.execute(sa.update(SuggestionRefresh)
                               .where(SuggestionRefresh.user_id == graph.bob.id)
                               .values(computed_at=utcnow() - timedelta(hours=2)))
            db.session.commit()
        assert self.run(app).output.endswith("Refreshed suggestions of 1 account(s)\n")


def test_my_suggestion_changes_end_my_cached_reads_only(api, graph):
    """A suggestion shows in its owner's responses only (as `suggested`)."""
    alice, bob, erin = graph.alice, graph.bob, graph.erin
    api(alice).post("/1/suggestions")
    assert "suggested" in api(alice).get("/1/search?q=erin").get_json()[0]
    assert api(alice).get("/1/search?q=erin").headers["X-Cache"] == "HIT"
    api(bob).get("/1/contacts")

    assert api(alice).delete(f"/1/suggestions/{erin.id.hex}").status_code == 200

    mine = api(alice).get("/1/search?q=erin")
    assert mine.headers["X-Cache"] == "MISS"
    assert "suggested" not in mine.get_json()[0]
    assert api(bob).get("/1/contacts").headers["X-Cache"] == "HIT"

    assert api(alice).post("/1/suggestions", data={"id": erin.id.hex}).status_code == 200
    assert "suggested" in api(alice).get("/1/search?q=erin").get_json()[0]
    assert api(alice).post("/1/suggestions").status_code == 200
    assert api(bob).get("/1/contacts").headers["X-Cache"] == "HIT"
