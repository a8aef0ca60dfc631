"""contacts_api: a private address book (`/api/`) and the Atomic Contacts network (`/1/`)."""

import os
from pathlib import Path

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as settings
from .accounts.auth import claim, load_request_user
from .database import autocommit_bind
from .extensions import api, cache, db, jwt, limiter, mail, redis_store
from .http.converters import IdConverter
from .http.errors import BadRequest
from .http.override import MethodOverrideMiddleware
from .http.rendering import OrjsonProvider
from .http.shortcut import CachedReads
from .ratelimits import drop_stray_retry_after, has_per_user_limit

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

OPENAPI_SETTINGS = {
    "API_TITLE": "contacts_api",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
}


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides settings read from the environment."""
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None)
    app.json = OrjsonProvider(app)
    app.config.update(OPENAPI_SETTINGS)
    app.config.update(settings.from_environment(app.instance_path))
    app.config.update(config or {})
    app.logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    register_middleware(app)
    register_request_hooks(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    return app


def register_middleware(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    app.url_map.strict_slashes = False
    app.wsgi_app = CachedReads(app, app.wsgi_app, claim=claim, rate_limited=has_per_user_limit)
    app.wsgi_app = MethodOverrideMiddleware(app.wsgi_app)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # Only the addresses appended by our own proxies are believed; anything a client
        # writes into X-Forwarded-For further left is ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def register_request_hooks(app: Flask) -> None:
    """Registered before the rate limiter's hook, which needs to know who is calling."""

    @app.before_request
    def refuse_nul_in_query():
        if any("\x00" in value for value in request.args.values()):
            raise BadRequest(detail="NUL characters are not allowed")

    app.before_request(load_request_user)
    app.after_request(drop_stray_retry_after)


def register_extensions(app: Flask) -> None:
    redis_url = app.config["REDIS_URL"]
    app.config.setdefault("CACHE_TYPE", "RedisCache" if redis_url else "SimpleCache")
    app.config.setdefault("CACHE_REDIS_URL", redis_url)
    if redis_url:
        # Short timeouts: an unreachable Redis bypasses the cache instead of hanging requests.
        app.config.setdefault("CACHE_OPTIONS", {"socket_connect_timeout": 0.5,
                                                "socket_timeout": 0.5})
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)

    app.config.setdefault("SQLALCHEMY_BINDS", autocommit_bind(app.config))
    db.init_app(app)
    if app.config.get("DATABASE_MIGRATIONS", True):
        # Alembic costs each web worker ~9 MiB and serves only `flask db`; wsgi.py, the
        # web entry point, turns it off.
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(MIGRATIONS_DIR))
    jwt.init_app(app)
    redis_store.init_app(app)
    cache.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                       "bearerFormat": "JWT"})
    api.spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})


def register_blueprints(app: Flask) -> None:
    from .accounts.views.auth import blp as auth
    from .accounts.views.users import blp as users
    from .accounts.views.users import media
    from .addressbook import blueprints as addressbook_blueprints
    from .dav import blp as dav
    from .docs import blp as docs_assets
    from .health.views import blp as health
    from .network import blueprints as network_blueprints

    app.register_blueprint(docs_assets)
    app.register_blueprint(media)
    app.register_blueprint(dav)
    for blueprint in (health, auth, users, *addressbook_blueprints(), *network_blueprints()):
        api.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    from .accounts.cli import users_cli
    from .addressbook.cli import contacts_cli
    from .cli import cache_cli
    from .network.cli import legal_cli, suggestions_cli
    from .seed import seed_command

    app.cli.add_command(users_cli)
    app.cli.add_command(suggestions_cli)
    app.cli.add_command(legal_cli)
    app.cli.add_command(cache_cli)
    app.cli.add_command(seed_command)
    app.cli.add_command(contacts_cli)
