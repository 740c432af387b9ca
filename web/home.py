"""The home page: what the graph holds (sources, entities per class, triples, last build), the search box."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from kg.config import ONTOLOGY_NS
from kg.stats import Stats, graph_stats
from kg.store import StoreLayout
from web.i18n import current_lang
from web.rdfutil import class_key, labels
from web.storeholder import PerBuild, store

bp = Blueprint("home", __name__)

# Classes people browse by; segments, mentions and selectors are plumbing, listed only in the full table.
ENTRY_CLASSES = [
    ONTOLOGY_NS + name
    for name in (
        "Place",
        "AdministrativeArea",
        "Organization",
        "Policy",
        "Project",
        "Facility",
        "Canteen",
        "School",
        "SchoolGroup",
        "Indicator",
        "Task",
        "Report",
    )
] + ["http://www.w3.org/2004/02/skos/core#Concept"]


_stats: PerBuild[Stats] = PerBuild(lambda _build: graph_stats(store()))


def cached_stats() -> Stats:
    """The graph's statistics, computed once per build (counting every class takes seconds under load). A
    visitor who comes while the server's warm-up computes them waits for that, not a second count."""
    return _stats.get()


@bp.get("/")
def index() -> str:
    settings = current_app.config["KG_SETTINGS"]
    stats = cached_stats()
    counts = {iri: n for iri, _, n in stats.classes}
    names = labels(counts, current_lang())
    entry = [
        {"iri": c, "label": names[c], "count": counts[c], "key": class_key(c)}
        for c in ENTRY_CLASSES
        if counts.get(c)
    ]
    classes = [{"iri": iri, "label": names[iri], "count": n} for iri, _, n in stats.classes]
    return render_template(
        "home.html",
        stats=stats,
        entry=entry,
        classes=classes,
        build=StoreLayout(settings.store_dir).build_info(),
    )
