"""The pipeline: sources → parse → extract → RDF → validate → store, one document at a time.

Nothing touches the live store until every document has been parsed, extracted and validated and
the new store is complete on disk; then ``current`` is swapped to it in one rename.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg import __version__
from kg.config import Settings
from kg.errors import KGError, ParseError, ValidationFailed
from kg.extract import ExtractionContext, extract
from kg.parse import parse_document
from kg.rdf.document import Triple, document_triples
from kg.rdf.iris import Minter
from kg.rdf.namespaces import bind_prefixes
from kg.sources import Source, load_sources
from kg.store import StoreLayout
from kg.validate import ValidationReport, validate_graph

STAGES = ("parse", "extract", "rdf", "validate", "load")
ONTOLOGY_GRAPH = "ontology"


@dataclass
class DocumentResult:
    source: Source
    graph: Graph
    report: ValidationReport
    characters: int
    unplaced: list[tuple[int, int, str]]


@dataclass
class BuildResult:
    build_dir: Path | None
    triples: int
    stage_seconds: dict[str, float]
    documents: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        return asdict(self) | {"build_dir": str(self.build_dir) if self.build_dir else None}


def checkpoint(name: str) -> None:
    """A test hook at stage boundaries (tests/test_kill.py): with ``KG_TEST_CHECKPOINTS`` set, print the
    name to stderr; with ``KG_TEST_PAUSE_AT=name``, also sleep there so a test can kill the build."""
    if os.environ.get("KG_TEST_CHECKPOINTS"):
        print(f"kg-checkpoint {name}", file=sys.stderr, flush=True)
        if os.environ.get("KG_TEST_PAUSE_AT") == name:
            time.sleep(float(os.environ.get("KG_TEST_PAUSE_SECONDS", "60")))


class StageTimer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        checkpoint(name)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started


def document_graph(source: Source, settings: Settings, timer: StageTimer) -> DocumentResult:
    """Parse, extract, convert and validate one source; raises on a violating graph."""
    with timer.stage("parse"):
        original = source.read_text()
        try:
            parsed = parse_document(source.id, original)
        except ParseError as exc:  # name the file, not only the source id
            raise ParseError(f"{exc.message} (source {source.id!r})", path=str(source.path), where=exc.where) from exc
        if not parsed.root.find("part"):
            raise ParseError(
                "no recognisable structure: no part heading (一、二、…) was found; not a report of this kind",
                path=str(source.path),
                where=f"line 1-{original.count(chr(10)) + 1}",
            )
    minter = Minter(settings.base_iri)
    with timer.stage("rdf"):
        index: dict = {}
        triples: list[Triple] = list(document_triples(source, parsed, minter, index))
    with timer.stage("extract"):
        ctx = ExtractionContext(source=source, parsed=parsed, minter=minter, segment_iris=index,
                                settings=settings)
        triples.extend(extract(ctx))
    with timer.stage("rdf"):
        graph = Graph()
        bind_prefixes(graph)
        for triple in triples:
            graph.add(triple)
    with timer.stage("validate"):
        report = validate_graph(graph, settings.ontology_dir, source.id)
    return DocumentResult(source, graph, report, len(original), parsed.unplaced)


def _load_graph(store: ox.Store, graph: Graph, graph_iri: str) -> None:
    data = graph.serialize(format="nt", encoding="utf-8")
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_iri))


def ontology_files(ontology_dir: Path) -> list[Path]:
    """Every Turtle file of the ontology directory except the shapes, kg.ttl first."""
    files = sorted(p for p in ontology_dir.glob("*.ttl") if p.name != "shapes.ttl")
    return sorted(files, key=lambda p: p.name != "kg.ttl")


def _write_store(build_dir: Path, results: list[DocumentResult], settings: Settings) -> int:
    minter = Minter(settings.base_iri)
    store = ox.Store(str(build_dir / "oxigraph"))
    ontology = Graph()
    for ttl in ontology_files(settings.ontology_dir):  # kg.ttl and the concept schemes, not the shapes
        ontology.parse(ttl, format="turtle")
    _load_graph(store, ontology, str(minter.graph(ONTOLOGY_GRAPH)))
    for result in results:
        _load_graph(store, result.graph, str(minter.graph(result.source.id)))
    store.flush()
    count = len(store)
    del store  # closes the database before the directory is published
    return count


Progress = Callable[[str], None]


def build(settings: Settings, progress: Progress | None = None) -> BuildResult:
    """Build every source into a new store and swap it in; the old store stays on any failure."""
    say = progress or (lambda _msg: None)
    timer = StageTimer()
    sources = load_sources(settings.sources_dir, settings.max_source_bytes)
    results: list[DocumentResult] = []
    for source in sources:
        say(f"{source.id}: parse, extract, validate")
        result = document_graph(source, settings, timer)
        if not result.report.conforms:
            raise ValidationFailed(
                f"the graph of source {source.id!r} does not conform to the shapes; the store was not changed",
                result.report.text(),
            )
        results.append(result)
    layout = StoreLayout(settings.store_dir)
    build_dir = layout.new_build_dir()
    try:
        with timer.stage("load"):
            say("load into a new store")
            triples = _write_store(build_dir, results, settings)
        checkpoint("store-written")
        info = _build_info(results, triples, timer, settings)
        _write_reports(build_dir, results)
        (build_dir / "build.json").write_text(
            json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        checkpoint("swap")
        layout.swap_to(build_dir)
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    return BuildResult(build_dir, triples, timer.seconds, info["documents"])


def _build_info(results: list[DocumentResult], triples: int, timer: StageTimer, settings: Settings) -> dict:
    return {
        "version": __version__,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "base_iri": settings.base_iri,
        "triples": triples,
        "stage_seconds": {k: round(v, 4) for k, v in timer.seconds.items()},
        "documents": [
            {
                "id": r.source.id,
                "title": r.source.title,
                "sha256": r.source.content_hash(),
                "characters": r.characters,
                "triples": len(r.graph),
                "unplaced": [list(u) for u in r.unplaced],
            }
            for r in results
        ],
    }


def _write_reports(build_dir: Path, results: list[DocumentResult]) -> None:
    """Keep each document's SHACL report beside the store, for the validation page and `kg validate`."""
    reports = build_dir / "validation"
    reports.mkdir()
    for result in results:
        result.report.report_graph.serialize(reports / f"{result.source.id}.ttl", format="turtle")


def validate_sources(settings: Settings, progress: Progress | None = None) -> list[ValidationReport]:
    """Parse, extract and validate every source without touching the store."""
    timer = StageTimer()
    say = progress or (lambda _msg: None)
    reports = []
    for source in load_sources(settings.sources_dir, settings.max_source_bytes):
        say(f"{source.id}: validate")
        reports.append(document_graph(source, settings, timer).report)
    return reports


__all__ = ["build", "validate_sources", "BuildResult", "KGError"]
