"""Public pages from the shared cache (issue 21: public pages near the framework's limit).

Rules:
- The home page, the catalogue, each procedure's page and the scar guide are the
  same for every anonymous visitor of a language. The first such visitor's page is
  kept in the shared cache, per language and address (the path, plus the query
  parameters the page knows, e.g. the catalogue's filters); everyone after gets
  the kept page, on every web server.
- A signed-in visitor always gets a live page (their own navigation, and whatever
  a page shows them alone); so does any request but GET and HEAD, a request that
  carries a one-time message, and one with query parameters the page does not know
  or values too long to be real (nobody can fill the cache with made-up addresses).
- The CSRF token is the visitor's own: a kept page holds a placeholder where each
  form's token goes, and every answer gets the visitor's token written in, so the
  candidate-check form and the language switch post as before.
- Staff edits of the catalogue (a procedure, its price or texts, its rules,
  prerequisites, washouts) start a new generation once the edit is committed
  (`invalidate_public_pages`, connected in `procedures.apps`, and on
  `screening_rules_changed`). The generation lives in the shared cache, so every
  server stops using the old pages at once; they are never read again and expire.
- `PUBLIC_PAGE_CACHE_SECONDS` is how long a page is kept; 0 turns this off.

Speed: a round trip to the shared cache costs about as much as Django's whole
middleware on a busy host, so each process also keeps the pages it served last
(at most `_LOCAL_PAGES`, in memory) and re-reads the shared generation at most
every `PUBLIC_PAGE_GENERATION_CHECK_SECONDS`: a kept page is served without any
round trip, and an edit reaches the other processes and servers within that
interval (the process that made it, at once).

The narrow entry is the `public_page` decorator (and `invalidate_public_pages`);
nothing else in the portal knows pages are cached.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

GENERATION_KEY = "public-pages:generation"
# What `{% csrf_token %}` writes; the value is put back per visitor.
_TOKEN_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_PLACEHOLDER = b"@@csrf-token@@"
_MAX_PARAM_LENGTH = 64
# Longer addresses go into the key hashed (the pages' own paths are short slugs).
_MAX_ADDRESS_LENGTH = 160
# The messages framework's cookie: a visitor with a message waiting sees it live.
_MESSAGES_COOKIE = "messages"

_LOCAL_PAGES = 256

View = Callable[..., HttpResponse]
Page = tuple[str, bytes]  # content type, body with the token placeholder


class _LocalPages:
    """This process's last pages and its last look at the shared generation."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: OrderedDict[str, tuple[float, Page]] = OrderedDict()
        self.generation: tuple[float, int] | None = None

    def get(self, key: str) -> Page | None:
        with self.lock:
            found = self.pages.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return found[1]

    def put(self, key: str, page: Page, seconds: float) -> None:
        with self.lock:
            self.pages[key] = (time.monotonic() + seconds, page)
            self.pages.move_to_end(key)
            while len(self.pages) > _LOCAL_PAGES:
                self.pages.popitem(last=False)


_local = _LocalPages()


def public_page(*, params: tuple[str, ...] = ()) -> Callable[[View], View]:
    """Serve a public GET page from the shared cache to anonymous visitors (see module)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = _page_key(request, params)
            if key is None:
                return view(request, *args, **kwargs)
            seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
            kept = _local.get(key)
            if kept is None:
                kept = cache.get(key)
                if kept is not None:
                    _local.put(key, kept, seconds)
            if kept is not None:
                content_type, body = kept
                return HttpResponse(
                    body.replace(_PLACEHOLDER, get_token(request).encode()),
                    content_type=content_type,
                )
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                body = _TOKEN_FIELD.sub(rb"\1" + _PLACEHOLDER + rb"\2", response.content)
                page = (response["Content-Type"], body)
                cache.set(key, page, seconds)
                _local.put(key, page, seconds)
            return response

        return wrapper

    return decorator


def invalidate_public_pages() -> None:
    """Start a new generation of kept pages, on every server (the old ones are never read)."""
    generation = time.time_ns()
    cache.set(GENERATION_KEY, generation, None)
    _local.generation = (time.monotonic(), generation)


def invalidate_on_commit(*args: Any, raw: bool = False, **kwargs: Any) -> None:
    """Receiver for catalogue edits: a new generation once the edit is committed."""
    if raw:  # fixtures being loaded: no page is out of date yet
        return
    transaction.on_commit(invalidate_public_pages)


def invalidate_after_rules_change(*args: Any, **kwargs: Any) -> None:
    """Receiver for `screening_rules_changed` (sent once its transaction has committed)."""
    invalidate_public_pages()


def _generation() -> int:
    """The shared generation, as this process saw it at most a check interval ago."""
    seen = _local.generation
    now = time.monotonic()
    if seen is not None and now - seen[0] < settings.PUBLIC_PAGE_GENERATION_CHECK_SECONDS:
        return seen[1]
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # Lost (a flushed cache): a new one, so pages kept before are never used again.
        cache.add(GENERATION_KEY, time.time_ns(), None)
        generation = cache.get(GENERATION_KEY, 0)
    _local.generation = (now, int(generation))
    return int(generation)


def _page_key(request: HttpRequest, params: tuple[str, ...]) -> str | None:
    """The cache key of this request's page, or None when it must be served live."""
    if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return None
    cookies = request.COOKIES
    if _MESSAGES_COOKIE in cookies:
        return None
    # Without a session cookie nobody is signed in: no need to ask for the user.
    if settings.SESSION_COOKIE_NAME in cookies and request.user.is_authenticated:
        return None
    address = request.path
    if request.META.get("QUERY_STRING"):
        query = request.GET
        if any(name not in params for name in query) or any(
            len(value) > _MAX_PARAM_LENGTH for value in query.values()
        ):
            return None
        known = urlencode(sorted((name, query[name]) for name in params if query.get(name)))
        address = f"{address}?{known}"
    if len(address) > _MAX_ADDRESS_LENGTH:
        address = hashlib.sha256(address.encode()).hexdigest()
    return f"public-page:{_generation()}:{get_language()}:{address}"
