"""A small keep-alive HTTP load generator, for when wrk is not installed.

`python -m bench.httpload URL SECONDS CONNECTIONS` prints "<responses> <non-2xx>":
each connection is a thread sending GETs one after another on one kept-alive
connection. Run in its own process, so its work does not share the benchmark's
interpreter (it shares the cores, as wrk does).
"""

from __future__ import annotations

import http.client
import sys
import threading
import time
from urllib.parse import urlsplit


def main() -> int:
    url, seconds, connections = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    parts = urlsplit(url)
    host = parts.hostname
    assert host is not None, f"no host in {url}"
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    counts = [[0, 0] for _ in range(connections)]
    deadline = time.monotonic() + seconds

    def hammer(slot: list[int]) -> None:
        connection = http.client.HTTPConnection(host, parts.port, timeout=30)
        while time.monotonic() < deadline:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            slot[0] += 1
            slot[1] += not 200 <= response.status < 300
            if response.will_close:
                connection.close()
                connection = http.client.HTTPConnection(host, parts.port, timeout=30)
        connection.close()

    threads = [threading.Thread(target=hammer, args=(slot,)) for slot in counts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(sum(slot[0] for slot in counts), sum(slot[1] for slot in counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
