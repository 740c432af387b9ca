"""The organization register (``data/registers/departments.csv``): one entity per organization.

Reports write a department many ways (区发展改革委, 海淀区发展改革委, 北京市海淀区发展和改革委员会 …);
``Register.resolve`` maps every written form to one register row. A unit the register does not know
is not dropped: ``Register.organization`` mints an organization from its normalised name, typed
``kg:orgtype-unregistered`` so that a query (and ``Register.unknown``) reports it.
"""

from __future__ import annotations

import csv
import functools
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.errors import KGError
from kg.rdf.document import Triple
from kg.rdf.iris import Minter, normalise_name
from kg.rdf.namespaces import KG, ORG

DEFAULT_REGISTER = Path(__file__).resolve().parents[1] / "data" / "registers" / "departments.csv"
REQUIRED = ("id", "name", "short_names", "type", "parent")
ORG_TYPES = frozenset({
    "district-government", "district-department", "municipal-branch", "street-government",
    "town-government", "enterprise", "collective", "other",
})
UNREGISTERED = KG["orgtype-unregistered"]
log = logging.getLogger(__name__)
# Prefixes a written form may carry or drop; longest first so 北京市海淀区 goes before 海淀区.
PREFIXES = ("北京市海淀区", "北京市", "海淀区", "海淀", "区")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "〔": "(", "〕": ")"})
_PUNCT = re.compile(r"[\s·・,，、;；:：.。\"“”'‘’]")


class RegisterError(KGError):
    """The register file is missing or malformed."""


@dataclass(frozen=True)
class Org:
    id: str | None  # None: not in the register, minted from its name
    name: str
    short_names: tuple[str, ...]
    type: str
    parent: str | None

    @property
    def collective(self) -> bool:
        return self.type == "collective"


def org_type_iri(org_type: str) -> URIRef:
    return KG[f"orgtype-{org_type}"]


def key(surface: str) -> str:
    """Identity form of a written name: NFKC, ASCII brackets, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", surface).translate(_BRACKETS)
    return _PUNCT.sub("", text)


def keys(surface: str) -> list[str]:
    """The identity form, and the forms with a 北京市/海淀区/区 prefix dropped."""
    k = key(surface)
    out = [k]
    for prefix in PREFIXES:
        if k.startswith(prefix) and len(k) > len(prefix) + 1:
            out.append(k[len(prefix):])
    return out


def local_name(org: Org) -> str:
    """The organization's name without the register district's prefix (北京市海淀区财政局 → 财政局): what
    another district's body of the same kind is called once its own prefix is dropped."""
    return next((org.name[len(p):] for p in PREFIXES if org.name.startswith(p) and len(org.name) > len(p) + 1),
                org.name)


class Register:
    def __init__(self, orgs: list[Org]) -> None:
        self.orgs = {o.id: o for o in orgs if o.id}
        self._index: dict[str, str] = {}
        self.unknown: dict[str, Org] = {}
        for o in orgs:  # full names first: a short form never overrides a full name
            for k in keys(o.name):
                self._index.setdefault(k, o.id)
        for o in orgs:
            for s in o.short_names:
                for k in keys(s):
                    self._index.setdefault(k, o.id)
        for o in orgs:
            if o.parent and o.parent not in self.orgs:
                raise RegisterError(f"organization {o.id} has unknown parent {o.parent!r}")

    def resolve(self, surface: str) -> Org | None:
        """The registered organization a written form names, or None."""
        for k in keys(surface):
            if k in self._index:
                return self.orgs[self._index[k]]
        return None

    def organization(self, surface: str) -> Org:
        """The registered organization, or a new one minted from the normalised name (and recorded)."""
        found = self.resolve(surface)
        if found:
            return found
        name = normalise_name(surface)
        if name not in self.unknown:
            log.warning("unit %r is not in the organization register: minted as a new organization", name)
            self.unknown[name] = Org(None, name, (), "unregistered", None)
        return self.unknown[name]

    def iri(self, minter: Minter, org: Org) -> URIRef:
        return minter.slug("org", org.id) if org.id else minter.entity("org", org.name)

    def triples(self, minter: Minter, org: Org) -> Iterator[Triple]:
        """The organization with its type, labels and its chain of parents."""
        seen: set[str] = set()
        current: Org | None = org
        while current is not None and current.name not in seen:
            seen.add(current.name)
            yield from self._own_triples(minter, current)
            current = self.orgs.get(current.parent) if current.parent else None

    def _own_triples(self, minter: Minter, org: Org) -> Iterator[Triple]:
        iri = self.iri(minter, org)
        yield iri, RDF.type, KG.CollectiveUnit if org.collective else KG.Organization
        yield iri, RDFS.label, Literal(org.name, lang="zh")
        for short in org.short_names:
            if short != org.name:
                yield iri, SKOS.altLabel, Literal(short, lang="zh")
        yield iri, KG.orgType, org_type_iri(org.type) if org.id else UNREGISTERED
        if org.parent:
            yield iri, ORG.subOrganizationOf, minter.slug("org", org.parent)


def _split(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.strip() for s in text.split("|") if s.strip()))


def read_register(path: Path) -> Register:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
            if missing:
                raise RegisterError(f"missing columns {missing}", path=str(path), where="line 1")
            orgs = []
            for row in reader:
                where = f"line {reader.line_num}"
                if not row["id"] or not row["name"]:
                    raise RegisterError("empty id or name", path=str(path), where=where)
                if row["type"] not in ORG_TYPES:
                    raise RegisterError(f"unknown type {row['type']!r}", path=str(path), where=where)
                orgs.append(Org(row["id"].strip(), row["name"].strip(), _split(row["short_names"]),
                                row["type"], row["parent"].strip() or None))
    except FileNotFoundError:
        raise RegisterError("register file not found", path=str(path)) from None
    return Register(orgs)


@functools.lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> Register:
    return read_register(Path(path))


def load_register(path: Path = DEFAULT_REGISTER) -> Register:
    """The register at ``path``; a fresh copy per call so that ``unknown`` is per build."""
    register = _cached(str(path), path.stat().st_mtime if path.exists() else -1.0)
    fresh = Register.__new__(Register)
    fresh.orgs, fresh._index, fresh.unknown = register.orgs, register._index, {}
    return fresh
