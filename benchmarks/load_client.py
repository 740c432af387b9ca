"""Concurrent HTTP clients, run as a second process: ``python -m benchmarks.load_client URL_FILE C SECONDS``.

Each of C threads requests the URLs in turn until SECONDS pass (at most MAX_REQUESTS each); prints one
JSON object: latencies in seconds, the number of errors (non-2xx or exceptions) and examples of them.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.error
import urllib.request

MAX_REQUESTS = 2000
TIMEOUT = 30.0


def client(urls: list[str], deadline: float, latencies: list[float], errors: list[str]) -> None:
    for i in range(MAX_REQUESTS):
        if time.monotonic() > deadline:
            return
        url = urls[i % len(urls)]
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
                response.read()
            latencies.append(time.perf_counter() - started)
        except (urllib.error.URLError, OSError) as exc:
            errors.append(f"{url}: {exc}")


def main() -> None:
    url_file, clients, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    with open(url_file, encoding="utf-8") as handle:
        urls = [line for line in handle.read().splitlines() if line]
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(urls[i:] + urls[:i], deadline, latencies, errors))
               for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    print(json.dumps({"latencies": latencies, "errors": len(errors), "error_examples": errors[:5],
                      "seconds": elapsed, "clients": clients}))


if __name__ == "__main__":
    main()
