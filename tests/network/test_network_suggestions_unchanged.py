"""`POST /1/suggestions` recomputes only when something the suggestions come from changed."""

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from contacts_api.database import db
from contacts_api.network.models import SuggestionRefresh
from outbox import link, messages

from .test_network_suggestions import graph, ids  # noqa: F401 - `graph` is a fixture

__all__ = ["graph"]


def computed_at(app, user):
    with app.app_context():
        return db.session.scalar(sa.select(SuggestionRefresh.computed_at)
                                 .where(SuggestionRefresh.user_id == user.id))


@pytest.fixture
def post(api):
    """`post(user)`: the ids `POST /1/suggestions` answers."""

    def call(user):
        response = api(user).post("/1/suggestions")
        assert response.status_code == 200
        return ids(response)

    return call


BEFORE = ["erin", "frank", "gina", "judy", "kate"]


def names(g, answer):
    by_id = {getattr(g, name).id.hex: name for name in vars(g)}
    return [by_id.get(user_id, user_id) for user_id in answer]


def test_a_repeated_post_does_not_recompute(app, api, graph, post, connect, make_user):
    assert names(graph, post(graph.alice)) == BEFORE
    first = computed_at(app, graph.alice)
    # Writes outside alice's graph and book change nothing she is suggested.
    connect(make_user("xavier"), make_user("yves"))
    api(graph.bob).get("/1/suggestions")
    assert names(graph, post(graph.alice)) == BEFORE
    assert computed_at(app, graph.alice) == first


def test_a_new_contact_of_a_contact(app, graph, post, connect, make_user):
    post(graph.alice)
    otto = make_user("otto", first_name="Otto", last_name="Owl")
    connect(otto, graph.carol)
    assert post(graph.alice)[3] == otto.id.hex  # 1 mutual, after gina by name
    connect(otto, graph.bob)
    assert post(graph.alice)[2] == otto.id.hex  # now 2 mutual, before frank by name


def test_an_accepted_request_brings_the_new_contacts_contacts(app, api, graph, post, connect,
                                                              make_user):
    otto = make_user("otto", first_name="Otto", last_name="Owl")
    connect(otto, graph.liam)  # liam is no contact of alice yet
    assert names(graph, post(graph.alice)) == BEFORE
    # alice requested liam (in the fixture); liam accepts.
    assert api(graph.liam).post("/1/contacts", data={"id": graph.alice.id.hex}).status_code == 200
    assert otto.id.hex in post(graph.alice)


def test_blocks_either_way(app, api, graph, post):
    post(graph.alice)
    api(graph.erin).post("/1/blocks", data={"id": graph.alice.id.hex})
    assert names(graph, post(graph.alice)) == BEFORE[1:]
    # ivan blocked alice (in the fixture); unblocking shows in no log of alice's graph.
    assert api(graph.ivan).delete(f"/1/blocks/{graph.alice.id.hex}").status_code == 200
    assert names(graph, post(graph.alice)) == ["frank", "gina", "ivan", "judy", "kate"]
    assert api(graph.alice).post("/1/blocks", data={"id": graph.frank.id.hex}).status_code == 200
    assert api(graph.alice).delete(f"/1/blocks/{graph.frank.id.hex}").status_code == 200
    assert names(graph, post(graph.alice)) == ["frank", "gina", "ivan", "judy", "kate"]


def test_a_removed_contact(api, graph, post):
    def counts():
        response = api(graph.alice).post("/1/suggestions")
        return [user.get("mutual_contacts_count", 0) for user in response.get_json()]

    assert counts() == [3, 2, 1, 0, 0]
    assert api(graph.bob).delete(f"/1/contacts/{graph.alice.id.hex}").status_code == 200
    # Through carol and dave only; gina stays as the owner of a card's address.
    assert names(graph, post(graph.alice)) == BEFORE
    assert counts() == [2, 1, 0, 0, 0]


def test_address_book_cards(api, graph, post, make_user):
    otto = make_user("otto", first_name="Otto", last_name="Owl")
    post(graph.alice)
    card = api(graph.alice).post("/api/contacts/", json={
        "first_name": "O", "last_name": "O", "email": "OTTO@example.com"}).get_json()
    assert names(graph, post(graph.alice)) == [*BEFORE, otto.id.hex]
    response = api(graph.alice).patch(f"/api/contacts/{card['id']}",
                                      json={"email": "other@example.org"})
    assert response.status_code == 200, response.get_json()
    assert names(graph, post(graph.alice)) == BEFORE
    kate_card = next(c for c in api(graph.alice).get("/api/contacts/?limit=100").get_json()
                     if c["email"] == "KATE@example.com")
    assert api(graph.alice).delete(f"/api/contacts/{kate_card['id']}").status_code == 200
    assert names(graph, post(graph.alice)) == BEFORE[:-1]


@pytest.mark.config(EMAIL_VERIFICATION_REQUIRED=False)
def test_a_registration_matching_a_card(client, graph, post):
    before = post(graph.alice)
    response = client.post("/1/users", data={"first_name": "No", "last_name": "Body",
                                             "email": "nobody@example.com",
                                             "password": "correct horse battery"})
    assert response.status_code == 201
    # hank (unverified) is suggested too; at 0 mutual contacts, Body comes before Jay.
    assert post(graph.alice) == [*before[:4], response.get_json()["id"], *before[4:]]


def test_a_verification_matching_a_card(app, client, graph, post):
    response = client.post("/1/users", data={"first_name": "No", "last_name": "Body",
                                             "email": "nobody@example.com",
                                             "password": "correct horse battery"})
    assert names(graph, post(graph.alice)) == BEFORE  # unverified: not yet
    confirmation = messages(app, to="nobody@example.com")[-1]
    assert client.get(urlsplit(link(confirmation)).path).status_code == 200
    assert names(graph, post(graph.alice)) == [*BEFORE[:3], response.get_json()["id"],
                                               *BEFORE[3:]]


def test_addresses_added_to_an_account(api, graph, post, make_user, add_email):
    otto = make_user("otto", first_name="Otto", last_name="Owl")
    pia = make_user("pia", first_name="Pia", last_name="Puffin")
    assert names(graph, post(graph.alice)) == BEFORE
    add_email(otto, "nobody@example.com")
    assert names(graph, post(graph.alice)) == [*BEFORE, otto.id.hex]
    # The number on judy's card, now pia's too.
    assert api(pia).put("/1/you", data={"work_mobile": "+44 20 7946 0018"}).status_code == 200
    assert names(graph, post(graph.alice)) == [*BEFORE, otto.id.hex, pia.id.hex]


def test_hidden_and_restored(app, api, graph, post):
    post(graph.alice)
    first = computed_at(app, graph.alice)
    assert api(graph.alice).delete(f"/1/suggestions/{graph.erin.id.hex}").status_code == 200
    assert names(graph, post(graph.alice)) == BEFORE[1:]
    second = computed_at(app, graph.alice)
    assert second > first
    response = api(graph.alice).post("/1/suggestions", data={"id": graph.erin.id.hex})
    assert names(graph, ids(response)) == BEFORE
    assert names(graph, post(graph.alice)) == BEFORE
    assert computed_at(app, graph.alice) > second


def test_an_unchanged_post_is_the_listings_cached_answer(app, api, graph, post):
    """It shares the cache entry of `GET /1/suggestions` with the same query."""
    alice = api(graph.alice)
    post(graph.alice)
    listed = alice.get("/1/suggestions?limit=3")
    assert listed.headers["X-Cache"] == "MISS"
    repeated = alice.post("/1/suggestions?limit=3")
    assert (repeated.status_code, repeated.headers["X-Cache"]) == (200, "HIT")
    assert repeated.data == listed.data
    assert repeated.headers["ETag"] == listed.headers["ETag"]
    assert repeated.headers["X-Total-Count"] == "5"
    # A POST never answers 304, even with the current ETag (it is not a conditional read).
    conditional = alice.post("/1/suggestions?limit=3",
                             headers={"If-None-Match": listed.headers["ETag"]})
    assert (conditional.status_code, conditional.data) == (200, listed.data)


def test_a_post_that_recomputes_or_restores_is_never_a_hit(app, api, graph, post):
    alice = api(graph.alice)
    post(graph.alice)
    alice.get("/1/suggestions")
    with app.app_context():
        db.session.execute(sa.update(SuggestionRefresh).values(inputs=None))
        db.session.commit()
    recomputed = alice.post("/1/suggestions")
    assert (recomputed.status_code, recomputed.headers["X-Cache"]) == (200, "MISS")
    assert alice.delete(f"/1/suggestions/{graph.erin.id.hex}").status_code == 200
    restored = alice.post("/1/suggestions", json={"id": graph.erin.id.hex})
    assert (restored.status_code, restored.headers["X-Cache"]) == (200, "MISS")
    assert names(graph, ids(restored)) == BEFORE
