"""Redis through Sentinel: the settings' parsing, and every client finding a real master."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from typing import Any

import kombu
import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings as django_settings
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

from dde_site.redis_config import (
    RedisTarget,
    cache_options,
    celery_broker,
    channel_layer_host,
    parse_sentinels,
    redis_target,
)
from streams.redis_client import redis_client
from tests.support.processes import start_up_of_web
from tests.support.redis_sentinel import Sentinelled, sentinelled_redis

OPTIONS = django_settings.REDIS_CONNECTION_OPTIONS


def test_sentinels_are_read_as_host_and_port_pairs() -> None:
    assert parse_sentinels(" 10.0.0.5:26379, sentinel-2:26380 ,") == (
        ("10.0.0.5", 26379),
        ("sentinel-2", 26380),
    )
    assert parse_sentinels("") == ()


@pytest.mark.parametrize("raw", ["10.0.0.5", "10.0.0.5:port", ":26379", "h:0", "h:70000"])
def test_a_sentinel_without_a_usable_port_is_refused_naming_it(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="Set REDIS_SENTINELS to host:port") as refused:
        parse_sentinels(f"ok:26379,{raw}")
    assert repr(raw) in str(refused.value)


def test_sentinels_without_a_master_name_or_a_name_without_sentinels_are_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^Set REDIS_SENTINEL_MASTER"):
        redis_target("redis://x/0", "s1:26379", "", "")
    with pytest.raises(ImproperlyConfigured, match=r"^Set REDIS_SENTINELS"):
        redis_target("redis://x/0", "", "mymaster", "")


def test_without_sentinels_every_client_uses_redis_url_as_before() -> None:
    target = redis_target("redis://r:6379/3", "", "", "")
    assert celery_broker(target, OPTIONS) == ("redis://r:6379/3", OPTIONS)
    assert channel_layer_host(target, OPTIONS)["address"] == "redis://r:6379/3"
    assert "pool_class" not in cache_options(target, OPTIONS)


def test_the_celery_broker_url_names_every_sentinel_with_the_database_and_password() -> None:
    target = RedisTarget("redis://:p%40ss@ignored:6379/4", (("s1", 26379), ("s2", 26380)), "m")
    url, transport = celery_broker(target, OPTIONS)
    assert url == "sentinel://:p%40ss@s1:26379/4;sentinel://:p%40ss@s2:26380/4"
    assert transport["master_name"] == "m"
    assert transport["socket_keepalive"] is True
    assert transport["sentinel_kwargs"]["socket_keepalive_options"]


def test_a_misconfigured_sentinel_stops_start_up_with_one_sentence() -> None:
    env = {**os.environ, "REDIS_SENTINELS": "10.0.0.5:26379", "DJANGO_SETTINGS_MODULE": ""}
    env.pop("DJANGO_SETTINGS_MODULE")
    done = start_up_of_web(env)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "Configuration error: Set REDIS_SENTINEL_MASTER to the name the Sentinels monitor "
        "the master under (REDIS_SENTINELS is set)."
    ]


@pytest.fixture(scope="module")
def sentinelled() -> Iterator[Sentinelled]:
    with sentinelled_redis() as running:
        yield running


def through(sentinelled: Sentinelled) -> RedisTarget:
    # REDIS_URL's host is a dead one: only the Sentinel can lead the clients to the master.
    return redis_target("redis://127.0.0.1:1/0", sentinelled.sentinels, sentinelled.master_name, "")


def test_our_redis_client_writes_to_the_master_the_sentinel_names(
    sentinelled: Sentinelled, settings: Any
) -> None:
    target = through(sentinelled)
    settings.REDIS_URL = target.url
    settings.REDIS_SENTINELS = target.sentinels
    settings.REDIS_SENTINEL_MASTER = target.master
    key = f"through-sentinel-{uuid.uuid4().hex}"
    with redis_client() as client:
        client.set(key, "yes")
    assert sentinelled.master().get(key) == b"yes"


def test_the_celery_broker_reaches_the_master_through_the_sentinel(
    sentinelled: Sentinelled,
) -> None:
    url, transport = celery_broker(through(sentinelled), OPTIONS)
    queue = f"through-sentinel-{uuid.uuid4().hex}"
    with kombu.Connection(url, transport_options=transport) as broker:
        broker.SimpleQueue(queue).put({"hello": "sentinel"})
    assert sentinelled.master().llen(queue) == 1


def test_the_channel_layer_publishes_through_the_sentinel(sentinelled: Sentinelled) -> None:
    layer = RedisPubSubChannelLayer(hosts=[channel_layer_host(through(sentinelled), OPTIONS)])

    async def round_trip() -> dict[str, Any]:
        channel = await layer.new_channel()
        await layer.group_add("through-sentinel", channel)
        await layer.group_send("through-sentinel", {"type": "sentinel.hello"})
        try:
            return await asyncio.wait_for(layer.receive(channel), 10)
        finally:
            await layer.flush()

    assert asyncio.run(round_trip()) == {"type": "sentinel.hello"}


def test_the_api_cache_counts_on_the_master_through_the_sentinel(
    sentinelled: Sentinelled,
) -> None:
    target = through(sentinelled)
    cache = RedisCache(target.url, {"OPTIONS": cache_options(target, OPTIONS)})
    cache.set("through-sentinel", 7)
    assert cache.get("through-sentinel") == 7
    assert sentinelled.master().keys("*through-sentinel") != []
