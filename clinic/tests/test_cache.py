"""The Redis cache backend keeps one client object per connection pool."""

import redis

from clinic.cache import RedisCache


def test_one_client_per_pool_is_reused() -> None:
    # No command is sent: building clients and pools needs no server.
    cache = RedisCache("redis://127.0.0.1:6379/15", {})
    client = cache._cache.get_client(write=True)
    assert isinstance(client, redis.Redis)
    # One server: reads and writes share its pool, and so its client.
    assert cache._cache.get_client(write=False) is client
    assert cache._cache.get_client("any-key") is client
    assert client.connection_pool is cache._cache._get_connection_pool(True)


def test_two_servers_have_a_client_each() -> None:
    cache = RedisCache("redis://127.0.0.1:6379/14,redis://127.0.0.1:6379/13", {})
    writer = cache._cache.get_client(write=True)
    reader = cache._cache.get_client(write=False)  # the other server: reads go there
    assert writer is not reader
    assert reader is cache._cache.get_client(write=False)
