"""The server's warm-up: the per-build caches are built for the current build and again, without a
request, for a build swapped in while the server runs."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from web_support import fixture_graph, fixture_home, make_app, write_store

import web.explorer
import web.search
from kg.store import StoreLayout
from web import warm_caches


def wait_for_caches_of(build: Path | None, seconds: float = 30.0) -> bool:
    """Whether the search index and the path graph of ``build`` are held within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if web.search._index.held_build == build and web.explorer._paths.held_build == build:
            return True
        time.sleep(0.05)
    return False


def test_a_swapped_in_build_is_warmed_without_a_request(tmp_path: Path) -> None:
    settings = fixture_home(tmp_path)
    app = make_app(settings)
    stop = threading.Event()
    thread = warm_caches(app, stop, poll_seconds=0.1)
    try:
        first = StoreLayout(settings.store_dir).current_build()
        assert wait_for_caches_of(first)
        second = write_store(settings, fixture_graph())  # a rebuild, swapped in while the server runs
        assert second != first and wait_for_caches_of(second)
    finally:
        stop.set()
        thread.join(timeout=30)
        if backend := app.extensions.get("kg_sparql_backend"):
            backend.close()
    assert not thread.is_alive()
