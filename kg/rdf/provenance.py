"""Provenance of extracted facts, down to the character span they came from.

- ``mention_triples``: a ``kg:Mention`` of an entity at a span (a text segment with selectors),
  ``kg:mentionOf`` the entity, ``kg:sentence`` the sentence or cell holding it, and the entity
  ``prov:wasDerivedFrom`` the mention.
- ``statement_triples``: a fact (s, p, o) asserted directly, plus an ``rdf:Statement`` about it
  derived from the segment that states it, so a SPARQL query can go from any fact to its quote.
IRIs of mentions and statements are hashes of their content, so rebuilds give the same IRIs.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF

from kg.extract import ExtractionContext
from kg.rdf.document import Triple, selector_triples
from kg.rdf.iris import name_key
from kg.rdf.namespaces import KG


def mention_triples(ctx: ExtractionContext, entity: URIRef, start: int, end: int) -> Iterator[Triple]:
    mention = ctx.minter.node(ctx.source.id, f"mention/{start}-{end}-{name_key(str(entity))[:6]}")
    yield mention, RDF.type, KG.Mention
    yield mention, KG.mentionOf, entity
    yield mention, KG.document, ctx.document
    holder = ctx.segment_at(start)
    yield mention, URIRef("http://purl.org/dc/terms/isPartOf"), holder[1] if holder else ctx.document
    if holder:
        yield mention, KG.sentence, holder[1]
    yield mention, KG.order, Literal(1)
    yield from selector_triples(mention, ctx.document, start, end, ctx.parsed.quote(start, end))
    yield entity, PROV.wasDerivedFrom, mention


def statement_triples(
    ctx: ExtractionContext, subject: URIRef, predicate: URIRef, obj: URIRef | Literal, start: int, end: int
) -> Iterator[Triple]:
    """Assert a fact and say which span of which segment states it."""
    yield subject, predicate, obj
    key = name_key(str(subject), str(predicate), str(obj), ctx.source.id, str(start))
    statement = ctx.minter.node(ctx.source.id, f"statement/{key}")
    yield statement, RDF.type, RDF.Statement
    yield statement, RDF.subject, subject
    yield statement, RDF.predicate, predicate
    yield statement, RDF.object, obj
    yield statement, KG.document, ctx.document
    holder = ctx.segment_at(start)
    yield statement, PROV.wasDerivedFrom, holder[1] if holder else ctx.document
