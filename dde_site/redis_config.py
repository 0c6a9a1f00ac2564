"""Where Redis is (one server, or a master found through Sentinel) and how every client of
it connects: the channel layer, the Celery broker, the API throttle cache and our own clients.

With ``REDIS_SENTINELS`` set, each client asks the Sentinels for the current master of
``REDIS_SENTINEL_MASTER`` whenever it (re)connects, so a failover needs no restart; the
database number and the master's password still come from ``REDIS_URL`` (its host is not
used). Every connection gets the same dead-peer bounds as the Postgres ones
(``dde_site.keepalive``): a partitioned Redis must not hold a publish or a broker read for
the kernel's two hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import redis
from django.core.exceptions import ImproperlyConfigured
from redis.sentinel import Sentinel, SentinelConnectionPool

from dde_site.keepalive import DeadPeerBounds


@dataclass(frozen=True)
class RedisTarget:
    url: str  # REDIS_URL
    sentinels: tuple[tuple[str, int], ...] = ()
    master: str = ""
    sentinel_password: str = field(default="", repr=False)

    @property
    def db(self) -> int:
        path = urlsplit(self.url).path.strip("/")
        return int(path) if path.isdigit() else 0

    @property
    def password(self) -> str | None:
        raw = urlsplit(self.url).password
        return unquote(raw) if raw else None


def parse_sentinels(raw: str) -> tuple[tuple[str, int], ...]:
    """``host:port,host:port`` as pairs; one sentence naming the bad entry otherwise."""
    pairs = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        host, _, port = item.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ImproperlyConfigured(
                f"Set REDIS_SENTINELS to host:port pairs separated by commas, like "
                f"10.0.0.5:26379,10.0.0.6:26379 (it has {item!r})."
            )
        pairs.append((host.strip("[]"), int(port)))
    return tuple(pairs)


def redis_target(url: str, sentinels_raw: str, master: str, sentinel_password: str) -> RedisTarget:
    sentinels = parse_sentinels(sentinels_raw)
    if sentinels and not master:
        raise ImproperlyConfigured(
            "Set REDIS_SENTINEL_MASTER to the name the Sentinels monitor the master under "
            "(REDIS_SENTINELS is set)."
        )
    if master and not sentinels:
        raise ImproperlyConfigured(
            "Set REDIS_SENTINELS to the Sentinels' host:port pairs (REDIS_SENTINEL_MASTER is set)."
        )
    return RedisTarget(url, sentinels, master, sentinel_password)


def connection_options(
    bounds: DeadPeerBounds, *, socket_timeout: float, health_check_interval: float
) -> dict[str, Any]:
    """redis-py connection keywords: keepalive probes, user timeout, bounded reads, and a
    PING before a command on a connection idle longer than ``health_check_interval``."""
    return {
        "socket_keepalive": True,
        "socket_keepalive_options": bounds.redis_socket_options(),
        "socket_connect_timeout": bounds.connect_timeout_seconds,
        "socket_timeout": socket_timeout,
        "health_check_interval": health_check_interval,
        # No retry_on_timeout: redis-py 6+ retries a timed-out command by itself.
    }


def _sentinel_kwargs(target: RedisTarget, options: dict[str, Any]) -> dict[str, Any]:
    # The Sentinels' own connections are as bounded as the master's.
    kwargs = {k: v for k, v in options.items() if k != "health_check_interval"}
    if target.sentinel_password:
        kwargs["password"] = target.sentinel_password
    return kwargs


def sync_client(target: RedisTarget, options: dict[str, Any]) -> redis.Redis:
    """A redis-py client of the current master (through Sentinel when configured)."""
    if not target.sentinels:
        return redis.Redis.from_url(target.url, **options)
    sentinel = Sentinel(list(target.sentinels), sentinel_kwargs=_sentinel_kwargs(target, options))
    client: redis.Redis = sentinel.master_for(
        target.master, db=target.db, password=target.password, **options
    )
    return client


def channel_layer_host(target: RedisTarget, options: dict[str, Any]) -> dict[str, Any]:
    """One entry of channels_redis ``hosts`` (its ``create_pool`` reads both shapes)."""
    if not target.sentinels:
        return {"address": target.url, **options}
    return {
        "master_name": target.master,
        "sentinels": [list(pair) for pair in target.sentinels],
        "sentinel_kwargs": _sentinel_kwargs(target, options),
        "db": target.db,
        "password": target.password,
        **options,
    }


def celery_broker(target: RedisTarget, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Celery's ``broker_url`` and ``broker_transport_options`` (kombu's Redis transport,
    or its Sentinel transport: ``sentinel://`` URLs joined by ``;`` and ``master_name``)."""
    if not target.sentinels:
        return target.url, dict(options)
    auth = f":{quote(target.password, safe='')}@" if target.password else ""
    url = ";".join(f"sentinel://{auth}{host}:{port}/{target.db}" for host, port in target.sentinels)
    return url, {
        **options,
        "master_name": target.master,
        "sentinel_kwargs": _sentinel_kwargs(target, options),
    }


class SentinelMasterPool(SentinelConnectionPool):
    """Django's RedisCache builds its pool with ``pool_class.from_url(LOCATION, **OPTIONS)``:
    this one takes the Sentinels from OPTIONS and ignores the URL's host."""

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> SentinelMasterPool:
        sentinels = kwargs.pop("sentinels")
        master = kwargs.pop("master_name")
        sentinel_kwargs = kwargs.pop("sentinel_kwargs", None)
        target = RedisTarget(url)
        manager = Sentinel(sentinels, sentinel_kwargs=sentinel_kwargs)
        return cls(master, manager, db=target.db, password=target.password, **kwargs)


def cache_options(target: RedisTarget, options: dict[str, Any]) -> dict[str, Any]:
    """``OPTIONS`` of a django.core.cache RedisCache on this Redis."""
    if not target.sentinels:
        return dict(options)
    return {
        **options,
        "pool_class": "dde_site.redis_config.SentinelMasterPool",
        "sentinels": list(target.sentinels),
        "master_name": target.master,
        "sentinel_kwargs": _sentinel_kwargs(target, options),
    }
