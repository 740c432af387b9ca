"""Links between entities: what the explorer's shortest-path search walks, collected as the build goes.

An entity (a page in search and graphs) is an IRI under ``{base}id/`` that is not a segment of a
document. A link is a triple between two entities, provenance plumbing left out. The build writes each
document's links to ``links.tsv`` beside the store as the document is loaded, so the path graph is read
from a small file (330,000 links at 1,000 synthetic reports) instead of scanning all 15 million triples
of the store, which took 147 s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import PROV, RDF

from kg.rdf.namespaces import KG

# Links to and from mentions, sentences and statements, classes, and kg:namedIn (from every entity a report
# names to its district: as links, every path would run through a district): not relations between
# entities.
PLUMBING = frozenset(str(p) for p in (RDF.type, PROV.wasDerivedFrom, KG.mentionOf, RDF.subject, RDF.object,
                                      KG.namedIn))
LINKS_FILE = "links.tsv"


def is_entity_iri(base: str, iri: str) -> bool:
    """Ours under id/, but not the segments of a document (id/doc/{source}/…)."""
    ids = base + "id/"
    if not iri.startswith(ids):
        return False
    rest = iri[len(ids) :]
    return not (rest.startswith("doc/") and rest.count("/") > 1)


def entity_links(triples: Iterable[tuple[object, object, object]], base: str) -> list[tuple[str, str, str]]:
    """The triples of ``triples`` that link two different entities, as strings. An IRI is a ``str``: tested
    as it is, converted only when kept (most triples have a literal or a document segment at one end). The
    predicate is compared as a ``str``: a URIRef does not hash as its text, so it is never ``in`` PLUMBING."""
    return [
        (str(s), str(p), str(o)) for s, p, o in triples
        if isinstance(o, URIRef) and isinstance(s, URIRef) and s != o and str(p) not in PLUMBING
        and is_entity_iri(base, s) and is_entity_iri(base, o)
    ]


def graph_links(store: ox.Store, graph_iri: str, base: str) -> list[tuple[str, str, str]]:
    """The links in one named graph of ``store`` (the build-time summaries)."""
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri))
    return entity_links(((URIRef(q.subject.value), q.predicate.value, URIRef(q.object.value)) for q in quads
                         if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)), base)


def append_links(path: Path, links: Iterable[tuple[str, str, str]]) -> None:
    """IRIs hold no whitespace: a tab between them and a newline after is enough."""
    with path.open("a", encoding="utf-8") as f:
        f.writelines(f"{s}\t{p}\t{o}\n" for s, p, o in links)


def read_links(path: Path) -> Iterator[tuple[str, str, str]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            s, p, o = line.rstrip("\n").split("\t")
            yield s, p, o
