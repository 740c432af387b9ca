"""The Flask web app: an app factory; each area of the site is a blueprint in its own module."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from flask import Flask

from kg.config import Settings, load_settings
from kg.errors import KGError
from kg.store import StoreLayout
from web.storeholder import StoreHolder


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["KG_SETTINGS"] = settings
    app.extensions["kg_store"] = StoreHolder(settings.store_dir)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    return app


WARM_POLL_SECONDS = 5.0  # how often the warm-up looks for a new build


def warm_caches(app: Flask, stop: threading.Event | None = None,
                poll_seconds: float = WARM_POLL_SECONDS) -> threading.Thread:
    """Build the per-store caches (the search index read from the build, home-page figures, the explorer's
    path graph, the properties in use, the pages of saved queries slow over the whole corpus) in the
    background, for the current build and again for each build swapped in while the server runs, so that
    neither the first visitor nor the first after a rebuild waits for them (seconds to minutes at 1,000
    reports). A missing store is left to the pages to report. Runs until ``stop`` is set."""
    stop = stop or threading.Event()
    layout = StoreLayout(app.config["KG_SETTINGS"].store_dir)

    def warm() -> None:
        from web.entity_page import predicates
        from web.explorer import path_graph
        from web.home import cached_stats
        from web.saved_queries import warm_pages
        from web.search import get_index

        with app.app_context(), contextlib.suppress(KGError):
            get_index()
            cached_stats()
            path_graph()  # 1.8 s and 284 MB at 1,000 reports, which the first path request would wait for
            predicates.get()
            warm_pages()

    def watch() -> None:
        warmed: Path | None = None
        while not stop.is_set():
            build = layout.current_build()
            if build is not None and build != warmed:
                warm()
                warmed = build
            stop.wait(poll_seconds)

    thread = threading.Thread(target=watch, name="warm-caches", daemon=True)
    thread.start()
    return thread


def _blueprints() -> list:
    """Every area of the site; one line each (imported here so that the app factory stays cheap to read)."""
    from web.entity_page import bp as entity
    from web.explorer import bp as explorer
    from web.home import bp as home
    from web.i18n import bp as i18n
    from web.linked_data import bp as linked_data
    from web.pages import bp as pages
    from web.saved_queries import bp as saved_queries
    from web.search import bp as search
    from web.security import bp as security
    from web.source_view import bp as source
    from web.sparql import bp as sparql
    from web.timing import bp as timing

    return [timing, home, security, i18n, search, entity, source, explorer, pages, sparql, linked_data, saved_queries]
