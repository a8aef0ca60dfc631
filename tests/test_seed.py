"""`flask seed`: bulk demo data that the API serves like any other."""

import phonenumbers
import pytest
import sqlalchemy as sa

from conftest import basic
from contacts_api.accounts.models import User
from contacts_api.addressbook.models import Contact, ContactLabel, month_day_key
from contacts_api.database import db
from contacts_api.network.indexing import identifiers, search_text
from contacts_api.network.models import ContactLink, UserIdentifier, UserSearch

PASSWORD = "seeded password"


@pytest.fixture
def seed(app):
    runner = app.test_cli_runner()

    def run(*args):
        return runner.invoke(args=["seed", "--password", PASSWORD, *args])

    return run


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def table_rows(app, model, *order):
    with app.app_context():
        rows = db.session.execute(sa.select(model.__table__).order_by(*order))
        return [tuple(row) for row in rows]


def test_counts_and_lookups(app, seed):
    result = seed("--users", "12", "--cards-per-user", "7", "--contacts-per-user", "4")
    assert result.exit_code == 0, result.output
    assert "12 users, 84 cards" in result.output
    assert count(app, User) == 12
    assert count(app, Contact) == 84
    assert count(app, UserSearch) == 12
    links = table_rows(app, ContactLink)
    pairs = {(row[0], row[1]) for row in links}
    # 12 users x 4 contacts = 24 friendships, each stored in both directions.
    assert len(links) == 48
    assert all((b, a) in pairs for a, b in pairs)
    with app.app_context():
        users = db.session.scalars(sa.select(User)).all()
        # The lookup rows are exactly what the ORM events would have written.
        for user in users:
            assert db.session.get(UserSearch, user.id).text == search_text(user)
            stored = db.session.scalars(
                sa.select(UserIdentifier).where(UserIdentifier.user_id == user.id)
            ).all()
            assert sorted((r.field, r.value) for r in stored) == sorted(
                (r["field"], r["value"]) for r in identifiers(user)
            )
        assert len({user.password_hash for user in users}) == 1
        for card in db.session.scalars(sa.select(Contact)):
            if card.phone:
                assert phonenumbers.is_valid_number(phonenumbers.parse(card.phone))
            if card.birthday:
                assert card.birthday_key == month_day_key(card.birthday)
        # Labels are indexed as the API indexes them, so that label filters find them.
        indexed = {(row.contact_id, row.folded) for row in db.session.scalars(
            sa.select(ContactLabel))}
        cards = db.session.scalars(sa.select(Contact)).all()
        assert indexed == {(card.id, label.lower()) for card in cards for label in card.labels}
        assert any(card.labels for card in cards)


def test_same_seed_same_data(app, seed):
    assert seed("--users", "3", "--cards-per-user", "2", "--seed", "7").exit_code == 0
    first = table_rows(app, Contact, Contact.id)
    with app.app_context():
        # Every seeded table, children first, whatever the backend does about cascades.
        for model in (UserSearch, UserIdentifier, ContactLink, ContactLabel, Contact, User):
            db.session.execute(sa.delete(model))
        db.session.commit()
    assert seed("--users", "3", "--cards-per-user", "2", "--seed", "7").exit_code == 0
    assert table_rows(app, Contact, Contact.id) == first


def test_refuses_to_seed_twice(app, seed):
    assert seed("--users", "2", "--cards-per-user", "1").exit_code == 0
    result = seed("--users", "2", "--cards-per-user", "1")
    assert result.exit_code == 1
    assert "user00000 already exists" in result.output


def test_seeded_users_log_in_and_list_their_data(app, client, seed):
    assert seed("--users", "6", "--cards-per-user", "5", "--contacts-per-user", "2").exit_code == 0
    response = client.post("/api/auth/login", json={"username": "user00000", "password": PASSWORD})
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.get_json()['access_token']}"}
    response = client.get("/api/contacts/", headers=headers)
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "5"
    cards = response.get_json()
    assert [(c["last_name"], c["first_name"]) for c in cards] == sorted(
        (c["last_name"], c["first_name"]) for c in cards
    )
    assert set(cards[0]) == {"id", "first_name", "last_name", "email", "phone", "birthday",
                             "additional_data", "labels", "created_at", "updated_at"}

    with app.app_context():
        me = db.session.scalar(sa.select(User).where(User.username == "user00000"))
        expected = db.session.scalar(
            sa.select(sa.func.count()).where(ContactLink.user_id == me.id)
        )
    response = client.get("/1/contacts", headers=basic("user00000", PASSWORD))
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == str(expected)
    assert all(user["contact_added"] for user in response.get_json())
    assert client.get("/1/contacts", headers=basic("user00000", "wrong")).status_code == 401
