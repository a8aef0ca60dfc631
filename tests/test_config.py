"""Settings from the environment: database URLs, secrets, production safety."""

import pytest

from conftest import base_config
from contacts_api import create_app
from contacts_api.config import database_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
        ("postgresql://u@db/app", "postgresql+psycopg://u@db/app"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        (None, "sqlite:////srv/instance/contacts.db"),
    ],
)
def test_database_url(url, expected):
    assert database_url(url, "/srv/instance") == expected


def test_production_refuses_to_start_without_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set in production"):
        create_app()


def test_development_generates_and_keeps_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("DYNO", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("JWT_SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert first.config["JWT_SECRET_KEY"] == second.config["JWT_SECRET_KEY"]
    assert first.config["SECRET_KEY"] != first.config["JWT_SECRET_KEY"]
    assert (tmp_path / "secret_key.txt").stat().st_mode & 0o077 == 0


@pytest.mark.filterwarnings("ignore:Flask-Caching. CACHE_TYPE is set to NullCache")
def test_cache_type_from_the_environment_turns_the_response_cache_off(
    monkeypatch, migrated, tmp_path, bearer, make_user
):
    monkeypatch.setenv("CACHE_TYPE", "NullCache")
    app = create_app(base_config(tmp_path))
    assert app.config["CACHE_TYPE"] == "NullCache"
    client = app.test_client()
    headers = bearer(make_user("nocache"))
    for _ in range(2):
        response = client.get("/api/contacts/", headers=headers)
        assert response.status_code == 200
        assert response.headers["X-Cache"] == "MISS"


def test_cache_type_defaults_to_the_backend_redis_url_implies(app):
    assert app.config["CACHE_TYPE"] == ("RedisCache" if app.config["REDIS_URL"] else "SimpleCache")
