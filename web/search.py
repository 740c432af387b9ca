"""Search over labels and alternative labels (Chinese substrings, pinyin initials, type filters): the
pages and the JSON API over the index ``kg build`` saved with each build (kg/search_index.py).
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, jsonify, render_template, request
from werkzeug.wrappers import Response

from kg.search_index import MAX_QUERY, Entry, SearchIndex, read_index
from web.i18n import current_lang
from web.rdfutil import base_iri, class_key, labels, local_path
from web.storeholder import PerBuild, store

log = logging.getLogger(__name__)
MAX_DISTRICTS_SHOWN = 3  # districts beside a result


def get_index() -> SearchIndex:
    """The index of the current build, read (once, under a lock) when a new build is swapped in."""
    return _index.get()


def _current_index(build: Path | None) -> SearchIndex:
    """The index saved with the build; built here, and kept in memory only, for a build made before
    builds saved one."""
    index = read_index(build) if build is not None else None
    if index is None:
        log.warning("build %s has no readable search index: built in memory (kg build saves one)", build)
        index = SearchIndex.build(store(), base_iri())
    return index


_index: PerBuild[SearchIndex] = PerBuild(_current_index)

bp = Blueprint("search", __name__)


def _result(entry: Entry, lang: str, names: dict[str, str], several_districts: bool) -> dict:
    types = sorted(entry.types)
    return {
        "iri": entry.iri,
        "path": local_path(entry.iri),
        "label": entry.label(lang),
        "alt": entry.alt[:5],
        "types": [{"iri": t, "label": names.get(t, t), "key": class_key(t)} for t in types],
        "degree": entry.degree,
        # Beside the result only where the store holds several districts (Haidian's own store: never).
        "districts": [names.get(d, d) for d in entry.districts[:MAX_DISTRICTS_SHOWN]] if several_districts else [],
        "district_count": len(entry.districts),
    }


def _run(limit: int) -> tuple[str, str, list[dict], list[dict]]:
    query = request.args.get("q", "")[:MAX_QUERY]
    type_iri = request.args.get("type") or ""
    lang = current_lang()
    index = get_index()
    found, facets = index.search(query, type_iri or None, limit)
    several = index.several_districts
    districts = {d for e in found for d in e.districts[:MAX_DISTRICTS_SHOWN]} if several else set()
    names = labels({t for e in found for t in e.types} | set(facets) | districts, lang)
    results = [_result(e, lang, names, several) for e in found]
    facet_list = [
        {"iri": t, "label": names[t], "count": n}
        for t, n in sorted(facets.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return query, type_iri, results, facet_list


@bp.get("/api/search")
def api_search() -> Response:
    limit = min(max(request.args.get("limit", 10, type=int), 1), 50)
    query, type_iri, results, facets = _run(limit)
    return jsonify({"q": query, "type": type_iri, "results": results, "facets": facets})


@bp.get("/search")
def search_page() -> str:
    query, type_iri, results, facets = _run(50)
    return render_template("search.html", q=query, type_iri=type_iri, results=results, facets=facets)
