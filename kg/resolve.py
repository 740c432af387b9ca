"""Resolution: one entity (one IRI) per real thing, across sentences, boxes, tables and reports.

The identity of a mention is a *canonical key* computed from its written form alone, never from
what was read before, so the IRI does not depend on the order documents are read in:

- NFKC (full-width → half-width), ASCII brackets, no spaces, no quotation marks or 《》;
- the report's city and district prefix dropped (北京市海淀区X = 海淀区X = 海淀X = X);
- a project's trailing phase split off (集成电路设计园二期 → 集成电路设计园 + 二期): the phase is
  its own project, ``kg:partOf`` the parent, with ``kg:phase``;
- organizations go through the register (short forms: 区发展改革委 = 北京市海淀区发展和改革委员会),
  places through the gazetteer (上庄镇 = 上庄地区), before any key is minted.

Minted entities are scoped by the report's district, so 教师进修学校 of two districts stay apart. The
rdfs:label of a minted entity is its key (deterministic); every written form is a ``skos:altLabel``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.gazetteer import Gazetteer, Place
from kg.places import place_iri, place_triples
from kg.rdf.document import Triple
from kg.rdf.iris import Minter
from kg.rdf.namespaces import KG
from kg.registers import Register, local_name

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "—": "-", "–": "-"})
_DROP = re.compile(r"[\s“”\"‘’'《》「」『』·・]")
PHASE = re.compile(
    r"(?P<phase>(?:[一二三四五六七八九十]+|[0-9]+)期(?:剩余段)?(?:工程|项目)?|[A-Z]组团|[0-9]+\.[0-9]"
    r"|[东南西北]段|[^\s、，,()]{2}段)$"
)

# The sector scheme's ids (ontology/sectors.ttl).
SECTOR_SLUGS: dict[str, str] = {
    "人工智能": "ai", "医药健康": "health-industry", "集成电路": "ic", "商业航天": "commercial-space",
    "具身智能": "embodied-ai", "智能网联汽车": "connected-vehicles", "量子信息": "quantum", "氢能": "hydrogen",
    "6G": "6g", "教育": "education", "养老": "elderly-care", "医疗": "medical-care", "生态": "ecology",
    "文化": "culture", "金融": "finance", "住房": "housing", "就业": "employment", "网络安全": "cybersecurity",
}


def clean_name(surface: str) -> str:
    """NFKC, ASCII brackets and dashes, without spaces, quotes or title marks."""
    return _DROP.sub("", unicodedata.normalize("NFKC", surface).translate(_BRACKETS))


def scope_code(district: Place | None, district_name: str) -> str:
    """The gazetteer's code of the report's district, else one made from its name."""
    return district.code if district is not None and district.code else f"name:{district_name}"


@dataclass(frozen=True)
class Scope:
    """The report's district: its code (for keys) and the prefixes a name may carry or drop."""

    code: str
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, district: Place | None, city: Place | None, district_name: str = "") -> Scope:
        """A district the gazetteer does not know is scoped by its name (``district_name``): two such
        districts must not share one scope."""
        names: list[str] = []
        for place in (p for p in (city, district) if p is not None):
            names += [place.name, *place.alt_names]
            if place.short_name:
                names.append(place.short_name)
        if city and district:
            names += [city.name + district.name, (city.short_name or "") + district.name]
        prefixes = tuple(sorted({n for n in names if len(n) >= 2}, key=lambda n: (-len(n), n)))
        return cls(scope_code(district, district_name), prefixes)

    def strip(self, name: str) -> str:
        for prefix in self.prefixes:
            if name.startswith(prefix) and len(name) - len(prefix) >= 2:
                return name[len(prefix):]
        return name


def canonical(surface: str, scope: Scope) -> str:
    """The identity form of a name: cleaned, without the report's city or district prefix."""
    return scope.strip(clean_name(surface))


def split_phase(name: str) -> tuple[str, str | None]:
    """(parent, phase) of a project name; phase None when the name has no trailing phase."""
    m = PHASE.search(name)
    if m and len(name) - len(m.group("phase")) >= 2:
        return name[: m.start()], m.group("phase")
    return name, None


@dataclass
class Resolved:
    iri: URIRef
    triples: list[Triple]
    key: str
    parent: URIRef | None = None


class Resolver:
    """Mints and describes entities; shared by every extractor of one document."""

    def __init__(self, minter: Minter, gazetteer: Gazetteer, register: Register, scope: Scope) -> None:
        self.minter, self.gazetteer, self.register, self.scope = minter, gazetteer, register, scope
        self._divisions: dict[str, Place] | None = None

    @staticmethod
    def _labelled(iri: URIRef, cls: URIRef, key: str, surface: str) -> list[Triple]:
        triples: list[Triple] = [(iri, RDF.type, cls), (iri, RDFS.label, Literal(key, lang="zh"))]
        written = surface.strip()
        if written and written != key:
            triples.append((iri, SKOS.altLabel, Literal(written, lang="zh")))
        return triples

    def gazetteer_place(self, surface: str) -> Place | None:
        name = clean_name(surface)
        found = self.gazetteer.by_name(name) or self.gazetteer.by_name(self.scope.strip(name))
        if not found and len(name) >= 2:
            found = [p for p in self.gazetteer.by_name(name, allow_short=True) if p.type in ("city", "district")]
        if len(found) > 1:  # one name in two districts: the report's own
            inside = [p for p in found if p.code and p.code[:6] == self.scope.code[:6]]
            found = inside or found
        return found[0] if found else None

    def place(self, surface: str, place_type: str) -> Resolved:
        """A gazetteer place when the name is known there, else a place minted from its key."""
        known = self.gazetteer_place(surface)
        if known is not None:
            iri = place_iri(self.minter, known)
            triples = list(place_triples(self.minter, self.gazetteer, known))
            if surface != known.name:
                triples.append((iri, SKOS.altLabel, Literal(surface, lang="zh")))
            if known.type not in ("city", "district", "street", "town", "area", "township"):
                triples.append((iri, KG.placeType, KG[f"placetype-{known.type}"]))
            return Resolved(iri, triples, known.name)
        key = canonical(surface, self.scope)
        iri = self.minter.entity("place", self.scope.code, key)
        triples = self._labelled(iri, KG.Place, key, surface)
        triples.append((iri, KG.placeType, KG[f"placetype-{place_type}"]))
        return Resolved(iri, triples, key)

    def register_applies(self) -> bool:
        """The register lists one district's bodies: its short forms (区财政局) name them only in that
        district's reports."""
        governments = [o for o in self.register.orgs.values() if o.type == "district-government"]
        own = self.scope.prefixes
        return not governments or any(p in g.name for g in governments for p in own if p.endswith("区"))

    def organization(self, surface: str, org_type: str) -> Resolved:
        """A registered organization (by any written form), else one minted in the report's district.

        In another district's report a form the register knows (区财政局, 相关街镇) names that district's
        own body: it is minted in that district's scope, typed as the register types it, and keyed by the
        register's row, so that every form of it (区财政局, 东塘区财政局) is one body."""
        reg = self.register.resolve(surface) or self.register.resolve(canonical(surface, self.scope))
        if reg is not None and self.register_applies():
            iri = self.register.iri(self.minter, reg)
            triples = list(self.register.triples(self.minter, reg))
            if surface not in (reg.name, *reg.short_names):
                triples.append((iri, SKOS.altLabel, Literal(surface, lang="zh")))
            return Resolved(iri, triples, reg.name)
        if reg is not None:  # labelled as the reports write it for their own district (区财政局)
            org_type, key = reg.type, next((s for s in reg.short_names if s.startswith("区")), local_name(reg))
            iri = self.minter.entity("org", self.scope.code, f"register {reg.id}")
        else:
            key = canonical(surface, self.scope)
            iri = self.minter.entity("org", self.scope.code, key)
        triples = self._labelled(iri, KG.CollectiveUnit if org_type == "collective" else KG.Organization, key, surface)
        triples.append((iri, KG.orgType, KG[f"orgtype-{org_type}"]))
        return Resolved(iri, triples, key)

    def policy(self, surface: str, policy_type: str) -> Resolved:
        key = canonical(surface, self.scope)
        iri = self.minter.entity("policy", self.scope.code, key)
        triples = self._labelled(iri, KG.Policy, key, surface)
        triples.append((iri, KG.policyType, KG[f"policytype-{policy_type}"]))
        return Resolved(iri, triples, key)

    def project(self, surface: str, project_type: str) -> Resolved:
        """A project; a phase (二期) is its own project, part of the parent named without it."""
        key = canonical(surface, self.scope)
        parent_key, phase = split_phase(key)
        parent_iri = self.minter.entity("project", self.scope.code, parent_key)
        triples = self._labelled(parent_iri, KG.Project, parent_key, surface if phase is None else "")
        triples.append((parent_iri, KG.projectType, KG[f"projecttype-{project_type}"]))
        if phase is None:
            return Resolved(parent_iri, triples, key)
        iri = self.minter.entity("project", self.scope.code, key)
        triples += self._labelled(iri, KG.Project, key, surface)
        triples += [
            (iri, KG.projectType, KG[f"projecttype-{project_type}"]),
            (iri, KG.phase, Literal(phase)),
            (iri, KG.partOf, parent_iri),
        ]
        return Resolved(iri, triples, key, parent_iri)

    def division_prefix(self, name: str) -> Place | None:
        """The street or town of the report's district whose name (or a town's short name) begins a
        project's name: 上庄镇东小营集租房, 西北旺X2地块 → 上庄地区, 西北旺地区."""
        if self._divisions is None:
            self._divisions = {}
            for p in self.gazetteer.places():
                if p.type in ("street", "town", "area", "township") and p.code and p.code[:6] == self.scope.code[:6]:
                    for form in self.gazetteer.surface_forms(p):
                        self._divisions.setdefault(form, p)
                    if p.short_name and p.type != "street" and len(p.short_name) >= 2:
                        self._divisions.setdefault(p.short_name, p)
        for n in range(min(len(name) - 1, 8), 1, -1):
            if name[:n] in self._divisions:
                return self._divisions[name[:n]]
        return None

    def sector(self, name: str) -> URIRef:
        return KG[f"sector-{SECTOR_SLUGS[name]}"]  # concepts of ontology/prose-schemes.ttl
