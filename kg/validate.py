"""The validate stage: SHACL against ``ontology/shapes.ttl``, one document graph at a time.

Validating per document keeps the cost linear in the corpus. ``sh:class`` needs the ontology's
``rdfs:subClassOf`` triples beside the data; they are added for the run and taken out after, which is
far cheaper than pyshacl's ``ont_graph`` (that copies the whole data graph).

Two engines: :mod:`kg.shacl_fast` (a compiled checker for the SHACL Core subset our shapes use, tested
result for result against pyshacl) decides whether a graph conforms in a fraction of a second; when it
finds anything, or the shapes use a feature it does not implement, pyshacl produces the report users read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.errors import SourceError
from kg.rdf.namespaces import PREFIXES, SH
from kg.shacl_fast import CompiledShapes, Unsupported, check

Triple = tuple[URIRef, URIRef, URIRef | Literal]

MAX_REPORTED = 50


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    shape: str
    value: str
    severity: str

    def line(self) -> str:
        value = f" (value: {compact(self.value)})" if self.value and self.value != self.focus else ""
        shape = (
            f" [shape {compact(self.shape)}]" if "://" in self.shape else ""
        )  # blank-node shapes say nothing
        return f"{self.severity}: {self.focus} — path {compact(self.path) or '(node)'}: {self.message}{value}{shape}"


def compact(iri: str) -> str:
    """``rdfs:label`` for ``http://www.w3.org/2000/01/rdf-schema#label``: reports are read by people."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(str(namespace)):
            return f"{prefix}:{iri[len(str(namespace)) :]}"
    return iri


@dataclass(frozen=True)
class ValidationReport:
    graph_name: str
    conforms: bool
    violations: tuple[Violation, ...]
    report_graph: Graph

    def text(self, limit: int = MAX_REPORTED) -> str:
        head = f"{self.graph_name}: {'conforms' if self.conforms else f'{len(self.violations)} violation(s)'}"
        lines = [v.line() for v in self.violations[:limit]]
        if len(self.violations) > limit:
            lines.append(f"… and {len(self.violations) - limit} more")
        return "\n".join([head, *("  " + line for line in lines)])


@lru_cache(maxsize=4)
def load_turtle(path: Path, mtime: float) -> Graph:  # mtime keys the cache on the file's version
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib's BadSyntax and friends: name the file and the line
        line = getattr(exc, "lines", None)
        why = getattr(exc, "_why", None) or str(exc).splitlines()[-1]
        where = f"line {line + 1}" if isinstance(line, int) else None
        raise SourceError(f"invalid Turtle: {why}", path=str(path), where=where) from exc
    return graph


def shapes_and_ontology(ontology_dir: Path) -> tuple[Graph, Graph]:
    shapes, ontology = ontology_dir / "shapes.ttl", ontology_dir / "kg.ttl"
    return load_turtle(shapes, shapes.stat().st_mtime), load_turtle(ontology, ontology.stat().st_mtime)


def _text(graph: Graph, node: URIRef, predicate: URIRef) -> str:
    value = graph.value(node, predicate)
    return "" if value is None else str(value)


def _violations(results: Graph) -> tuple[Violation, ...]:
    found = [
        Violation(
            focus=_text(results, r, SH.focusNode),
            path=_text(results, r, SH.resultPath),
            message=_text(results, r, SH.resultMessage),
            shape=_text(results, r, SH.sourceShape),
            value=_text(results, r, SH.value),
            severity=_text(results, r, SH.resultSeverity).rsplit("#", 1)[-1],
        )
        for r in results.subjects(RDF.type, SH.ValidationResult)
    ]
    return tuple(sorted(found, key=lambda v: (v.focus, v.path, v.message)))


@lru_cache(maxsize=4)
def _compiled(shapes: Graph) -> CompiledShapes | None:
    try:
        return CompiledShapes(shapes)
    except Unsupported:
        return None  # the shapes use more than the fast checker knows: pyshacl validates everything


def fast_conforms(triples: Iterable[Triple], ontology_dir: Path) -> bool:
    """True when the fast checker finds no result at all (pyshacl would report none either)."""
    shapes, ontology = shapes_and_ontology(ontology_dir)
    compiled = _compiled(shapes)
    if compiled is None:
        return False
    try:
        return not check(compiled, chain(triples, ontology.triples((None, RDFS.subClassOf, None))))
    except Unsupported:
        return False


def conforming_report(graph_name: str) -> ValidationReport:
    """The report pyshacl writes for a conforming graph: one sh:ValidationReport, sh:conforms true."""
    report = Graph()
    report.bind("sh", SH)
    node = BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    report.add((node, SH.conforms, Literal(True)))
    return ValidationReport(graph_name, True, (), report)


def validate_triples(triples: list[Triple], ontology_dir: Path, graph_name: str) -> ValidationReport:
    """Validate a document's triples without building an rdflib graph unless pyshacl must report."""
    if fast_conforms(triples, ontology_dir):
        return conforming_report(graph_name)
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return pyshacl_report(graph, ontology_dir, graph_name)


def validate_graph(data: Graph, ontology_dir: Path, graph_name: str) -> ValidationReport:
    if fast_conforms(data, ontology_dir):  # type: ignore[arg-type] - a Graph iterates as triples
        return conforming_report(graph_name)
    return pyshacl_report(data, ontology_dir, graph_name)


def pyshacl_report(data: Graph, ontology_dir: Path, graph_name: str) -> ValidationReport:
    shapes, ontology = shapes_and_ontology(ontology_dir)
    hierarchy = [t for t in ontology.triples((None, RDFS.subClassOf, None)) if t not in data]
    for triple in hierarchy:
        data.add(triple)
    from pyshacl import validate as shacl_validate  # 0.3 s to import: only when a graph must be reported

    try:
        conforms, results, _ = shacl_validate(
            data,
            shacl_graph=shapes,
            inference="none",
            abort_on_first=False,
            allow_warnings=True,
            advanced=False,
        )
    finally:
        for triple in hierarchy:
            data.remove(triple)
    return ValidationReport(graph_name, bool(conforms), _violations(results), results)
