"""What the graph holds: triples, entities per class, sources."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.query import run_query
from kg.store import count_triples

# The default graph is the stored merge (a set): its triples and its (instance, class) pairs are distinct
# already, and counting them needs no DISTINCT, which made these counts take minutes at a hundred reports.
NAMED_GRAPH_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
CLASS_COUNTS = """
SELECT ?class (SAMPLE(?label) AS ?name) ?n WHERE {
  { SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class }
  OPTIONAL { ?class rdfs:label ?label FILTER(lang(?label) = "en") }
} GROUP BY ?class ?n ORDER BY DESC(?n) ?class
"""
SOURCES = """
SELECT ?id ?title ?exec ?plan WHERE {
  ?doc a kg:Report ; dcterms:identifier ?id ; dcterms:title ?title ; kg:executionYear ?exec ; kg:planYear ?plan .
} ORDER BY ?id
"""


@dataclass(frozen=True)
class Stats:
    triples: int  # distinct triples of the union graph
    quads: int  # stored quads (a triple repeated in two source graphs counts twice)
    classes: list[tuple[str, str, int]]  # (class IRI, English label, instances)
    sources: list[tuple[str, str, str, str]]  # (id, title, execution year, plan year)


def _value(term: object) -> str:
    return getattr(term, "value", "") if term is not None else ""


def graph_stats(store: ox.Store) -> Stats:
    quads = int(next(iter(run_query(store, NAMED_GRAPH_QUADS)))["n"].value)
    classes = [
        (_value(r["class"]), _value(r["name"]), int(_value(r["n"]))) for r in run_query(store, CLASS_COUNTS)
    ]
    sources = [
        tuple(_value(r[k]) for k in ("id", "title", "exec", "plan")) for r in run_query(store, SOURCES)
    ]
    return Stats(count_triples(store), quads, classes, sources)  # type: ignore[arg-type]
