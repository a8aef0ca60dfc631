"""`flask --app contacts_api cache clear`: the response cache from the shell."""

import click
import redis
from flask import current_app
from flask.cli import AppGroup

from .extensions import cache

cache_cli = AppGroup("cache", help="Manage the response cache.")


@cache_cli.command("clear")
def clear():
    """Drop every cached response; each is computed again on its next read.

    Only the response cache is touched: rate-limit counters and remembered Basic
    credentials, which live in the same Redis, stay.
    """
    backend = current_app.config["CACHE_TYPE"]
    if backend == "SimpleCache":
        raise click.ClickException(
            "The response cache is in-process (REDIS_URL is not set): each server process "
            "keeps its own, and restarting the server clears it."
        )
    try:
        cache.clear()
    except redis.RedisError as exc:
        raise click.ClickException(f"Redis did not answer: {exc}") from exc
    click.echo(f"Cleared the response cache ({backend})")
