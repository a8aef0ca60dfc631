"""Redis, when `REDIS_URL` is set: one client shared by caching, revocation and health."""

import redis
from flask import current_app
from redis.backoff import NoBackoff
from redis.retry import Retry


class RedisStore:
    """A Flask extension holding the Redis client, or None for the embedded defaults.

    Timeouts are short, and a failed command is retried once at once (a pooled
    connection may have gone stale) instead of with redis-py's default backoff of
    seconds, so that a Redis outage degrades requests (cache bypassed, limiter in
    process) instead of hanging them.
    """

    def __init__(self):
        self.client: redis.Redis | None = None

    def init_app(self, app):
        url = app.config.get("REDIS_URL")
        self.client = (
            redis.Redis.from_url(
                url,
                socket_connect_timeout=0.5,
                socket_timeout=0.5,
                health_check_interval=30,
                retry=Retry(NoBackoff(), 1),
            )
            if url
            else None
        )
        app.extensions["redis_store"] = self

    def status(self) -> str:
        """`ok`, `in-process` (no Redis configured) or `unavailable`."""
        if self.client is None:
            return "in-process"
        try:
            self.client.ping()
        except redis.RedisError as exc:
            current_app.logger.warning("redis unavailable: %s", exc)
            return "unavailable"
        return "ok"
