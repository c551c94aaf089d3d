"""The Redis cache is django-redis: one client per server, atomic increments for rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.test import override_settings
from django_redis.cache import RedisCache

from clinic.ratelimit import hit
from clinic.tests.redis_server import RedisServer


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(redis_server: RedisServer) -> Iterator[BaseCache]:
    """The portal's cache backend (test_settings checks REDIS_URL chooses it) on the server."""
    backend = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": redis_server.url,
        "KEY_PREFIX": "cache-test",
    }
    with override_settings(CACHES={"default": backend}):
        cache.clear()
        yield cache
        cache.clear()


def test_one_client_per_server_is_kept() -> None:
    # No command is sent: building clients and pools needs no server.
    cache = RedisCache("redis://127.0.0.1:6379/15", {})
    client = cache.client.get_client(write=True)
    assert isinstance(client, redis.Redis)
    assert cache.client.get_client(write=False) is client
    assert cache.client.get_client(write=True) is client


def test_two_servers_write_to_the_first_and_read_from_the_other() -> None:
    cache = RedisCache("redis://127.0.0.1:6379/14,redis://127.0.0.1:6379/13", {})
    writer = cache.client.get_client(write=True)
    reader = cache.client.get_client(write=False)
    assert writer is not reader
    assert writer.connection_pool.connection_kwargs["db"] == 14
    assert reader.connection_pool.connection_kwargs["db"] == 13
    assert reader is cache.client.get_client(write=False)


def test_increments_are_atomic_and_refuse_a_missing_key(redis_cache: BaseCache) -> None:
    assert redis_cache.add("hits", 0, timeout=60)
    assert not redis_cache.add("hits", 0, timeout=60)  # add() is "set if absent"
    assert [redis_cache.incr("hits") for _ in range(3)] == [1, 2, 3]
    assert redis_cache.get("hits") == 3
    # The rate limit relies on it: an expired key is a ValueError, not a silent 1.
    with pytest.raises(ValueError, match="not found"):
        redis_cache.incr("expired")
    redis_cache.set("heartbeat", 1764072000.25, timeout=60)
    assert redis_cache.get("heartbeat") == 1764072000.25


def test_rate_limits_count_on_redis(redis_cache: BaseCache, settings: Any) -> None:
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/5m"}
    who = ["ip:192.0.2.10", "account:alice@example.test"]
    assert [hit("login", who, now=1_764_072_000.0) for _ in range(2)] == [None, None]
    assert hit("login", who, now=1_764_072_010.0) == 290
    assert hit("login", ["ip:192.0.2.11"], now=1_764_072_010.0) is None
