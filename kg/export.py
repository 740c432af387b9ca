"""Exports of the current store: Turtle, TriG (one named graph per source), N-Triples, JSON-LD.

The N-Triples export is canonical: the union of all graphs, each triple once, lines sorted, so two
builds of the same sources give byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.rdf.namespaces import PREFIXES

FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
}
DATASET_FORMATS = {"trig", "nq"}
PREFIX_MAP = {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def union_triples(store: ox.Store) -> list[ox.Triple]:
    """Every distinct triple of every named graph."""
    return list(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True))


def canonical_ntriples(store: ox.Store) -> bytes:
    lines = {f"{t.subject} {t.predicate} {t.object} .\n" for t in union_triples(store)}
    return "".join(sorted(lines)).encode("utf-8")


def export(store: ox.Store, fmt: str, output: Path) -> int:
    """Write the store in one format; returns the number of triples (or quads) written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    if fmt == "nt":
        data = canonical_ntriples(store)
        partial.write_bytes(data)
        count = data.count(b"\n")
    elif fmt in DATASET_FORMATS:
        quads = sorted(store.quads_for_pattern(None, None, None, None), key=str)
        kwargs = {"prefixes": PREFIX_MAP} if fmt == "trig" else {}
        ox.serialize(quads, str(partial), format=FORMATS[fmt], **kwargs)
        count = len(quads)
    else:
        triples = sorted(union_triples(store), key=str)
        kwargs = {"prefixes": PREFIX_MAP} if fmt == "ttl" else {}
        ox.serialize(triples, str(partial), format=FORMATS[fmt], **kwargs)
        count = len(triples)
    partial.replace(output)
    return count
