"""HTTP Basic on `/1/`: username or email, the verified-credentials cache, revocation.

The network surface lives elsewhere; a probe `NetworkBlueprint` stands in for it.
"""

import pytest
import redis
from marshmallow import Schema, fields

from conftest import PASSWORD, REDIS_URL, basic, free_port, needs_redis
from contacts_api.accounts import auth, service
from contacts_api.accounts.models import User
from contacts_api.database import db
from contacts_api.extensions import api, redis_store
from contacts_api.http import NetworkBlueprint, current_user


class WhoSchema(Schema):
    id = fields.String()


@pytest.fixture
def app(app):
    blp = NetworkBlueprint("probe_basic", __name__, url_prefix="/probe1")

    @blp.route("/you")
    @blp.login_required
    @blp.response(200, WhoSchema)
    def you():
        return {"id": current_user().id.hex}

    api.register_blueprint(blp)
    return app


@pytest.fixture
def hash_checks(monkeypatch):
    """Counts the argon2 verifications Basic authentication performs."""
    calls = []
    real = auth.verify_password

    def counting(password_hash, password):
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    return calls


def change_password(app, user, password):
    with app.app_context():
        service.change_password(db.session.get(User, user.id), password)
        db.session.commit()  # change_password works in the caller's transaction


@pytest.mark.parametrize("login", ["alice", "ALICE", "alice@example.com"])
def test_username_or_email(client, user, login):
    response = client.get("/probe1/you", headers=basic(login))
    assert response.status_code == 200
    assert response.get_json() == {"id": user.id.hex}


@pytest.mark.parametrize(("login", "password"), [("alice", "wrong"), ("nobody", PASSWORD)])
def test_wrong_credentials_are_401_with_a_basic_challenge(client, user, login, password):
    response = client.get("/probe1/you", headers=basic(login, password))
    assert response.status_code == 401
    assert response.get_json() == {"error": "unauthorized",
                                   "detail": "Incorrect username or password"}
    assert 'Basic realm="contacts"' in response.headers["WWW-Authenticate"]


def test_repeated_credentials_are_verified_once(client, user, hash_checks):
    for _ in range(5):
        assert client.get("/probe1/you", headers=basic("alice")).status_code == 200
    assert len(hash_checks) == 1


def test_wrong_passwords_are_never_cached(client, user, hash_checks):
    for _ in range(3):
        assert client.get("/probe1/you", headers=basic("alice", "nope")).status_code == 401
    assert len(hash_checks) == 3


def test_the_cache_never_holds_the_password(app, client, user):
    client.get("/probe1/you", headers=basic("alice"))
    entries = app.extensions["basic_auth_cache"]._entries
    dump = " ".join(f"{k} {v}" for k, v in entries.items()).encode()
    if REDIS_URL:
        stored = redis.Redis.from_url(REDIS_URL)
        keys = stored.keys("basic-auth:*")
        assert keys
        dump += b" ".join([b"", *keys, *(stored.get(key) for key in keys)])
    assert dump
    assert PASSWORD.encode() not in dump and b"alice" not in dump
    assert b"argon2" not in dump


def test_password_change_invalidates_cached_credentials(app, client, user, hash_checks):
    assert client.get("/probe1/you", headers=basic("alice")).status_code == 200
    change_password(app, user, "a new password")
    assert client.get("/probe1/you", headers=basic("alice")).status_code == 401
    assert client.get("/probe1/you", headers=basic("alice", "a new password")).status_code == 200


def test_a_cached_login_that_changed_hands_is_not_trusted(app, client, user):
    assert client.get("/probe1/you", headers=basic("alice")).status_code == 200
    with app.app_context():
        db.session.get(User, user.id).username = "alicia"
        db.session.commit()
    assert client.get("/probe1/you", headers=basic("alice")).status_code == 401
    assert client.get("/probe1/you", headers=basic("alicia")).status_code == 200


def test_unverified_account_cannot_use_basic(client, make_user):
    make_user("carol", verified=False)
    response = client.get("/probe1/you", headers=basic("carol"))
    assert response.status_code == 401
    assert response.get_json()["detail"] == "User is not verified"


def test_bearer_works_too_and_password_change_revokes_it(app, client, user, auth_headers):
    assert client.get("/probe1/you", headers=auth_headers).status_code == 200
    change_password(app, user, "a new password")
    response = client.get("/probe1/you", headers=auth_headers)
    assert response.status_code == 401
    assert response.get_json()["detail"] == "Token has been revoked"


def test_verified_credentials_do_not_depend_on_redis(app, client, user, hash_checks):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    redis_store.init_app(app)
    for _ in range(2):
        assert client.get("/probe1/you", headers=basic("alice")).status_code == 200
    assert len(hash_checks) == 1


@needs_redis
def test_another_worker_finds_verified_credentials_in_redis(app, client, user, hash_checks):
    assert client.get("/probe1/you", headers=basic("alice")).status_code == 200
    del app.extensions["basic_auth_cache"]  # what a worker that has not seen alice holds
    response = client.get("/probe1/you", headers=basic("alice"))
    assert response.status_code == 200
    assert response.get_json() == {"id": user.id.hex}
    assert len(hash_checks) == 1


@needs_redis
def test_a_repeated_request_does_not_read_redis(client, user):
    stored = redis.Redis.from_url(REDIS_URL)

    def reads() -> int:
        return stored.info("commandstats").get("cmdstat_get", {}).get("calls", 0)

    assert client.get("/probe1/you", headers=basic("alice")).status_code == 200
    before = reads()
    assert client.get("/probe1/you", headers=basic("alice")).status_code == 200
    assert reads() == before
