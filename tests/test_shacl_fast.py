"""The fast SHACL checker gives the same results as pyshacl on our shapes, on good and broken graphs.

The build trusts kg.shacl_fast to say "conforms" (and hands anything else to pyshacl), so the two must
agree result for result: same focus node, path, constraint component, value and source shape.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from kg.extract import ExtractionContext
from kg.extract.report import extract_report_entities
from kg.parse import parse_document
from kg.rdf.document import Triple, document_triples
from kg.rdf.iris import Minter
from kg.rdf.namespaces import KG, OA, SH
from kg.shacl_fast import CompiledShapes, check
from kg.sources import load_source
from kg.validate import shapes_and_ontology

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://kg.haidian.example/"
Mutation = Callable[[list[Triple]], list[Triple]]


@cache
def small_document() -> tuple[Triple, ...]:
    """The triples of the first part of a real report (small enough for pyshacl to be quick)."""
    source = load_source(ROOT / "data/sources/haidian-2024.toml")
    text = source.read_text()
    cut = text.index("专栏2")  # the title block, part 一 with its sections and box 1
    parsed = parse_document(source.id, text[:cut])
    minter, index = Minter(BASE), {}
    triples = list(document_triples(source, parsed, minter, index))
    ctx = ExtractionContext(source=source, parsed=parsed, minter=minter, segment_iris=index)
    return tuple(triples + list(extract_report_entities(ctx)))  # the report's publisher and district


def hierarchy() -> list[Triple]:
    _shapes, ontology = shapes_and_ontology(ROOT / "ontology")
    return list(ontology.triples((None, RDFS.subClassOf, None)))


def pyshacl_results(triples: list[Triple]) -> set[tuple]:
    shapes, _ontology = shapes_and_ontology(ROOT / "ontology")
    data = Graph()
    for t in [*triples, *hierarchy()]:
        data.add(t)
    _conforms, report, _text = pyshacl_validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    return {
        (report.value(r, SH.focusNode), report.value(r, SH.resultPath), report.value(r, SH.sourceConstraintComponent),
         report.value(r, SH.value), report.value(r, SH.sourceShape))
        for r in report.subjects(RDF.type, SH.ValidationResult)
        if (None, SH.detail, r) not in report  # nested sh:node details: the fast checker only reports their parent
    }


def fast_results(triples: list[Triple]) -> set[tuple]:
    shapes, _ontology = shapes_and_ontology(ROOT / "ontology")
    return set(check(CompiledShapes(shapes), [*triples, *hierarchy()]))


def of_class(triples: list[Triple], cls: URIRef) -> list[URIRef]:
    return [s for s, p, o in triples if p == RDF.type and o == cls]


def replace_object(pred: URIRef, new: object, cls: URIRef | None = None) -> Mutation:
    def mutate(triples: list[Triple]) -> list[Triple]:
        subjects = set(of_class(triples, cls)[:2]) if cls else None
        out = []
        for s, p, o in triples:
            if p == pred and (subjects is None or s in subjects):
                out.append((s, p, new(o) if callable(new) else new))  # type: ignore[arg-type]
                subjects = subjects or {s}  # without a class: only the first subject
            else:
                out.append((s, p, o))
        return out
    return mutate


def drop(pred: URIRef, cls: URIRef) -> Mutation:
    def mutate(triples: list[Triple]) -> list[Triple]:
        victim = of_class(triples, cls)[0]
        return [t for t in triples if not (t[0] == victim and t[1] == pred)]
    return mutate


def add(make: Callable[[list[Triple]], list[Triple]]) -> Mutation:
    return lambda triples: [*triples, *make(triples)]


def first(triples: list[Triple], cls: URIRef) -> URIRef:
    return of_class(triples, cls)[0]


MUTATIONS: dict[str, Mutation] = {
    "no label on a part": drop(RDFS.label, KG.Part),
    "no order on a sentence": drop(KG.order, KG.Sentence),
    "no selectors on a paragraph": drop(OA.hasSelector, KG.Paragraph),
    "no exact on a quote": drop(OA.exact, OA.TextQuoteSelector),
    "no publisher": drop(DCTERMS.publisher, KG.Report),
    "english label": replace_object(RDFS.label, lambda o: Literal(str(o), lang="en"), KG.Section),
    "empty label": replace_object(RDFS.label, Literal("", lang="zh"), KG.Box),
    "order zero": replace_object(KG.order, Literal(0), KG.Sentence),
    "order as a string": replace_object(KG.order, Literal("1"), KG.Sentence),
    "ill-typed order": replace_object(KG.order, Literal("x", datatype=XSD.integer), KG.Paragraph),
    "start after end": replace_object(OA.start, Literal(10**9), OA.TextPositionSelector),
    "negative end": replace_object(OA.end, Literal(-1), OA.TextPositionSelector),
    "year as integer": replace_object(KG.executionYear, Literal(2024), KG.Report),
    "bad content hash": replace_object(KG.contentHash, Literal("abc"), KG.Report),
    "bad identifier": replace_object(DCTERMS.identifier, Literal("Bad Id"), KG.Report),
    "document is not a report": replace_object(KG.document, URIRef(BASE + "id/org/x"), KG.Sentence),
    "part of a blank node": replace_object(DCTERMS.isPartOf, BNode("b1"), KG.Sentence),
    "part of a literal": replace_object(DCTERMS.isPartOf, Literal("x"), KG.Paragraph),
    "text in english": replace_object(KG.text, lambda o: Literal(str(o), lang="en"), KG.Sentence),
    "two labels": add(lambda ts: [(first(ts, KG.Part), RDFS.label, Literal("另一个", lang="zh"))]),
    "a third selector": add(lambda ts: [(first(ts, KG.Sentence), OA.hasSelector, URIRef(BASE + "id/x#s"))]),
    "a second parent": add(lambda ts: [(first(ts, KG.Sentence), DCTERMS.isPartOf, first(ts, KG.Part))]),
    "a segment with a bad IRI": add(lambda ts: [(URIRef(BASE + "id/doc/Bad_ID/x"), RDF.type, KG.Paragraph)]),
    "a blank-node segment": add(lambda ts: [(BNode("seg"), RDF.type, KG.Sentence)]),
    "an organization without a label": add(lambda ts: [(URIRef(BASE + "id/org/nolabel"), RDF.type, KG.Organization)]),
    "an organization with a bad IRI": add(lambda ts: [
        (URIRef(BASE + "id/place/x"), RDF.type, KG.Organization),
        (URIRef(BASE + "id/place/x"), RDFS.label, Literal("某单位", lang="zh"))]),
    "a place inside an organization": add(lambda ts: [
        (URIRef(BASE + "id/place/p1"), RDF.type, KG.Place),
        (URIRef(BASE + "id/place/p1"), RDFS.label, Literal("某地", lang="zh")),
        (URIRef(BASE + "id/place/p1"), KG.locatedIn, URIRef(BASE + "id/org/o1"))]),
    "a quote selector typed as position only": add(lambda ts: [
        (URIRef(BASE + "id/doc/x/y#q"), RDF.type, OA.TextPositionSelector)]),
    "a row in a part": replace_object(DCTERMS.isPartOf, lambda o: URIRef(BASE + "id/doc/haidian-2024"), KG.TableRow),
}


def test_the_fast_checker_agrees_on_a_conforming_document() -> None:
    triples = list(small_document())
    assert fast_results(triples) == pyshacl_results(triples) == set()


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_the_fast_checker_agrees_on_a_broken_document(name: str) -> None:
    triples = MUTATIONS[name](list(small_document()))
    expected = pyshacl_results(triples)
    assert expected, f"the fixture {name!r} breaks no shape"
    assert fast_results(triples) == expected


@pytest.mark.parametrize("seed", range(int(os.environ.get("KG_SHACL_SEEDS", "8"))))
def test_the_fast_checker_agrees_on_random_damage(seed: int) -> None:
    """Drop a few triples and move a few objects between triples at random."""
    rng = random.Random(seed)
    triples = list(small_document())
    for _ in range(4):
        triples.pop(rng.randrange(len(triples)))
    for _ in range(4):
        i, j = rng.randrange(len(triples)), rng.randrange(len(triples))
        s, p, _o = triples[i]
        triples[i] = (s, p, triples[j][2])
    assert fast_results(triples) == pyshacl_results(triples)
