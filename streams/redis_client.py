"""A Redis client of the configured Redis, for our own uses (metrics, gauges, health, the
vendor rate limit, preflight): the counterpart of ``streams.conninfo`` for Postgres.

It connects as the channel layer and Celery do (``dde_site.redis_config``): to the master
the Sentinels name when ``REDIS_SENTINELS`` is set, and with the dead-peer bounds.
"""

from __future__ import annotations

from typing import Any

import redis
from django.conf import settings

from dde_site.redis_config import RedisTarget, sync_client


def redis_client(**overrides: Any) -> redis.Redis:
    """A new client; ``overrides`` (a shorter ``socket_timeout``...) win over the settings'."""
    options = {**settings.REDIS_CONNECTION_OPTIONS, **overrides}
    # Built from the settings each time (not settings.REDIS_TARGET), so that a test
    # overriding REDIS_URL or the Sentinels reaches what it names.
    target = RedisTarget(
        settings.REDIS_URL,
        settings.REDIS_SENTINELS,
        settings.REDIS_SENTINEL_MASTER,
        settings.REDIS_SENTINEL_PASSWORD,
    )
    return sync_client(target, options)
