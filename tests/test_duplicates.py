"""`GET /api/contacts/duplicates` and `POST /api/contacts/merge`."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from addressbook_helpers import URL, add
from contacts_api.addressbook.duplicates import fold_name, phone_key
from contacts_api.addressbook.models import Contact, ContactLabel, ContactTombstone
from contacts_api.database import db

DUPLICATES = URL + "duplicates"
MERGE = URL + "merge"


def backdate(app, cards):
    """Make `cards` oldest first, a day apart, whatever the clock did."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with app.app_context():
        for n, card in enumerate(cards):
            moment = start + timedelta(days=n)
            db.session.execute(sa.update(Contact).where(Contact.id == uuid.UUID(card["id"]))
                               .values(created_at=moment, updated_at=moment))
        db.session.commit()


def fetch(client, headers, card):
    return client.get(URL + card["id"], headers=headers)


def snapshot(app):
    """Every card, label row and tombstone, to show that nothing changed."""
    with app.app_context():
        return (db.session.execute(sa.select(Contact.__table__).order_by(Contact.id)).all(),
                db.session.execute(sa.select(ContactLabel.__table__)).all(),
                db.session.execute(sa.select(ContactTombstone.__table__)).all())


@pytest.mark.parametrize(
    ("first", "last", "folded"),
    [("Zoë", "Ångström", "zoe angstrom"), ("  JOHN ", "doe", "john doe"),
     ("Straße", "Ø", "strasse ø"), ("", "Cher", "cher")],
)
def test_fold_name(first, last, folded):
    assert fold_name(first, last) == folded


@pytest.mark.parametrize(
    ("value", "key"),
    [("+1 (415) 555-2671", "+14155552671"), ("+14155552671", "+14155552671"),
     ("415-555-2671", "4155552671"), ("ext", "")],
)
def test_phone_key(value, key):
    assert phone_key(value) == key


class TestDuplicates:
    def test_groups(self, app, client, auth_headers):
        ann = add(client, auth_headers, first_name="Zoë", last_name="Ångström",
                  email="zoe@example.com", phone="+14155552671")
        ann2 = add(client, auth_headers, first_name="ZOE", last_name="angstrom",
                   email="z2@example.com")
        bob = add(client, auth_headers, first_name="Bob", last_name="Stone",
                  email="bob@example.com",
                  additional_data={"phones": ["+1 415 555 2671", "not a number"],
                                   "emails": ["Z2@EXAMPLE.COM"]})
        cy = add(client, auth_headers, first_name="Cy", last_name="Young",
                 email="cy@example.com", additional_data={"phones": ["not-a-number"]})
        add(client, auth_headers, first_name="Dee", last_name="Solo", email="dee@example.com")
        backdate(app, [ann, ann2, bob, cy])
        ann, ann2, bob, cy = (fetch(client, auth_headers, c).get_json()
                              for c in (ann, ann2, bob, cy))
        response = client.get(DUPLICATES, headers=auth_headers)
        assert response.status_code == 200
        assert response.get_json() == [
            {"reason": "email", "contacts": [ann2, bob]},
            {"reason": "phone", "contacts": [ann, bob]},
            {"reason": "name", "contacts": [ann, ann2]},
        ]
        assert response.headers["X-Total-Count"] == "3"
        assert response.headers["X-Cache"] == "MISS"

    def test_unparseable_numbers_compare_by_digits(self, client, auth_headers):
        add(client, auth_headers, first_name="A", additional_data={"phones": ["555-0100"]})
        add(client, auth_headers, first_name="B", email="b@example.com",
            additional_data={"phones": ["(555) 0100"]})
        groups = client.get(DUPLICATES, headers=auth_headers).get_json()
        assert [(g["reason"], [c["first_name"] for c in g["contacts"]]) for g in groups] == [
            ("phone", ["A", "B"])]

    def test_same_cards_for_two_keys_of_one_reason_once(self, client, auth_headers):
        add(client, auth_headers, first_name="A", phone="+14155552671",
            additional_data={"phones": ["+442071838750"]})
        add(client, auth_headers, first_name="B", email="b@example.com",
            phone="+442071838750", additional_data={"phones": ["+14155552671"]})
        groups = client.get(DUPLICATES, headers=auth_headers).get_json()
        assert [g["reason"] for g in groups] == ["phone"]

    def test_none_paginated_cached_and_own_only(self, client, auth_headers, make_user,
                                                bearer):
        response = client.get(DUPLICATES, headers=auth_headers)
        assert (response.status_code, response.get_json()) == (200, [])
        assert response.headers["X-Total-Count"] == "0"
        add(client, auth_headers, first_name="Ann", email="a1@example.com")
        add(client, auth_headers, first_name="Ann", email="a2@example.com")
        # The write invalidated the cached empty list.
        response = client.get(DUPLICATES, headers=auth_headers)
        assert (response.headers["X-Cache"], len(response.get_json())) == ("MISS", 1)
        assert client.get(DUPLICATES, headers=auth_headers).headers["X-Cache"] == "HIT"
        response = client.get(DUPLICATES, query_string={"skip": 1}, headers=auth_headers)
        assert (response.get_json(), response.headers["X-Total-Count"]) == ([], "1")
        other = bearer(make_user("bob"))
        add(client, other, first_name="Ann", email="a1@example.com")
        assert client.get(DUPLICATES, headers=other).get_json() == []

    def test_cards_without_email_or_a_name(self, app, client, auth_headers, user):
        with app.app_context():
            db.session.add_all([Contact(owner_id=user.id, first_name="", last_name="Cher"),
                                Contact(owner_id=user.id, first_name="cher", last_name="")])
            db.session.commit()
        groups = client.get(DUPLICATES, headers=auth_headers).get_json()
        assert [(g["reason"], [c["email"] for c in g["contacts"]]) for g in groups] == [
            ("name", [None, None])]


@pytest.fixture
def trio(app, client, auth_headers):
    """Three cards of one person, oldest first."""
    old = add(client, auth_headers, first_name="Ann", last_name="Lee", email="ann@example.com",
              labels=["Family"], additional_data={"company": "Old", "emails": ["a@old.com"]})
    mid = add(client, auth_headers, first_name="Ann", last_name="Lee",
              email="ann@work.example", phone="+14155552671", birthday="--02-29",
              labels=["family", "Work"],
              additional_data={"company": "Mid", "position": "CTO",
                               "phones": ["+442071838750"]})
    new = add(client, auth_headers, first_name="Annie", last_name="Lee",
              email="annie@example.com", phone="+442071838750", birthday="1990-01-01",
              additional_data={"emails": ["ANN@example.com"], "note": "x"})
    backdate(app, [old, mid, new])
    return [fetch(client, auth_headers, c).get_json() for c in (old, mid, new)]


class TestMerge:
    def test_into_the_oldest_by_default(self, app, client, auth_headers, trio):
        old, mid, new = trio
        synced = client.post("/1/sync", headers=auth_headers).get_json()["synced"]
        response = client.post(MERGE, json={"ids": [new["id"], mid["id"], old["id"]]},
                               headers=auth_headers)
        assert response.status_code == 200
        merged = response.get_json()
        assert merged == {
            "id": old["id"], "first_name": "Ann", "last_name": "Lee",
            "email": "ann@example.com", "phone": "+14155552671", "birthday": "--02-29",
            "additional_data": {
                "company": "Old", "position": "CTO", "note": "x",
                "emails": ["a@old.com", "ann@work.example", "annie@example.com"],
                "phones": ["+442071838750"]},
            "labels": ["Family", "Work"],
            "created_at": old["created_at"], "updated_at": merged["updated_at"],
        }
        assert merged["updated_at"] > new["updated_at"]
        assert fetch(client, auth_headers, old).get_json() == merged
        for gone in (mid, new):
            assert fetch(client, auth_headers, gone).status_code == 404
        changes = client.post("/1/sync", json={"since": synced}, headers=auth_headers).get_json()
        assert changes["address_book"] == {"contacts": [merged],
                                           "deleted": sorted([mid["id"], new["id"]])}
        names = client.get(URL, query_string={"query": "labels:eq:work"}, headers=auth_headers)
        assert [c["id"] for c in names.get_json()] == [old["id"]]
        assert client.get(DUPLICATES, headers=auth_headers).get_json() == []

    def test_into_a_named_card_that_takes_a_deleted_cards_email(
            self, app, client, auth_headers, user):
        """The merged card takes over an address the deleted card holds: the deletion must
        reach the unique index first."""
        with app.app_context():
            bare = Contact(owner_id=user.id, first_name="Ann", last_name="",
                           dav_name="ann.vcf", uid="urn:uuid:1", vcard="BEGIN:VCARD")
            db.session.add(bare)
            db.session.commit()
            bare_id = bare.id.hex
        full = add(client, auth_headers, first_name="Ann", last_name="Lee",
                   email="ann@example.com")
        response = client.post(MERGE, json={"ids": [full["id"], bare_id], "into": bare_id},
                               headers=auth_headers)
        assert response.status_code == 200, response.get_json()
        merged = response.get_json()
        assert (merged["id"], merged["first_name"], merged["last_name"], merged["email"]) == (
            bare_id, "Ann", "Lee", "ann@example.com")
        assert merged["additional_data"] is None
        with app.app_context():
            kept = db.session.get(Contact, uuid.UUID(bare_id))
            assert (kept.uid, kept.vcard, kept.dav_name) == ("urn:uuid:1", "BEGIN:VCARD",
                                                             "ann.vcf")
            tombstone = db.session.get(ContactTombstone, uuid.UUID(full["id"]))
            assert tombstone.owner_id == user.id

    def test_tombstones_keep_dav_names(self, app, client, auth_headers, user):
        first = add(client, auth_headers, email="a@example.com")
        second = add(client, auth_headers, email="b@example.com")
        with app.app_context():
            db.session.execute(sa.update(Contact).where(Contact.id == uuid.UUID(second["id"]))
                               .values(dav_name="b.vcf"))
            db.session.commit()
        client.post(MERGE, json={"ids": [first["id"], second["id"]], "into": first["id"]},
                    headers=auth_headers)
        with app.app_context():
            assert db.session.get(ContactTombstone, uuid.UUID(second["id"])).dav_name == "b.vcf"

    def test_form_and_hyphenated_ids(self, client, auth_headers):
        a = add(client, auth_headers, email="a@example.com")
        b = add(client, auth_headers, email="b@example.com")
        response = client.post(MERGE, headers=auth_headers,
                               data={"ids": f"{a['id']},{uuid.UUID(b['id'])}"})
        assert response.status_code == 200
        assert response.get_json()["id"] == a["id"]

    @pytest.mark.parametrize(
        ("body", "errors"),
        [
            (lambda a, b: {"ids": [a]}, {"ids": ["Give at least two distinct contact ids."]}),
            (lambda a, b: {"ids": [a, a.upper()]},
             {"ids": ["Give at least two distinct contact ids."]}),
            (lambda a, b: {"ids": [a, a], "into": a},
             {"ids": ["Give at least two distinct contact ids."]}),
            (lambda a, b: {"ids": [a, b], "into": uuid.uuid4().hex},
             {"into": ["Must be one of ids."]}),
            (lambda a, b: {"ids": [a, uuid.uuid4().hex], "into": uuid.uuid4().hex},
             {"into": ["Must be one of ids."]}),
            (lambda a, b: {}, {"ids": ["Missing data for required field."]}),
            (lambda a, b: {"ids": [a, "nope"]}, {"ids": {"1": ["Invalid ID."]}}),
            (lambda a, b: {"ids": [a, b], "into": "nope"}, {"into": ["Invalid ID."]}),
        ],
    )
    def test_bad_input_is_422_and_writes_nothing(self, app, client, auth_headers, body,
                                                  errors):
        a = add(client, auth_headers, email="a@example.com")["id"]
        b = add(client, auth_headers, email="b@example.com")["id"]
        before = snapshot(app)
        response = client.post(MERGE, json=body(a, b), headers=auth_headers)
        assert response.status_code == 422
        assert response.get_json()["error"] == "validation_error"
        assert response.get_json()["errors"] == errors
        assert snapshot(app) == before

    def test_another_users_card_is_404_and_writes_nothing(self, app, client, auth_headers,
                                                          make_user, bearer):
        mine = add(client, auth_headers, email="a@example.com")["id"]
        theirs = add(client, bearer(make_user("bob")), email="a@example.com")["id"]
        before = snapshot(app)
        for ids in ([mine, theirs], [mine, uuid.uuid4().hex]):
            response = client.post(MERGE, json={"ids": ids}, headers=auth_headers)
            assert response.status_code == 404
            assert response.get_json() == {"error": "not_found", "detail": "Contact not found"}
        assert snapshot(app) == before

    def test_too_many_merged_labels_is_422(self, app, client, auth_headers):
        a = add(client, auth_headers, email="a@example.com",
                labels=[f"a{n}" for n in range(15)])["id"]
        b = add(client, auth_headers, email="b@example.com",
                labels=[f"b{n}" for n in range(15)])["id"]
        before = snapshot(app)
        response = client.post(MERGE, json={"ids": [a, b]}, headers=auth_headers)
        assert response.status_code == 422
        assert response.get_json()["errors"] == {
            "labels": ["The merged labels break a rule: At most 20 labels per contact."]}
        assert snapshot(app) == before


@pytest.mark.parametrize(("method", "path"), [("get", DUPLICATES), ("post", MERGE)])
def test_requires_authentication(client, method, path):
    response = getattr(client, method)(path, json={"ids": []} if method == "post" else None)
    assert response.status_code == 401
    assert response.get_json() == {"error": "unauthorized", "detail": "Not authenticated"}
