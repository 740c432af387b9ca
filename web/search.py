"""Search over labels and alternative labels: Chinese substrings, pinyin initials, type filters.

An in-memory index is built once per store build (the build directory is the cache key) and holds,
for every entity, its names, their pinyin (initials and full), its classes and its degree.
"""

from __future__ import annotations

import bisect
import heapq
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, current_app, jsonify, render_template, request
from pypinyin import Style, lazy_pinyin
from werkzeug.wrappers import Response

from kg.query import run_query
from kg.store import StoreLayout
from web.i18n import current_lang
from web.rdfutil import class_key, iri_values, is_entity, labels, local_path
from web.storeholder import store

NAMES = """
SELECT ?s ?name ?alt WHERE {
  { ?s rdfs:label ?name BIND(false AS ?alt) } UNION { ?s skos:prefLabel ?name BIND(false AS ?alt) }
  UNION { ?s skos:altLabel ?name BIND(true AS ?alt) }
  FILTER(isIRI(?s) && isLiteral(?name))
}
"""
# Classes and degree of the named entities only, a chunk of IRIs at a time: over the whole graph (every
# sentence, mention and selector) they took seconds at ten reports and grew with the corpus. The degree
# counts every triple the entity is in, its names too: testing isIRI(?o) made Oxigraph read the text of
# every object (0.84 s instead of 0.1 s per chunk at 1,000 reports).
TYPES = "SELECT ?s ?type WHERE { VALUES ?s { %s } ?s a ?type }"
DEGREE = """
SELECT ?e (COUNT(*) AS ?n) WHERE {
  VALUES ?e { %s }
  { ?e ?p ?o } UNION { ?x ?q ?e }
} GROUP BY ?e
"""
CHUNK = 500
EXACT, PREFIX, SUBSTRING = 0, 1, 2
MAX_QUERY = 100  # characters of a search term
_HAN = re.compile(r"[\u4e00-\u9fff]")  # the characters pypinyin gives one syllable each


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def pinyin_keys(name: str) -> list[str]:
    """Initials (海淀区 → hdq) and full pinyin (haidianqu); non-Chinese runs are kept as they are.

    One conversion gives both (pinyin is most of the index's build time): a Chinese character's initial is
    the first letter of its syllable. Where the syllables do not line up with the name's characters, the
    initials are converted on their own."""
    syllables = lazy_pinyin(name)
    initials = _initials(name, syllables)
    if initials is None:
        initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
    return [normalise(initials), normalise("".join(syllables))]


def _initials(name: str, syllables: list[str]) -> str | None:
    """The first letter of each Chinese character's syllable and every other run as it is, or None when
    the syllables are not one per Chinese character and one per run of other characters."""
    out, at = [], 0
    for item in syllables:
        if at < len(name) and _HAN.match(name[at]):
            out.append(item[:1])
            at += 1
        elif name.startswith(item, at):
            out.append(item)
            at += len(item)
        else:
            return None
    return "".join(out) if at == len(name) else None


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


class SearchIndex:
    def __init__(self, entries: dict[str, Entry]) -> None:
        self.entries = entries
        # Every key of every entry in one string, newline-separated (keys hold no whitespace): a search is
        # a few str.find calls in C instead of a Python loop over every key of every entity.
        self._owners: list[Entry] = []
        self._starts: list[int] = []
        at = 0
        for entry in entries.values():
            for key in entry.keys:
                self._owners.append(entry)
                self._starts.append(at)
                at += len(key) + 1
        self._haystack = "\n".join(k for e in entries.values() for k in e.keys)
        ranked = sorted(entries.values(), key=rank_key)
        # Each entry's place in the ranking, computed once: a search ranks its matches by (tier, place).
        self._ranked = ranked
        self._place = {entry.iri: place for place, entry in enumerate(ranked)}
        self._by_char = self._char_postings(ranked)

    def _char_postings(self, ranked: list[Entry]) -> dict[str, tuple[list[list[Entry]], dict[str, int]]]:
        """For each character, the entries whose keys hold it, by tier and ranked, and their counts per class.
        A one-character search matches a large share of all names (区: half of them): looking its answer up
        here instead of finding, ranking and counting every match took it from 1 s to 1 ms at 1,000 reports."""
        postings: dict[str, tuple[list[list[Entry]], dict[str, int]]] = {}
        for entry in ranked:
            exact = {k for k in entry.keys if len(k) == 1}
            first = {k[0] for k in entry.keys}
            for ch in set("".join(entry.keys)):
                tiers, facets = postings.setdefault(ch, ([[], [], []], {}))
                tiers[EXACT if ch in exact else PREFIX if ch in first else SUBSTRING].append(entry)
                for t in entry.types:
                    facets[t] = facets.get(t, 0) + 1
        return postings

    def matches(self, query: str) -> dict[str, tuple[int, Entry]]:
        """Each entry whose keys contain ``query``, with its best tier (exact, prefix, substring)."""
        best: dict[str, tuple[int, Entry]] = {}
        hay, starts, at = self._haystack, self._starts, self._haystack.find(query)
        while at >= 0:
            i = bisect.bisect_right(starts, at) - 1
            entry, start = self._owners[i], starts[i]
            end = starts[i + 1] - 1 if i + 1 < len(starts) else len(hay)
            tier = PREFIX if at == start else SUBSTRING
            if tier == PREFIX and end - start == len(query):
                tier = EXACT
            if entry.iri not in best or tier < best[entry.iri][0]:
                best[entry.iri] = (tier, entry)
            at = hay.find(query, at + 1)
        return best

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
        iris = sorted(entries)
        for chunk in (iris[i : i + CHUNK] for i in range(0, len(iris), CHUNK)):
            values = iri_values(chunk)
            if not values:
                continue
            for row in run_query(st, TYPES % values):
                if isinstance(row["type"], ox.NamedNode):  # checked here: a FILTER would read every type's text
                    entries[row["s"].value].types.add(row["type"].value)
            for row in run_query(st, DEGREE % values):
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
        if len(q) == 1:
            tiers, facets = self._by_char.get(q, ([[], [], []], {}))
            found = (e for tier in tiers for e in tier if not type_iri or type_iri in e.types)
            return list(islice(found, limit)), dict(facets)
        ranked: list[tuple[int, int]] = []
        facets = {}
        found = self.matches(q).values() if q else ((EXACT, e) for e in self.entries.values())  # no term: browse
        for tier, entry in found:
            for t in entry.types:
                facets[t] = facets.get(t, 0) + 1
            if type_iri and type_iri not in entry.types:
                continue
            ranked.append((tier, self._place[entry.iri]))
        # The first few of thousands of matches: a bounded heap, not a sort of them all.
        return [self._ranked[place] for _tier, place in heapq.nsmallest(limit, ranked)], facets


def rank_key(entry: Entry) -> tuple[int, int, str]:
    """Within a tier: the most linked first, then the shortest name."""
    return -entry.degree, len(entry.label("zh")), entry.iri


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
