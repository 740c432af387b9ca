"""The Flask web app: an app factory; each area of the site is a blueprint in its own module."""

from __future__ import annotations

from flask import Flask

from kg.config import Settings, load_settings
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

    return [home, security, i18n, search, entity, source, explorer, pages, sparql, linked_data, saved_queries]
