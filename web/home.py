"""The home page: what the graph holds."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from kg.stats import graph_stats
from kg.store import StoreLayout
from web.storeholder import store

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    settings = current_app.config["KG_SETTINGS"]
    return render_template(
        "home.html", stats=graph_stats(store()), build=StoreLayout(settings.store_dir).build_info()
    )
