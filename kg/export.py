"""Exports of the current store: Turtle, TriG (one named graph per source), N-Triples, JSON-LD.

The N-Triples export is canonical: the union of all graphs, each triple once, lines sorted, so two
builds of the same sources give byte-identical files.
"""

from __future__ import annotations

import hashlib
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
    """Every distinct triple of every named graph (the default graph holds their merge), blank nodes
    relabelled canonically."""
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    relabel = canonical_blank_nodes(triples)
    return [ox.Triple(relabel(t.subject), t.predicate, relabel(t.object)) for t in triples] if relabel.used else triples


def named_graph_quads(store: ox.Store) -> list[ox.Quad]:
    """The quads of the named graphs (the default graph only repeats them)."""
    return [q for q in store.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)]


class _Relabel:
    def __init__(self, labels: dict[str, str]) -> None:
        self.labels, self.used = labels, bool(labels)

    def __call__(self, term):  # noqa: ANN001, ANN204 - any pyoxigraph term
        return ox.BlankNode(self.labels[term.value]) if isinstance(term, ox.BlankNode) else term


def canonical_blank_nodes(triples: list[ox.Triple]) -> _Relabel:
    """Blank-node labels that do not depend on the store: a hash of each node's surroundings, refined until
    the partition is stable (colour refinement, the first step of RDF canonicalization). The store gives
    blank nodes (from the ontology's Turtle) random labels on every load; without this two builds of the
    same sources would differ. Nodes that refinement cannot tell apart are symmetric in practice, so
    numbering them in any order gives the same set of lines."""
    around = [t for t in triples if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)]
    nodes = sorted({x.value for t in around for x in (t.subject, t.object) if isinstance(x, ox.BlankNode)})
    colour = dict.fromkeys(nodes, "")
    for _ in range(len(nodes) + 1):
        signature: dict[str, list[str]] = {n: [colour[n]] for n in nodes}
        for t in around:
            s = colour[t.subject.value] if isinstance(t.subject, ox.BlankNode) else str(t.subject)
            o = colour[t.object.value] if isinstance(t.object, ox.BlankNode) else str(t.object)
            if isinstance(t.subject, ox.BlankNode):
                signature[t.subject.value].append(f"> {t.predicate} {o}")
            if isinstance(t.object, ox.BlankNode):
                signature[t.object.value].append(f"< {s} {t.predicate}")
        refined = {n: hashlib.sha256("\n".join(sorted(sig)).encode()).hexdigest()[:24] for n, sig in signature.items()}
        stable = len(set(refined.values())) == len(set(colour.values()))
        colour = refined
        if stable:
            break
    labels: dict[str, str] = {}
    seen: dict[str, int] = {}
    for node in sorted(nodes, key=lambda n: colour[n]):
        seen[colour[node]] = seen.get(colour[node], -1) + 1
        labels[node] = f"b{colour[node]}{seen[colour[node]] or ''}"
    return _Relabel(labels)


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
        quads = named_graph_quads(store)
        relabel = canonical_blank_nodes([q.triple for q in quads])
        if relabel.used:
            quads = [ox.Quad(relabel(q.subject), q.predicate, relabel(q.object), q.graph_name) for q in quads]
        quads.sort(key=str)
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
