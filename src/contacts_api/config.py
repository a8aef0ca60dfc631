"""Settings, read only from the environment (and a `.env` file when present)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import orjson
from dotenv import load_dotenv

MIB = 1024 * 1024


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def database_url(url: str | None, instance_path: str) -> str:
    """The SQLAlchemy URL for `url`, or an SQLite file in the instance folder.

    Heroku-style platforms hand out `postgres://` URLs, which SQLAlchemy no longer
    accepts; they and plain `postgresql://` ones are pointed at the psycopg 3 driver.
    """
    if not url:
        return f"sqlite:///{Path(instance_path) / 'contacts.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_production() -> bool:
    """Production unless told otherwise; a platform dyno always counts as production."""
    return os.environ.get("APP_ENV", "development") == "production" or "DYNO" in os.environ


def _secret(name: str, instance_path: str) -> str:
    """A secret from the environment, or in development one generated once and kept.

    Production refuses to run on a generated secret: every host behind the load
    balancer must sign and verify tokens with the same key.
    """
    value = os.environ.get(name)
    if value:
        return value
    if is_production():
        raise RuntimeError(
            f"{name} must be set in production (APP_ENV=production); "
            f"generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    path = Path(instance_path) / f"{name.lower()}.txt"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(instance_path: str) -> dict:
    """Every setting of the application, as Flask config keys."""
    env_file = Path.cwd() / ".env"
    if env_file.exists():
        load_dotenv(env_file, override=False)
    redis_url = os.environ.get("REDIS_URL") or None
    # CACHE_TYPE overrides the backend chosen from REDIS_URL (`NullCache` turns caching off).
    cache_type = {"CACHE_TYPE": os.environ["CACHE_TYPE"]} if os.environ.get("CACHE_TYPE") else {}
    return cache_type | {
        "PRODUCTION": is_production(),
        "SECRET_KEY": _secret("SECRET_KEY", instance_path),
        "JWT_SECRET_KEY": _secret("JWT_SECRET_KEY", instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL"), instance_path),
        # JSON columns (a card's additional_data) are parsed by orjson, as request bodies are.
        "SQLALCHEMY_ENGINE_OPTIONS": {"json_deserializer": orjson.loads},
        "REDIS_URL": redis_url,
        # Bodies: 1 MiB in general; the avatar upload raises its own limit.
        "MAX_CONTENT_LENGTH": MIB,
        "AVATAR_MAX_BYTES": 5 * MIB,
        # Declared pixels an avatar upload may have (decompression-bomb guard).
        "AVATAR_MAX_PIXELS": _int("AVATAR_MAX_PIXELS", 25_000_000),
        "AVATAR_DIR": os.environ.get("AVATAR_DIR") or str(Path(instance_path) / "avatars"),
        "PUBLIC_BASE_URL": (os.environ.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "EMAIL_VERIFICATION_REQUIRED": _bool("EMAIL_VERIFICATION_REQUIRED", True),
        # Tokens.
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(seconds=_int("ACCESS_TOKEN_SECONDS", 15 * 60)),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(
            seconds=_int("REFRESH_TOKEN_SECONDS", 7 * 24 * 3600)
        ),
        "VERIFICATION_TOKEN_SECONDS": _int("VERIFICATION_TOKEN_SECONDS", 24 * 3600),
        "RESET_TOKEN_SECONDS": _int("RESET_TOKEN_SECONDS", 3600),
        # Verified Basic credentials are remembered this long (see accounts/credentials_cache).
        "BASIC_AUTH_CACHE_SECONDS": _int("BASIC_AUTH_CACHE_SECONDS", 60),
        # Password hashing (argon2id). Tests lower the cost; production keeps the defaults.
        "ARGON2_TIME_COST": _int("ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_COST": _int("ARGON2_MEMORY_COST", 64 * 1024),
        # Rate limits.
        "RATELIMIT_ME": os.environ.get("RATELIMIT_ME", "5 per minute"),
        "RATELIMIT_UNAUTHENTICATED": os.environ.get("RATELIMIT_UNAUTHENTICATED", "20 per minute"),
        # Mail.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "contacts@localhost"),
        "MAIL_OUTBOX_DIR": os.environ.get("MAIL_OUTBOX_DIR") or None,
        # Legal texts: a folder of privacy.md / terms.md that overrides the shipped ones.
        "LEGAL_DIR": os.environ.get("LEGAL_DIR") or None,
    }
