"""The place gazetteer: Beijing's administrative divisions and hand-curated Haidian places.

Data lives in ``data/gazetteer/`` (see its README for sources and licences):

- ``beijing_divisions.csv``: 北京市, its 16 districts and every street (街道), town (镇), township (乡) and
  地区 office, with official 12-digit division codes;
- ``haidian_places.csv``: parks, rivers, roads, metro lines, parks of industry, campuses … in Haidian.

Division ids are their 12-digit codes; curated places keep the ``id`` of their CSV row. Loading is a plain
CSV read, cached per directory (and file modification time).
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "gazetteer"
DIVISIONS_FILE = "beijing_divisions.csv"
PLACES_FILE = "haidian_places.csv"
# The curated places file is about Haidian: a parent name shared by several divisions (八里庄街道 is in
# 朝阳区 and 海淀区) resolves to the one in this district.
PLACES_DISTRICT_CODE = "110108000000"

DIVISION_TYPES = frozenset({"city", "district", "street", "town", "township", "area"})
PLACE_TYPES = frozenset(
    {
        "park",
        "green-space",
        "wetland",
        "river",
        "channel",
        "road",
        "metro-line",
        "station",
        "business-district",
        "industrial-park",
        "campus",
        "named-area",
        "village",
        "community",
    }
)

# A short name ("北下关") names a division only when a type word follows it ("北下关街道").
# Longest words first. A 地区 office (type area) is the same body as the 镇 or 乡 of its name.
TYPE_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("街道办事处", frozenset({"street"})),
    ("地区办事处", frozenset({"area"})),
    ("街道", frozenset({"street"})),
    ("地区", frozenset({"area"})),
    ("镇", frozenset({"town", "area"})),
    ("乡", frozenset({"township", "area"})),
    ("区", frozenset({"district"})),
    ("市", frozenset({"city"})),
)

JIEBA_FREQ = 100_000
JIEBA_TAG = "ns"


class GazetteerError(KGError):
    """A gazetteer file is missing or malformed."""


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    type: str
    parent_id: str | None
    alt_names: tuple[str, ...]
    code: str | None
    short_name: str | None = None

    @property
    def is_division(self) -> bool:
        return self.type in DIVISION_TYPES


class Gazetteer:
    """An immutable index over the places of one gazetteer directory."""

    def __init__(self, places: Iterable[Place]) -> None:
        self._places: tuple[Place, ...] = tuple(places)
        self._by_id: dict[str, Place] = {}
        self._by_name: dict[str, list[str]] = {}
        self._by_short: dict[str, list[str]] = {}
        self._children: dict[str, list[str]] = {}
        for p in self._places:
            if p.id in self._by_id:
                raise GazetteerError(f"duplicate place id {p.id!r}")
            self._by_id[p.id] = p
        for p in self._places:
            for n in (p.name, *p.alt_names):
                _add(self._by_name, n, p.id)
            if p.short_name and p.is_division:
                _add(self._by_short, p.short_name, p.id)
            if p.parent_id is not None:
                if p.parent_id not in self._by_id:
                    raise GazetteerError(f"place {p.id} ({p.name}) has unknown parent {p.parent_id!r}")
                _add(self._children, p.parent_id, p.id)
        for p in self._places:  # no cycles
            self.ancestors(p.id)

    def __len__(self) -> int:
        return len(self._places)

    def __contains__(self, place_id: object) -> bool:
        return place_id in self._by_id

    def places(self) -> list[Place]:
        return list(self._places)

    def get(self, place_id: str) -> Place:
        try:
            return self._by_id[place_id]
        except KeyError:
            raise KeyError(f"no place with id {place_id!r}") from None

    def by_code(self, code: str) -> Place | None:
        p = self._by_id.get(code)
        return p if p is not None and p.code == code else None

    def by_name(self, surface: str, *, allow_short: bool = False) -> list[Place]:
        """Places that ``surface`` names: by name or alternative name; by a division's short name when a
        type word follows it (北下关街道, 西北旺镇, 海淀区) or, with ``allow_short``, on its own (北下关)."""
        surface = surface.strip()
        ids: list[str] = list(self._by_name.get(surface, ()))
        for word, types in TYPE_WORDS:
            if surface.endswith(word) and len(surface) > len(word):
                stem = surface[: -len(word)]
                ids += [i for i in self._by_short.get(stem, ()) if self._by_id[i].type in types]
        if allow_short:
            ids += self._by_short.get(surface, ())
        return [self._by_id[i] for i in dict.fromkeys(ids)]

    def children(self, place_id: str) -> list[Place]:
        return [self._by_id[i] for i in self._children.get(place_id, ())]

    def ancestors(self, place_id: str) -> list[Place]:
        """The chain of parents, nearest first: 北下关街道 → [海淀区, 北京市]."""
        out: list[Place] = []
        seen = {place_id}
        parent = self.get(place_id).parent_id
        while parent is not None:
            if parent in seen:
                raise GazetteerError(f"parent cycle through {parent!r}")
            seen.add(parent)
            p = self._by_id[parent]
            out.append(p)
            parent = p.parent_id
        return out

    def surface_forms(self, place: Place) -> list[str]:
        """Every written form of a place: name, alternative names, and short name + type word."""
        forms = [place.name, *place.alt_names]
        if place.short_name and place.is_division:
            if place.type == "street":
                forms += [place.short_name + "街道", place.short_name + "街道办事处"]
            elif place.type == "area":
                forms += [place.short_name + "地区", place.short_name + "地区办事处"]
        return list(dict.fromkeys(f for f in forms if len(f) >= 2))

    def jieba_user_dict_lines(self, freq: int = JIEBA_FREQ, tag: str = JIEBA_TAG) -> list[str]:
        """Lines "word freq tag" for ``jieba.Tokenizer.load_userdict``, one per distinct surface form."""
        words: dict[str, None] = {}
        for p in self._places:
            for f in self.surface_forms(p):
                if not any(c.isspace() for c in f):
                    words[f] = None
        return [f"{w} {freq} {tag}" for w in words]


def _add(index: dict[str, list[str]], key: str, value: str) -> None:
    bucket = index.setdefault(key, [])
    if value not in bucket:
        bucket.append(value)


def _split_alts(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a.strip() for a in text.split("|") if a.strip()))


def _read_csv(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in required if c not in (reader.fieldnames or ())]
            if missing:
                raise GazetteerError(f"missing columns {missing}", path=str(path), where="line 1")
            return [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}) for row in reader]
    except FileNotFoundError:
        raise GazetteerError("gazetteer file not found", path=str(path)) from None
    except UnicodeDecodeError as e:
        raise GazetteerError(f"not UTF-8: {e.reason}", path=str(path), where=f"byte {e.start}") from None


def _load(divisions_path: Path, places_path: Path) -> Gazetteer:
    places: list[Place] = []
    division_names: dict[str, list[str]] = {}
    for line, row in _read_csv(divisions_path, ("code", "name", "short_name", "type", "parent_code")):
        where = f"line {line}"
        code, name, typ = row["code"], row["name"], row["type"]
        if not (len(code) == 12 and code.isdigit()):
            raise GazetteerError(f"code {code!r} is not 12 digits", path=str(divisions_path), where=where)
        if typ not in DIVISION_TYPES:
            raise GazetteerError(f"unknown division type {typ!r}", path=str(divisions_path), where=where)
        if not name:
            raise GazetteerError("empty name", path=str(divisions_path), where=where)
        places.append(
            Place(
                id=code,
                name=name,
                type=typ,
                parent_id=row["parent_code"] or None,
                alt_names=_split_alts(row.get("alt_names", "")),
                code=code,
                short_name=row["short_name"] or None,
            )
        )
    for p in places:
        for n in (p.name, *p.alt_names):
            _add(division_names, n, p.id)
    if places_path.exists():
        for line, row in _read_csv(places_path, ("id", "name", "alt_names", "type", "parent")):
            where = f"line {line}"
            if not row["id"] or not row["name"]:
                raise GazetteerError("empty id or name", path=str(places_path), where=where)
            if row["type"] not in PLACE_TYPES:
                raise GazetteerError(
                    f"unknown place type {row['type']!r}", path=str(places_path), where=where
                )
            parent_id = None
            if row["parent"]:
                candidates = division_names.get(row["parent"], [])
                if len(candidates) > 1:  # e.g. 八里庄街道 is in both 朝阳区 and 海淀区
                    candidates = [c for c in candidates if c[:6] == PLACES_DISTRICT_CODE[:6]]
                if len(candidates) != 1:
                    problem = "is ambiguous" if candidates else "is not a division name"
                    raise GazetteerError(
                        f"parent {row['parent']!r} {problem}", path=str(places_path), where=where
                    )
                parent_id = candidates[0]
            places.append(
                Place(
                    id=row["id"],
                    name=row["name"],
                    type=row["type"],
                    parent_id=parent_id,
                    alt_names=_split_alts(row["alt_names"]),
                    code=None,
                )
            )
    try:
        return Gazetteer(places)
    except GazetteerError as e:
        raise GazetteerError(e.message, path=str(divisions_path.parent)) from None


@functools.lru_cache(maxsize=8)
def _load_cached(directory: str, stamp: tuple[tuple[int, int], ...]) -> Gazetteer:
    d = Path(directory)
    return _load(d / DIVISIONS_FILE, d / PLACES_FILE)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except FileNotFoundError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


def _gazetteer_dir(data_dir: Path) -> Path:
    data_dir = Path(data_dir)
    if not (data_dir / DIVISIONS_FILE).exists() and (data_dir / "gazetteer" / DIVISIONS_FILE).exists():
        return data_dir / "gazetteer"  # accept the project's data/ directory too
    return data_dir


def load_gazetteer(data_dir: Path = DEFAULT_DATA_DIR) -> Gazetteer:
    """Load (once per directory and file version) the gazetteer in ``data_dir`` (data/gazetteer or data/)."""
    d = _gazetteer_dir(data_dir).resolve()
    stamp = tuple(_stamp(p) for p in (d / DIVISIONS_FILE, d / PLACES_FILE))
    return _load_cached(str(d), stamp)


def jieba_user_dict_lines(data_dir: Path = DEFAULT_DATA_DIR) -> list[str]:
    """Lines for a jieba user dictionary ("name freq ns") covering every place name of the gazetteer."""
    return load_gazetteer(data_dir).jieba_user_dict_lines()
