"""Response caching of the address book (API.md §1 "Caching"), on the in-process cache and,
with TEST_REDIS_URL, on Redis; plus a real Redis that goes away mid-test."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import redis
import sqlalchemy as sa
from flask import request

from addressbook_helpers import URL, add, names
from conftest import REDIS_URL, base_config, needs_redis
from contacts_api import create_app
from contacts_api.accounts.models import User
from contacts_api.database import db
from contacts_api.extensions import cache
from contacts_api.http.caching import GENERATION_KEY

BIRTHDAYS = URL + "get-upcoming-birthday"


def soon(days=1):
    day = datetime.now(UTC).date() + timedelta(days=days)
    return day.replace(year=day.year - 28).isoformat()


def get(client, path, headers, **extra):
    return client.get(path, headers={**headers, **extra})


class TestHits:
    @pytest.mark.parametrize("path", [URL, URL + "?query=doe&sort=-first_name", BIRTHDAYS])
    def test_second_read_is_a_hit_with_the_same_bytes(self, client, auth_headers, path):
        add(client, auth_headers, birthday=soon())
        first = get(client, path, auth_headers)
        second = get(client, path, auth_headers)
        assert first.status_code == second.status_code == 200
        assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
        assert second.data == first.data
        assert second.headers["ETag"] == first.headers["ETag"]
        assert second.headers["Content-Type"] == "application/json; charset=utf-8"
        assert second.headers["X-Total-Count"] == first.headers["X-Total-Count"] == "1"
        assert second.headers["Cache-Control"] == "private, no-cache"

    def test_single_card(self, client, auth_headers):
        created = add(client, auth_headers)
        assert get(client, URL + created["id"], auth_headers).headers["X-Cache"] == "MISS"
        hit = get(client, URL + created["id"], auth_headers)
        assert hit.headers["X-Cache"] == "HIT"
        assert hit.get_json() == created

    def test_argument_order_does_not_matter_but_values_do(self, client, auth_headers):
        add(client, auth_headers)
        assert get(client, URL + "?limit=5&skip=0", auth_headers).headers["X-Cache"] == "MISS"
        assert get(client, URL + "?skip=0&limit=5", auth_headers).headers["X-Cache"] == "HIT"
        assert get(client, URL + "?skip=0&limit=6", auth_headers).headers["X-Cache"] == "MISS"

    def test_pretty_is_cached_apart(self, client, auth_headers):
        add(client, auth_headers)
        compact = get(client, URL, auth_headers)
        pretty = get(client, URL + "?pretty=1", auth_headers)
        assert pretty.headers["X-Cache"] == "MISS"
        assert pretty.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert pretty.data != compact.data
        again = get(client, URL + "?pretty=1", auth_headers)
        assert (again.headers["X-Cache"], again.data) == ("HIT", pretty.data)

    def test_errors_are_not_cached(self, client, auth_headers):
        for _ in range(2):
            response = get(client, URL + "?query=nosuch:eq:x", auth_headers)
            assert response.status_code == 400
            assert "X-Cache" not in response.headers
            assert "ETag" not in response.headers

    def test_writes_are_not_cached(self, client, auth_headers):
        response = client.post(URL, json={"first_name": "A", "last_name": "B",
                                          "email": "ab@example.com"}, headers=auth_headers)
        assert "X-Cache" not in response.headers


class TestInvalidation:
    def test_create_is_visible_to_the_next_list(self, client, auth_headers):
        add(client, auth_headers)
        get(client, URL, auth_headers)
        assert get(client, URL, auth_headers).headers["X-Cache"] == "HIT"
        add(client, auth_headers, first_name="Ann", email="ann@example.com")
        response = get(client, URL, auth_headers)
        assert response.headers["X-Cache"] == "MISS"
        assert names(response) == ["Ann Doe", "John Doe"]

    @pytest.mark.parametrize(
        ("method", "body", "expected"),
        [
            ("put", {"first_name": "Jane", "last_name": "Roe", "email": "jane@example.com",
                     "birthday": soon()}, ["Jane Roe"]),
            ("patch", {"first_name": "Jane"}, ["Jane Doe"]),
            ("delete", None, []),
        ],
    )
    def test_every_write_invalidates_every_read_of_the_owner(
        self, client, auth_headers, method, body, expected
    ):
        created = add(client, auth_headers, birthday=soon())
        paths = [URL, URL + created["id"], BIRTHDAYS, URL + "?query=john"]
        for path in paths:
            get(client, path, auth_headers)
            assert get(client, path, auth_headers).headers["X-Cache"] == "HIT"
        response = getattr(client, method)(URL + created["id"], json=body, headers=auth_headers)
        assert response.status_code == 200
        listed = get(client, URL, auth_headers)
        assert (listed.headers["X-Cache"], names(listed)) == ("MISS", expected)
        single = get(client, URL + created["id"], auth_headers)
        assert single.headers.get("X-Cache") == ("MISS" if expected else None)
        assert single.status_code == (200 if expected else 404)
        if expected:
            assert single.get_json() == response.get_json()
        birthdays = get(client, BIRTHDAYS, auth_headers)
        assert (birthdays.headers["X-Cache"], names(birthdays)) == ("MISS", expected)

    def test_a_write_leaves_other_users_cache_alone(self, client, auth_headers, make_user,
                                                    bearer):
        bob = bearer(make_user("bob"))
        add(client, bob)
        get(client, URL, bob)
        add(client, auth_headers)
        assert get(client, URL, bob).headers["X-Cache"] == "HIT"

    def test_a_lost_generation_never_revives_old_entries(self, app, client, auth_headers,
                                                         user):
        created = add(client, auth_headers)
        get(client, URL + created["id"], auth_headers)
        client.patch(URL + created["id"], json={"first_name": "Jane"}, headers=auth_headers)
        with app.app_context():  # as if the generation had expired or been evicted
            cache.delete(GENERATION_KEY.format(user.id.hex))
        response = get(client, URL + created["id"], auth_headers)
        assert response.headers["X-Cache"] == "MISS"
        assert response.get_json()["first_name"] == "Jane"

    def test_a_failed_write_changes_nothing_visible(self, client, auth_headers):
        created = add(client, auth_headers)
        get(client, URL + created["id"], auth_headers)
        response = client.patch(URL + created["id"], json={"phone": "nope"},
                                headers=auth_headers)
        assert response.status_code == 422
        assert get(client, URL + created["id"], auth_headers).get_json() == created


class TestPerUser:
    def test_same_path_different_users_never_share(self, client, auth_headers, make_user,
                                                   bearer):
        add(client, auth_headers, first_name="Alices", email="a@example.com")
        bob = bearer(make_user("bob"))
        add(client, bob, first_name="Bobs", email="b@example.com")
        alice_view = get(client, URL, auth_headers)
        bob_view = get(client, URL, bob)
        assert bob_view.headers["X-Cache"] == "MISS"
        assert names(alice_view) == ["Alices Doe"]
        assert names(bob_view) == ["Bobs Doe"]
        assert names(get(client, URL, bob)) == ["Bobs Doe"]
        assert names(get(client, URL, auth_headers)) == ["Alices Doe"]

    def test_another_users_card_stays_404_after_its_owner_cached_it(
        self, client, auth_headers, make_user, bearer
    ):
        bob = bearer(make_user("bob"))
        theirs = add(client, bob)
        assert get(client, URL + theirs["id"], bob).status_code == 200
        assert get(client, URL + theirs["id"], bob).headers["X-Cache"] == "HIT"
        assert get(client, URL + theirs["id"], auth_headers).status_code == 404

    def test_a_cached_read_still_needs_credentials(self, client, auth_headers):
        get(client, URL, auth_headers)
        response = client.get(URL)
        assert response.status_code == 401
        assert "X-Cache" not in response.headers


class TestShortcut:
    """A hit is answered before the app's request machinery runs (`http.shortcut`), after
    the same account and revocation checks; everything else reaches the app."""

    @pytest.fixture
    def reached_app(self, app):
        """Paths of the requests that reached the app's request hooks."""
        paths = []
        app.before_request(lambda: paths.append(request.path))
        return paths

    def test_a_hit_is_answered_before_the_app(self, reached_app, client, auth_headers):
        created = add(client, auth_headers)
        miss = get(client, URL, auth_headers)
        reached_app.clear()
        hit = get(client, URL, auth_headers)
        assert reached_app == []
        assert (hit.status_code, hit.headers["X-Cache"], hit.data) == (200, "HIT", miss.data)
        assert {key: value for key, value in hit.headers if key != "X-Cache"} == {
            key: value for key, value in miss.headers if key != "X-Cache"}
        assert hit.headers["Vary"] == "Authorization"
        assert hit.get_json() == [created]

    def test_a_revoked_token_never_gets_a_hit(self, reached_app, client, auth_headers, bearer,
                                              user):
        add(client, auth_headers)
        etag = get(client, URL, auth_headers).headers["ETag"]
        other_login = bearer(user)
        assert get(client, URL, other_login).headers["X-Cache"] == "HIT"
        assert client.post("/api/auth/logout", headers=auth_headers).status_code == 200
        reached_app.clear()
        for extra in ({}, {"If-None-Match": etag}):
            refused = get(client, URL, auth_headers, **extra)
            assert refused.status_code == 401
            assert refused.get_json() == {"error": "unauthorized",
                                          "detail": "Token has been revoked"}
        assert reached_app == [URL, URL]
        assert get(client, URL, other_login).headers["X-Cache"] == "HIT"

    def test_an_account_that_may_not_sign_in_never_gets_a_hit(self, app, client, auth_headers,
                                                              user):
        get(client, URL, auth_headers)
        with app.app_context():
            db.session.execute(sa.update(User).where(User.id == user.id).values(is_verified=False))
            db.session.commit()
        refused = get(client, URL, auth_headers)
        assert refused.status_code == 401
        assert refused.get_json() == {"error": "unauthorized", "detail": "User is not verified"}

    def test_head_and_uncached_views_reach_the_app(self, reached_app, client, auth_headers):
        get(client, URL, auth_headers)
        reached_app.clear()
        head = client.head(URL, headers=auth_headers)
        assert (head.status_code, head.headers["X-Cache"]) == (200, "HIT")
        assert get(client, "/api/users/me", auth_headers).status_code == 200
        assert get(client, "/api/users/me", auth_headers).status_code == 200
        assert reached_app == [URL, "/api/users/me", "/api/users/me"]


class TestConditionalRequests:
    @pytest.mark.parametrize("form", ["{}", "W/{}", '"other", {}', "*"])
    def test_matching_etag_is_304_without_body(self, client, auth_headers, form):
        add(client, auth_headers)
        etag = get(client, URL, auth_headers).headers["ETag"]
        response = get(client, URL, auth_headers, **{"If-None-Match": form.format(etag)})
        assert response.status_code == 304
        assert response.data == b""
        assert response.headers["ETag"] == etag
        assert response.headers["X-Cache"] == "HIT"

    def test_304_on_a_miss_too(self, client, auth_headers):
        created = add(client, auth_headers)
        etag = get(client, URL + created["id"], auth_headers).headers["ETag"]
        client.patch(URL + created["id"], json={"first_name": "John"}, headers=auth_headers)
        response = get(client, URL + created["id"], auth_headers, **{"If-None-Match": etag})
        assert (response.status_code, response.headers["X-Cache"]) == (304, "MISS")

    def test_stale_etag_gets_the_new_representation(self, client, auth_headers):
        created = add(client, auth_headers)
        etag = get(client, URL + created["id"], auth_headers).headers["ETag"]
        client.patch(URL + created["id"], json={"first_name": "Jane"}, headers=auth_headers)
        response = get(client, URL + created["id"], auth_headers, **{"If-None-Match": etag})
        assert response.status_code == 200
        assert response.get_json()["first_name"] == "Jane"
        assert response.headers["ETag"] != etag


@pytest.mark.redis
@needs_redis
class TestOnRedis:
    def test_entries_live_in_redis_with_their_ttls(self, client, auth_headers):
        add(client, auth_headers)
        store = redis.Redis.from_url(REDIS_URL)
        get(client, URL, auth_headers)
        list_keys = [k for k in store.keys("*response:*")]
        assert len(list_keys) == 1
        assert 0 < store.ttl(list_keys[0]) <= 10
        get(client, BIRTHDAYS, auth_headers)
        birthday_key = next(k for k in store.keys("*response:*") if k not in list_keys)
        assert 3590 < store.ttl(birthday_key) <= 3600
        # The user's generation, and the network's (an address-book write renews it too).
        generations = sorted(store.keys("*cache-generation:*"))
        assert [key.rsplit(b":", 1)[1] for key in generations] == sorted(
            [user_id_hex(client, auth_headers).encode(), b"network"]
        )
        assert all(0 < store.ttl(key) <= 24 * 3600 for key in generations)


    def test_a_miss_reads_the_cache_once(self, client, auth_headers):
        """The shortcut's read of a missing entry is the one the view uses: one MGET."""
        add(client, auth_headers)
        get(client, URL, auth_headers)  # the generations exist; the next write renews one
        add(client, auth_headers, email="second@example.com")
        store = redis.Redis.from_url(REDIS_URL)
        store.config_resetstat()
        assert get(client, URL, auth_headers).headers["X-Cache"] == "MISS"
        assert store.info("commandstats")["cmdstat_mget"]["calls"] == 1
        assert get(client, URL, auth_headers).headers["X-Cache"] == "HIT"
        assert store.info("commandstats")["cmdstat_mget"]["calls"] == 2


def user_id_hex(client, headers) -> str:
    return client.get("/1/you", headers=headers).get_json()["id"]


def test_requests_succeed_when_redis_goes_away(tmp_path, user, auth_headers, private_redis,
                                               caplog):
    app = create_app({**base_config(tmp_path), "REDIS_URL": private_redis.url})
    client = app.test_client()
    add(client, auth_headers)
    assert get(client, URL, auth_headers).headers["X-Cache"] == "MISS"
    assert get(client, URL, auth_headers).headers["X-Cache"] == "HIT"

    private_redis.stop()
    with caplog.at_level(logging.WARNING):
        response = get(client, URL, auth_headers)
        assert (response.status_code, response.headers["X-Cache"]) == (200, "MISS")
        assert names(response) == ["John Doe"]
        add(client, auth_headers, first_name="Ann", email="ann@example.com")
        assert names(get(client, URL, auth_headers)) == ["Ann Doe", "John Doe"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("bypassing the cache" in r.getMessage() for r in warnings)
