"""Search over labels and alternative labels: Chinese substrings, pinyin initials, type filters.

An in-memory index is built once per store build (the build directory is the cache key) and holds,
for every entity, its names, their pinyin (initials and full), its classes and its degree.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, current_app, jsonify, render_template, request
from pypinyin import Style, lazy_pinyin
from werkzeug.wrappers import Response

from kg.query import run_query
from kg.store import StoreLayout
from web.i18n import current_lang
from web.rdfutil import class_key, is_entity, labels, local_path
from web.storeholder import store

NAMES = """
SELECT ?s ?name ?alt WHERE {
  { ?s rdfs:label ?name BIND(false AS ?alt) } UNION { ?s skos:prefLabel ?name BIND(false AS ?alt) }
  UNION { ?s skos:altLabel ?name BIND(true AS ?alt) }
  FILTER(isIRI(?s) && isLiteral(?name))
}
"""
TYPES = "SELECT ?s ?type WHERE { ?s a ?type FILTER(isIRI(?s) && isIRI(?type)) }"
DEGREE = """
SELECT ?e (COUNT(*) AS ?n) WHERE { { ?e ?p ?o FILTER(isIRI(?o)) } UNION { ?x ?q ?e FILTER(isIRI(?e)) } }
GROUP BY ?e
"""
EXACT, PREFIX, SUBSTRING = 0, 1, 2
MAX_QUERY = 100  # characters of a search term


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def pinyin_keys(name: str) -> list[str]:
    """Initials (海淀区 → hdq) and full pinyin (haidianqu); non-Chinese runs are kept as they are."""
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
    full = "".join(lazy_pinyin(name))
    return [normalise(initials), normalise(full)]


@dataclass
class Entry:
    iri: str
    names: dict[str, str] = field(default_factory=dict)  # language → label
    alt: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    degree: int = 0
    keys: list[str] = field(default_factory=list)

    def label(self, lang: str) -> str:
        for choice in (lang, "zh", "en", ""):
            if choice in self.names:
                return self.names[choice]
        return self.alt[0] if self.alt else self.iri

    def rank(self, query: str) -> int | None:
        best = None
        for key in self.keys:
            tier = (
                EXACT
                if key == query
                else PREFIX
                if key.startswith(query)
                else SUBSTRING
                if query in key
                else None
            )
            if tier is not None and (best is None or tier < best):
                best = tier
                if best == EXACT:
                    break
        return best


class SearchIndex:
    def __init__(self, entries: dict[str, Entry]) -> None:
        self.entries = entries

    @classmethod
    def build(cls, st: ox.Store) -> SearchIndex:
        entries: dict[str, Entry] = {}
        for row in run_query(st, NAMES):
            iri = row["s"].value
            if not is_entity(iri):
                continue
            entry = entries.setdefault(iri, Entry(iri))
            name = row["name"]
            if row["alt"].value == "true":
                entry.alt.append(name.value)
            else:
                entry.names.setdefault((name.language or "").split("-")[0], name.value)
        for row in run_query(st, TYPES):
            if row["s"].value in entries:
                entries[row["s"].value].types.add(row["type"].value)
        for row in run_query(st, DEGREE):
            if row["e"].value in entries:
                entries[row["e"].value].degree = int(row["n"].value)
        for entry in entries.values():
            names = {*entry.names.values(), *entry.alt}
            keys = {normalise(n) for n in names}
            for name in names:
                keys.update(pinyin_keys(name))
            entry.keys = sorted(k for k in keys if k)
        return cls(entries)

    def search(
        self, query: str, type_iri: str | None = None, limit: int = 20
    ) -> tuple[list[Entry], dict[str, int]]:
        """Matches ranked exact > prefix > substring, then by degree; and match counts per class."""
        q = normalise(query)[:MAX_QUERY]
        if not q and not type_iri:
            return [], {}
        ranked: list[tuple[int, int, int, str, Entry]] = []
        facets: dict[str, int] = {}
        for entry in self.entries.values():
            tier = entry.rank(q) if q else EXACT  # no term: browse a whole class
            if tier is None:
                continue
            for t in entry.types:
                facets[t] = facets.get(t, 0) + 1
            if type_iri and type_iri not in entry.types:
                continue
            label = entry.label("zh")
            ranked.append((tier, -entry.degree, len(label), entry.iri, entry))
        ranked.sort(key=lambda r: r[:4])
        return [r[4] for r in ranked[:limit]], facets


_cache: dict[Path | None, SearchIndex] = {}
_lock = threading.Lock()


def get_index() -> SearchIndex:
    """The index of the current build; rebuilt (once, under a lock) when a new build is swapped in."""
    build = StoreLayout(current_app.config["KG_SETTINGS"].store_dir).current_build()
    with _lock:
        if build not in _cache:
            index = SearchIndex.build(store())
            _cache.clear()
            _cache[build] = index
        return _cache[build]


bp = Blueprint("search", __name__)


def _result(entry: Entry, lang: str, class_names: dict[str, str]) -> dict:
    types = sorted(entry.types)
    return {
        "iri": entry.iri,
        "path": local_path(entry.iri),
        "label": entry.label(lang),
        "alt": entry.alt[:5],
        "types": [{"iri": t, "label": class_names.get(t, t), "key": class_key(t)} for t in types],
        "degree": entry.degree,
    }


def _run(limit: int) -> tuple[str, str, list[dict], list[dict]]:
    query = request.args.get("q", "")[:MAX_QUERY]
    type_iri = request.args.get("type") or ""
    lang = current_lang()
    found, facets = get_index().search(query, type_iri or None, limit)
    class_names = labels({t for e in found for t in e.types} | set(facets), lang)
    results = [_result(e, lang, class_names) for e in found]
    facet_list = [
        {"iri": t, "label": class_names[t], "count": n}
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
