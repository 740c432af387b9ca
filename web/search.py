"""Search over labels and alternative labels: Chinese substrings, pinyin initials, type filters.

An in-memory index is built once per store build (the build directory is the cache key) and holds,
for every entity, its names, their pinyin (initials and full), its classes and its degree.
"""

from __future__ import annotations

import bisect
import heapq
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, current_app, jsonify, render_template, request
from pypinyin import Style, lazy_pinyin
from werkzeug.wrappers import Response

from kg.query import run_query
from kg.store import write_whole
from web.i18n import current_lang
from web.rdfutil import class_key, iri_values, is_entity, labels, local_path
from web.storeholder import PerBuild, store

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
# The districts whose reports name an entity: shown beside a result when the store holds several
# districts, so that each district's 区财政局 can be told apart.
NAMED_IN = "SELECT ?s ?area WHERE { VALUES ?s { %s } ?s kg:namedIn ?area }"
MAX_DISTRICTS_SHOWN = 3
CHUNK = 500
EXACT, PREFIX, SUBSTRING = 0, 1, 2
MAX_QUERY = 100  # characters of a search term
CANDIDATE_SHARE = 4  # check only the entries holding a query's rarest character when they are under a quarter
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
    districts: list[str] = field(default_factory=list)  # IRIs of the districts whose reports name it

    def label(self, lang: str) -> str:
        for choice in (lang, "zh", "en", ""):
            if choice in self.names:
                return self.names[choice]
        return self.alt[0] if self.alt else self.iri


class SearchIndex:
    """Entries by their place in the ranking (most linked first). A search works on places, plain ints in
    lists: at 1,000 reports a match set holds 10,000 entries, and reading each entry object's attributes
    cost more than the matching itself (scattered objects, a cache miss each)."""

    def __init__(self, entries: dict[str, Entry]) -> None:
        self.entries = entries
        self._ranked = sorted(entries.values(), key=rank_key)
        self.several_districts = len({d for e in self._ranked for d in e.districts}) > 1
        # Each entry's keys as one string, each key between newlines: whether a query is in a key, begins
        # one or is one is then one `in` each, in C.
        self._keys = ["\n" + "\n".join(entry.keys) + "\n" for entry in self._ranked]
        # Entries share a few sets of classes: a place's set by number, for the per-class counts.
        type_sets: dict[frozenset[str], int] = {}
        self._type_set = [type_sets.setdefault(frozenset(e.types), len(type_sets)) for e in self._ranked]
        self._type_sets = list(type_sets)
        # Every key of every entry in one string: a query whose characters are in most keys (pinyin) is
        # found by a few str.find calls in C instead of a Python loop over every key.
        self._owners: list[int] = []
        self._starts: list[int] = []
        at = 0
        for place, entry in enumerate(self._ranked):
            for key in entry.keys:
                self._owners.append(place)
                self._starts.append(at)
                at += len(key) + 1
        self._haystack = "\n".join(k for e in self._ranked for k in e.keys)
        self._by_char = self._char_postings()

    def _char_postings(self) -> dict[str, tuple[list[list[int]], dict[str, int]]]:
        """For each character, the places of the entries whose keys hold it, by tier and in rank order, and
        their counts per class. A one-character search matches a large share of all names (区: half of
        them): looking its answer up here took it from 1 s to 1 ms at 1,000 reports."""
        postings: dict[str, tuple[list[list[int]], dict[str, int]]] = {}
        for place, entry in enumerate(self._ranked):
            exact = {k for k in entry.keys if len(k) == 1}
            first = {k[0] for k in entry.keys}
            for ch in set("".join(entry.keys)):
                tiers, facets = postings.setdefault(ch, ([[], [], []], {}))
                tiers[EXACT if ch in exact else PREFIX if ch in first else SUBSTRING].append(place)
                for t in entry.types:
                    facets[t] = facets.get(t, 0) + 1
        return postings

    def matches(self, query: str) -> dict[int, int]:
        """The place of each entry whose keys contain ``query``, with its best tier (exact, prefix, substring).

        When one of the query's characters is in few names, only the entries holding it are checked (养老
        at 1,000 reports: 13,600 of 137,000). Otherwise (a pinyin query: its letters are in most keys) the
        keys are scanned, in C."""
        rarest = min(query, key=self._holding)
        if self._holding(rarest) * CANDIDATE_SHARE < len(self._ranked):
            tiers = self._by_char.get(rarest, ([],))[0]
            return self._matches_among(query, [place for tier in tiers for place in tier])
        return self._matches_in_keys(query)

    def _holding(self, ch: str) -> int:
        """How many entries have a key holding ``ch``."""
        tiers = self._by_char.get(ch)
        return sum(map(len, tiers[0])) if tiers else 0

    def _matches_among(self, query: str, places: list[int]) -> dict[int, int]:
        keys, starting, whole = self._keys, "\n" + query, "\n" + query + "\n"
        return {place: EXACT if whole in keys[place] else PREFIX if starting in keys[place] else SUBSTRING
                for place in places if query in keys[place]}

    def _matches_in_keys(self, query: str) -> dict[int, int]:
        best: dict[int, int] = {}
        hay, starts, at = self._haystack, self._starts, self._haystack.find(query)
        while at >= 0:
            i = bisect.bisect_right(starts, at) - 1
            place, start = self._owners[i], starts[i]
            end = starts[i + 1] - 1 if i + 1 < len(starts) else len(hay)
            tier = PREFIX if at == start else SUBSTRING
            if tier == PREFIX and end - start == len(query):
                tier = EXACT
            best[place] = min(tier, best.get(place, tier))
            at = hay.find(query, at + 1)
        return best

    def _facets(self, places: Iterable[int]) -> dict[str, int]:
        """Matches per class."""
        facets: dict[str, int] = {}
        type_set = self._type_set
        for set_number, n in Counter(type_set[place] for place in places).items():
            for t in self._type_sets[set_number]:
                facets[t] = facets.get(t, 0) + n
        return facets

    def entry(self, place: int) -> Entry:
        return self._ranked[place]

    @classmethod
    def build(cls, st: ox.Store, pinyin: dict[str, list[str]] | None = None) -> SearchIndex:
        """The index of the store's named entities. ``pinyin`` maps names to their pinyin keys: those it
        holds are not converted again (most of the build's time), and those converted are added to it."""
        pinyin = {} if pinyin is None else pinyin
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
            for row in run_query(st, NAMED_IN % values):
                entries[row["s"].value].districts.append(row["area"].value)
        for entry in entries.values():
            entry.districts.sort()
            names = {*entry.names.values(), *entry.alt}
            keys = {normalise(n) for n in names}
            for name in names:
                known = pinyin.get(name)
                if not isinstance(known, list):  # not converted yet (or not a list in a damaged file)
                    known = pinyin[name] = pinyin_keys(name)
                keys.update(known)
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
            found = (place for tier in tiers for place in tier if self._has_type(place, type_iri))
            return [self._ranked[place] for place in islice(found, limit)], dict(facets)
        found = self.matches(q) if q else dict.fromkeys(range(len(self._ranked)), EXACT)  # no term: browse
        ranked = [(tier, place) for place, tier in found.items() if self._has_type(place, type_iri)]
        # The first few of thousands of matches: a bounded heap, not a sort of them all.
        return [self._ranked[place] for _tier, place in heapq.nsmallest(limit, ranked)], self._facets(found)

    def _has_type(self, place: int, type_iri: str | None) -> bool:
        return not type_iri or type_iri in self._type_sets[self._type_set[place]]


def rank_key(entry: Entry) -> tuple[int, int, str]:
    """Within a tier: the most linked first, then the shortest name."""
    return -entry.degree, len(entry.label("zh")), entry.iri


def get_index() -> SearchIndex:
    """The index of the current build; built (once, under a lock) when a new build is swapped in."""
    return _index.get()


def _current_index(build: Path | None) -> SearchIndex:
    return _saved_or_built(build, current_app.config["KG_SETTINGS"].cache_dir / "search")


PINYIN_FILE = "pinyin.json"


def _saved_or_built(build: Path | None, folder: Path) -> SearchIndex:
    """The index saved for this build by an earlier start, else built from the store and saved. The file
    is named after the build, which never changes once written; those of other builds are removed.

    Building converts every name to pinyin: about 88 s of 114 at 1,000 synthetic reports. The pinyin of
    the names of the last build is kept beside (``pinyin.json``), so a new build, which names mostly the
    same things, converts only its new names (25 s when all are known)."""
    saved = folder / f"{build.name}.json" if build is not None else None
    if saved is not None and saved.exists():
        try:
            fields = json.loads(saved.read_text(encoding="utf-8"))
            return SearchIndex({f["iri"]: Entry(**f | {"types": set(f["types"])}) for f in fields})
        except (OSError, ValueError, TypeError, KeyError):
            pass  # unreadable (cut short, an older layout): built again below
    pinyin = _read_json(folder / PINYIN_FILE, dict)
    index = SearchIndex.build(store(), pinyin)
    if saved is not None:
        with suppress(OSError):  # a read-only cache only costs the next start its time
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("*.json"):
                if old.name != PINYIN_FILE:
                    old.unlink()
            entries = [asdict(e) | {"types": sorted(e.types)} for e in index.entries.values()]
            _write_json(saved, entries)
            named = {n for e in index.entries.values() for n in (*e.names.values(), *e.alt)}
            _write_json(folder / PINYIN_FILE, {n: keys for n, keys in pinyin.items() if n in named})
    return index


def _read_json(path: Path, kind: type) -> object:
    """The JSON value in ``path`` if it is a ``kind``, else an empty one (missing, cut short, other)."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return kind()
    return value if isinstance(value, kind) else kind()


def _write_json(path: Path, value: object) -> None:
    """Whole or not at all, for a server started beside this one."""
    write_whole(path, json.dumps(value, ensure_ascii=False).encode("utf-8"))


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
