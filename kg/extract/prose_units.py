"""Small units that turn resolved prose mentions into triples: one per kind, one per relation.

Every entity gets a ``kg:Mention`` at its exact span (``mention_triples``); every fact is asserted
with ``statement_triples`` so a query can go from it to the sentence that states it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from rdflib import Literal
from rdflib.namespace import PROV, RDF, RDFS, XSD

from kg.extract import ExtractionContext
from kg.extract.prose import Found
from kg.extract.prose_relations import Relation, relations
from kg.places import place_iri, place_triples
from kg.rdf.document import Triple
from kg.rdf.namespaces import KG
from kg.rdf.provenance import mention_triples, statement_triples
from kg.resolve import Resolved, Resolver

YEARS = re.compile(r"[(（]((?:19|20)[0-9]{2})\s*[-—–－~至]\s*((?:19|20)[0-9]{2})年?[)）]")
NUMBER = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(万平方米|平方米|公顷|亩|亿元|万元|公里)")


def resolve(res: Resolver, f: Found) -> Resolved:
    m = f.mention
    if m.kind == "place":
        return res.place(m.surface, m.type)
    if m.kind == "organization":
        return res.organization(m.surface, m.type)
    if m.kind == "policy":
        return res.policy(m.surface, m.type)
    return res.project(m.surface, m.type)


def entity_unit(ctx: ExtractionContext, f: Found, r: Resolved) -> Iterator[Triple]:
    yield from r.triples
    yield from mention_triples(ctx, r.iri, f.start, f.end)


def policy_unit(ctx: ExtractionContext, f: Found, r: Resolved) -> Iterator[Triple]:
    if f.mention.kind != "policy":
        return
    years = YEARS.search(f.mention.surface)
    if years:
        yield r.iri, KG.period, Literal(f"{years.group(1)}-{years.group(2)}")


def status_unit(ctx: ExtractionContext, f: Found, r: Resolved) -> Iterator[Triple]:
    m = f.mention
    if m.kind != "project" or m.status is None:
        return
    record = ctx.minter.entity("status", str(r.iri), ctx.source.id, str(f.start))
    yield from statement_triples(ctx, r.iri, KG.statusRecord, record, f.start, f.end)
    yield record, RDF.type, KG.StatusRecord
    yield record, RDFS.label, Literal(f"{m.surface}：{m.status}（{f.sentence.year}）", lang="zh")
    yield record, KG.year, Literal(str(f.sentence.year), datatype=XSD.gYear)
    yield record, KG.status, KG[f"status-{m.status}"]
    yield record, KG.document, ctx.document
    yield record, PROV.wasDerivedFrom, ctx.iri(f.sentence.node)
    if m.cue:
        yield record, KG.statusPhrase, Literal(m.cue)


def number_unit(ctx: ExtractionContext, f: Found, r: Resolved, alone: bool) -> Iterator[Triple]:
    """Area and investment of a project that is the only project of its clause."""
    if f.mention.kind != "project" or not alone:
        return
    a, b = f.clause
    for value, unit in NUMBER.findall(f.sentence.text[a:b]):
        if unit in ("亿元", "万元"):
            amount = float(value) * (10_000 if unit == "亿元" else 1)
            yield from statement_triples(ctx, r.iri, KG.investment, Literal(f"{amount:.2f}", datatype=XSD.decimal),
                                         f.start, f.end)
        elif unit != "公里":
            yield from statement_triples(ctx, r.iri, KG.area, Literal(f"{value}{unit}"), f.start, f.end)


def relation_triples(ctx: ExtractionContext, rel: Relation, resolved: dict[int, Resolved]) -> Iterator[Triple]:
    """One stated relation as a fact with its statement (has-status is written by ``status_unit``)."""
    subject = resolved[id(rel.subject)].iri
    if rel.kind == "addresses-sector":
        yield from statement_triples(ctx, subject, KG.addressesSector, ctx.resolver.sector(rel.obj), rel.start, rel.end)
        return
    if isinstance(rel.obj, str):
        return
    obj = resolved[id(rel.obj)].iri
    if rel.kind == "located-in":
        yield from statement_triples(ctx, subject, KG.locatedIn, obj, rel.start, rel.end)
    elif rel.kind == "led-by":
        yield from statement_triples(ctx, subject, KG.ledBy, obj, rel.start, rel.end)
    elif rel.kind == "responsible-for":  # the organization is the object's responsible unit
        yield from statement_triples(ctx, obj, KG.responsibleUnit, subject, rel.start, rel.end)


def division_unit(ctx: ExtractionContext, f: Found, r: Resolved) -> Iterator[Triple]:
    """A project whose name begins with a street or town of the district is in it (上庄镇东小营集租房)."""
    if f.mention.kind != "project":
        return
    place = ctx.resolver.division_prefix(f.mention.surface)
    if place is not None:
        yield from place_triples(ctx.minter, ctx.resolver.gazetteer, place)
        yield from statement_triples(ctx, r.iri, KG.locatedIn, place_iri(ctx.minter, place), f.start, f.end)


Unit = Callable[[ExtractionContext, Found, Resolved], Iterator[Triple]]
UNITS: tuple[Unit, ...] = (entity_unit, policy_unit, status_unit, division_unit)


def emit(ctx: ExtractionContext, res: Resolver, found: list[Found]) -> Iterator[Triple]:
    items = [(f, resolve(res, f)) for f in found]
    projects_per_clause: dict[tuple[int, tuple[int, int]], int] = {}
    for f, _ in items:
        if f.mention.kind == "project":
            key = (id(f.sentence), f.clause)
            projects_per_clause[key] = projects_per_clause.get(key, 0) + 1
    for f, r in items:
        for unit in UNITS:
            yield from unit(ctx, f, r)
        yield from number_unit(ctx, f, r, projects_per_clause.get((id(f.sentence), f.clause)) == 1)
    resolved = {id(f): r for f, r in items}
    for rel in relations(found):
        yield from relation_triples(ctx, rel, resolved)


