"""Place entities from the gazetteer: one IRI per place, in the hierarchy 北京市 → 区 → 街道/镇.

Any extractor that names a place calls ``place_iri`` (the IRI) and ``place_triples`` (the place
and its ancestors, typed and labelled), so that every document mints the same IRIs.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.gazetteer import Gazetteer, Place, load_gazetteer
from kg.rdf.document import Triple
from kg.rdf.iris import Minter
from kg.rdf.namespaces import KG

# A 地区 office is the same body as the 镇 of its name, so it is typed 镇 (town).
PLACE_TYPE = {
    "city": KG["placetype-city"],
    "district": KG["placetype-district"],
    "street": KG["placetype-street"],
    "town": KG["placetype-town"],
    "area": KG["placetype-town"],
    "township": KG["placetype-township"],
}
DIVISION_CLASS = KG.AdministrativeArea


def place_iri(minter: Minter, place: Place) -> URIRef:
    """The IRI of a gazetteer place: its division code, or its curated id."""
    return minter.slug("place", place.code or place.id)


def place_triples(minter: Minter, gazetteer: Gazetteer, place: Place) -> Iterator[Triple]:
    """The place, typed and labelled, and every ancestor up to 北京市, linked by kg:locatedIn."""
    chain = [place, *gazetteer.ancestors(place.id)]
    for p, parent in zip(chain, [*chain[1:], None], strict=True):
        iri = place_iri(minter, p)
        yield iri, RDF.type, DIVISION_CLASS if p.is_division else KG.Place
        yield iri, RDFS.label, Literal(p.name, lang="zh")
        for alt in dict.fromkeys(gazetteer.surface_forms(p)):
            if alt != p.name:
                yield iri, SKOS.altLabel, Literal(alt, lang="zh")
        if p.type in PLACE_TYPE:
            yield iri, KG.placeType, PLACE_TYPE[p.type]
        if p.code:
            yield iri, KG.divisionCode, Literal(p.code)
        if parent is not None:
            yield iri, KG.locatedIn, place_iri(minter, parent)


def district_of(gazetteer: Gazetteer, district_name: str) -> Place | None:
    """The district a report is about ("北京市海淀区" → 海淀区)."""
    for candidate in (district_name, district_name.removeprefix("北京市")):
        found = [p for p in gazetteer.by_name(candidate) if p.type == "district"]
        if found:
            return found[0]
    return None


def division_in(gazetteer: Gazetteer, surface: str, district: Place | None) -> Place | None:
    """The street or town called ``surface`` inside ``district`` (八里庄街道 exists in two districts)."""
    candidates = [p for p in gazetteer.by_name(surface) if p.is_division and p.type not in ("city", "district")]
    if district is not None:
        candidates = [p for p in candidates if district in gazetteer.ancestors(p.id)]
    return candidates[0] if len(candidates) == 1 else None


def default_gazetteer() -> Gazetteer:
    return load_gazetteer()
