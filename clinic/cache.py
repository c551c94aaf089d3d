"""The Redis cache backend, keeping one client object per connection pool.

Django's `RedisCacheClient` builds a new `redis.Redis` (and its table of response
callbacks) for every cache call, which costs more than the call itself on a busy
request. A `redis.Redis` is safe to share (each command takes a connection from
the pool), so one is kept per pool: the same servers, pools and answers.
"""

from typing import Any

from django.core.cache.backends import redis as django_redis


class _OneClientPerPool(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _OneClientPerPool
