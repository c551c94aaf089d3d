"""Settings of the benchmark's own server: the test settings, plus a bare view (bench/urls.py).

Only `make bench` starts a server with them; the portal's URLs never include the view.
"""

from clinic.settings.test import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The public pages' cache, as in production (the test settings switch it off).
PUBLIC_PAGE_CACHE_SECONDS = 300
