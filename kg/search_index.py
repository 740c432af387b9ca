"""The search index of a build: for every named entity, its names, their pinyin (initials and full), its
classes, its degree and the districts whose reports name it; and the matching and ranking over them.

``kg build`` writes it into the build's directory (``search.json``) before the build is swapped in, so a
server never builds it and a search never waits for it: at 1,000 synthetic reports it takes 35 s.
Most of it is reading each entity's classes, degree and districts (a chunk of IRIs per query); the
pinyin of the last build's names is kept in the cache folder (``search/pinyin.json``), and a new build,
which names mostly the same things, converts only its new names.
"""

from __future__ import annotations

import bisect
import heapq
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from kg.links import is_entity_iri
from kg.query import iri_values, run_query
from kg.store import write_whole

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
CHUNK = 500
EXACT, PREFIX, SUBSTRING = 0, 1, 2
MAX_QUERY = 100  # characters of a search term
CANDIDATE_SHARE = 4  # check only the entries holding a query's rarest character when they are under a quarter
_HAN = re.compile(r"[\u4e00-\u9fff]")  # the characters pypinyin gives one syllable each


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def pinyin_keys(name: str) -> list[str]:
    """Initials (海淀区 → hdq) and full pinyin (haidianqu); non-Chinese runs are kept as they are.

    One conversion gives both (a second would double the conversion's time): a Chinese character's initial is
    the first letter of its syllable. Where the syllables do not line up with the name's characters, the
    initials are converted on their own."""
    from pypinyin import Style, lazy_pinyin  # loading its dictionaries takes 0.3 s: only when a name is new

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
    def build(cls, st: ox.Store, base_iri: str, pinyin: dict[str, list[str]] | None = None) -> SearchIndex:
        return cls(index_entries(st, base_iri, pinyin))

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


def index_entries(st: ox.Store, base_iri: str, pinyin: dict[str, list[str]] | None = None) -> dict[str, Entry]:
    """The entries of the store's named entities (those under ``base_iri``). ``pinyin`` maps names to
    their pinyin keys: those it holds are not converted again, and those converted are added to it."""
    entries = _named_entities(st, base_iri)
    iris = sorted(entries)
    for chunk in (iris[i : i + CHUNK] for i in range(0, len(iris), CHUNK)):
        _add_facts(st, entries, iri_values(chunk))
    pinyin = {} if pinyin is None else pinyin
    for entry in entries.values():
        entry.districts.sort()
        entry.keys = _keys({*entry.names.values(), *entry.alt}, pinyin)
    return entries


def _named_entities(st: ox.Store, base_iri: str) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for row in run_query(st, NAMES):
        iri = row["s"].value
        if not is_entity_iri(base_iri, iri):
            continue
        entry = entries.setdefault(iri, Entry(iri))
        name = row["name"]
        if row["alt"].value == "true":
            entry.alt.append(name.value)
        else:
            entry.names.setdefault((name.language or "").split("-")[0], name.value)
    return entries


def _add_facts(st: ox.Store, entries: dict[str, Entry], values: str) -> None:
    """Classes, degree and districts of the entries whose IRIs ``values`` lists."""
    if not values:
        return
    for row in run_query(st, TYPES % values):
        if isinstance(row["type"], ox.NamedNode):  # checked here: a FILTER would read every type's text
            entries[row["s"].value].types.add(row["type"].value)
    for row in run_query(st, DEGREE % values):
        entries[row["e"].value].degree = int(row["n"].value)
    for row in run_query(st, NAMED_IN % values):
        entries[row["s"].value].districts.append(row["area"].value)


def _keys(names: set[str], pinyin: dict[str, list[str]]) -> list[str]:
    """The names as they are and in pinyin, normalised."""
    keys = {normalise(n) for n in names}
    for name in names:
        known = pinyin.get(name)
        if not isinstance(known, list):  # not converted yet (or not a list in a damaged file)
            known = pinyin[name] = pinyin_keys(name)
        keys.update(known)
    return sorted(k for k in keys if k)


def rank_key(entry: Entry) -> tuple[int, int, str]:
    """Within a tier: the most linked first, then the shortest name."""
    return -entry.degree, len(entry.label("zh")), entry.iri


INDEX_FILE = "search.json"  # in the build's directory
PINYIN_FILE = "pinyin.json"  # in the cache folder


def write_index(st: ox.Store, build_dir: Path, cache_dir: Path, base_iri: str) -> None:
    """Build the index of the store being built into ``build_dir`` and save it there, converting only the
    names whose pinyin the cache folder does not hold; the folder then holds this build's names only."""
    pinyin = _read_json(cache_dir / PINYIN_FILE, dict)
    entries = index_entries(st, base_iri, pinyin)
    _write_entries(build_dir / INDEX_FILE, entries.values())
    named = {n for e in entries.values() for n in (*e.names.values(), *e.alt)}
    try:  # a read-only cache only costs the next build its conversions
        cache_dir.mkdir(parents=True, exist_ok=True)
        _write_json(cache_dir / PINYIN_FILE, {n: keys for n, keys in pinyin.items() if n in named})
        for old in cache_dir.glob("*.json"):  # the indexes servers of earlier versions kept here, per build
            if old.name != PINYIN_FILE:
                old.unlink()
    except OSError:
        pass


def _write_entries(path: Path, entries: Iterable[Entry]) -> None:
    """One entry at a time: the whole list as one JSON text took 300 MB more at 1,000 reports. The build's
    directory is its own until the swap, so the file needs no partial name."""
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for i, entry in enumerate(entries):
            fields = asdict(entry) | {"types": sorted(entry.types)}
            out.write(("," if i else "") + json.dumps(fields, ensure_ascii=False))
        out.write("]")


def read_index(build_dir: Path) -> SearchIndex | None:
    """The index saved in ``build_dir``; None when there is none (a build of an older version) or it cannot
    be read."""
    try:
        fields = json.loads((build_dir / INDEX_FILE).read_text(encoding="utf-8"))
        entries = {f["iri"]: Entry(**f | {"types": set(f["types"])}) for f in fields}
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return SearchIndex(entries)


def _read_json(path: Path, kind: type) -> object:
    """The JSON value in ``path`` if it is a ``kind``, else an empty one (missing, cut short, other)."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return kind()
    return value if isinstance(value, kind) else kind()


def _write_json(path: Path, value: object) -> None:
    """Whole or not at all, for a reader beside the writer."""
    write_whole(path, json.dumps(value, ensure_ascii=False).encode("utf-8"))
