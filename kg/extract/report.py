"""The report's own entities: its publisher (resolved like a unit) and its district (from the gazetteer).

They come from the source's metadata, not its text, but are resolved like any other mention so that
the publisher of a report and the same office named in a table are one entity.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from kg.extract import ExtractionContext
from kg.extract.tables import resolver
from kg.links import is_entity_iri
from kg.places import default_gazetteer, district_of, place_iri, place_triples
from kg.rdf.document import Triple
from kg.rdf.namespaces import KG


def extract_report_entities(ctx: ExtractionContext) -> Iterator[Triple]:
    # Through the document's resolver: another district's government (北京市丰台区人民政府) is that
    # district's own, the body its report's text calls 区政府.
    publisher = resolver(ctx).organization(ctx.source.publisher, "unregistered")
    yield ctx.document, DCTERMS.publisher, publisher.iri
    yield from publisher.triples
    gazetteer = default_gazetteer()
    iri = district_iri(ctx)
    yield ctx.document, KG.district, iri
    district = district_of(gazetteer, ctx.source.district)
    if district is None:  # a district outside the gazetteer: still a place, minted from its name
        yield iri, RDF.type, KG.Place
        yield iri, RDFS.label, Literal(ctx.source.district, lang="zh")
        return
    yield from place_triples(ctx.minter, gazetteer, district)


def district_iri(ctx: ExtractionContext) -> URIRef:
    """The place the report is about (the area of its indicators): the gazetteer's district, or one minted
    from its name."""
    district = district_of(default_gazetteer(), ctx.source.district)
    return place_iri(ctx.minter, district) if district else ctx.minter.entity("place", ctx.source.district)


NAMING = (KG.mentionOf, RDF.subject, RDF.object)  # what the report names: its mentions, its statements' ends


def named_in(ctx: ExtractionContext, triples: Iterable[Triple]) -> Iterator[Triple]:
    """``kg:namedIn`` the report's district, for every entity the report mentions or states a fact of: what
    tells apart the entities of one name in different districts (each district's 区财政局)."""
    area, base = district_iri(ctx), ctx.minter.base
    named = {o for _, p, o in triples if p in NAMING and isinstance(o, URIRef) and is_entity_iri(base, o)}
    for entity in sorted(named):
        yield entity, KG.namedIn, area
