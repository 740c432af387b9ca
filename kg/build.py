"""The pipeline: sources → parse → extract → RDF → validate → store, one document at a time.

Documents stream through the pipeline: each is parsed, extracted and validated (in parallel worker
processes when there are several documents and cores), then bulk-loaded into the new store at once, so
memory holds a few documents, never the corpus. Once every document is in, the cross-document summaries
are derived in the store (kg.summaries). Nothing touches the live store: the new store is a
fresh directory, and ``current`` is swapped to it in one rename only when every document validated.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.plugins.serializers.nt import _nt_row

from kg import __version__
from kg.config import Settings
from kg.errors import KGError, ParseError, SourceError, ValidationFailed
from kg.extract import ExtractionContext, extract
from kg.extract import warm_up as warm_extractors
from kg.links import LINKS_FILE, append_links, entity_links, graph_links
from kg.parse import parse_document
from kg.rdf.document import Triple, document_triples
from kg.rdf.iris import Minter
from kg.search_index import write_index
from kg.sources import Source, load_sources
from kg.store import StoreLayout, count_triples, load_graph
from kg.summaries import SUMMARIES_GRAPH, summaries_graph, summarize
from kg.validate import ValidationReport, validate_graph, validate_triples

STAGES = ("parse", "extract", "rdf", "validate", "load", "summarize", "index")
ONTOLOGY_GRAPH = "ontology"
log = logging.getLogger(__name__)


@dataclass
class DocumentResult:
    source: Source
    ntriples: bytes  # the document's graph as N-Triples: what the store bulk-loads
    triples: int
    report: ValidationReport
    characters: int
    unplaced: list[tuple[int, int, str]]
    links: list[tuple[str, str, str]]  # between entities, for the explorer's paths (kg.links)
    unregistered: list[str] = field(default_factory=list)  # table units minted outside the register
    stage_seconds: dict[str, float] = field(default_factory=dict)


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
        unique = list(dict.fromkeys(triples))  # a graph is a set: count and load each triple once
    with timer.stage("validate"):
        report = validate_triples(unique, settings.ontology_dir, source.id)
    with timer.stage("rdf"):
        data = "".join(map(_nt_row, unique)).encode("utf-8")
        links = entity_links(unique, settings.base_iri)
    return DocumentResult(source, data, len(unique), report, len(original), parsed.unplaced, links,
                          sorted(ctx.unregistered))


def process_document(source: Source, settings: Settings) -> DocumentResult:
    """One document through parse → extract → RDF → validate, with its own stage times."""
    timer = StageTimer()
    try:
        result = document_graph(source, settings, timer)
    except KGError as exc:  # KGError's keyword arguments do not survive pickling: carry them by hand
        raise _CarriedError(type(exc), exc.message, exc.path, exc.where) from None
    result.stage_seconds = timer.seconds
    return result


class _CarriedError(Exception):
    """A KGError raised in a worker process, rebuilt as itself in the parent."""

    def rebuild(self) -> KGError:
        cls, message, path, where = self.args
        return cls(message, path=path, where=where)


def build_workers(documents: int) -> int:
    """Worker processes for a build: one per core (``KG_BUILD_WORKERS`` overrides), never more than documents."""
    wanted = int(os.environ.get("KG_BUILD_WORKERS", "0")) or os.cpu_count() or 1
    return max(1, min(wanted, documents))


def _exit_with_parent(parent: int) -> None:
    """In a worker: exit when the build process is gone. A killed build (SIGKILL, the OOM killer) cannot
    shut its pool down, and forked workers hold the pool's pipes open, so they would wait for ever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def warm_up(source: Source, settings: Settings) -> None:
    """Load the extractors' dictionaries and tokenizer in this process, before workers fork and share them."""
    ctx = ExtractionContext(source=source, parsed=None, minter=Minter(settings.base_iri),  # type: ignore[arg-type]
                            segment_iris={}, settings=settings)
    warm_extractors(ctx)


def processed_documents(sources: list[Source], settings: Settings, workers: int) -> Iterator[DocumentResult]:
    """Each source's result as soon as it is ready (the store's content does not depend on the order);
    at most 2 × workers documents are in flight at once."""
    try:
        if workers <= 1:
            yield from (process_document(source, settings) for source in sources)
            return
        # fork: workers inherit the compiled shapes and the caches; the window bounds memory. Frozen, the
        # inherited objects are left out of the workers' garbage collections, which would otherwise walk
        # (and so copy, page by page) the parent's whole heap, the tokenizer's 500k words included.
        gc.freeze()
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        try:
            todo, pending = iter(sources), set[Future[DocumentResult]]()
            for source in todo:
                pending.add(pool.submit(process_document, source, settings))
                if len(pending) >= 2 * workers:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    following = next(todo, None)
                    if following is not None:
                        pending.add(pool.submit(process_document, following, settings))
                    yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            gc.unfreeze()
    except _CarriedError as carried:
        raise carried.rebuild() from None


def _turtle_as_ntriples(path: Path) -> bytes:
    try:
        return ox.serialize(ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:  # name the file and the line, like every other bad input
        line = re.search(r"line (\d+)", str(exc))
        raise SourceError(
            f"invalid Turtle: {exc}", path=str(path), where=f"line {line.group(1)}" if line else None
        ) from exc


def ontology_files(ontology_dir: Path) -> list[Path]:
    """Every Turtle file of the ontology directory except the shapes, kg.ttl first."""
    files = sorted(p for p in ontology_dir.glob("*.ttl") if p.name != "shapes.ttl")
    return sorted(files, key=lambda p: p.name != "kg.ttl")


def _stream_into_store(
    build_dir: Path, sources: list[Source], settings: Settings, timer: StageTimer, say: Progress
) -> tuple[list[DocumentResult], int]:
    """Load the ontology, then each document as soon as it has validated; returns results without data."""
    minter = Minter(settings.base_iri)
    store = ox.Store(str(build_dir / "oxigraph"))
    with timer.stage("load"):
        for ttl in ontology_files(settings.ontology_dir):  # kg.ttl and the concept schemes, not the shapes
            load_graph(store, _turtle_as_ntriples(ttl), str(minter.graph(ONTOLOGY_GRAPH)))
    results = []
    links_file = build_dir / LINKS_FILE
    links_file.touch()
    workers = build_workers(len(sources))
    if workers > 1:
        with timer.stage("extract"):
            warm_up(sources[0], settings)
    for result in processed_documents(sources, settings, workers):
        for stage, seconds in result.stage_seconds.items():
            timer.seconds[stage] += seconds
        if not result.report.conforms:
            raise ValidationFailed(
                f"the graph of source {result.source.id!r} does not conform to the shapes; the store was not changed",
                result.report.text(),
            )
        say(f"{result.source.id}: parsed, extracted, validated; loading")
        with timer.stage("load"):
            load_graph(store, result.ntriples, str(minter.graph(result.source.id)))
            append_links(links_file, result.links)
        result.ntriples, result.links = b"", []  # loaded: free them
        results.append(result)
    with timer.stage("summarize"):
        derive_summaries(store, links_file, settings.base_iri)
    with timer.stage("validate"):
        validate_summaries(store, settings)
    with timer.stage("load"):
        store.flush()
        # Each bulk load adds its own files, which every later look-up searches: compacted once here, the
        # store answers 2-4 times faster (saved queries and entity pages at 100 synthetic reports).
        store.optimize()
        count = count_triples(store)  # distinct triples: the default graph is the merge
    with timer.stage("index"):  # saved with the build: a server never builds it, a search never waits
        write_index(store, build_dir, settings.cache_dir / "search", settings.base_iri)
    del store  # closes the database before the directory is published
    order = {source.id: i for i, source in enumerate(sources)}
    return sorted(results, key=lambda r: order[r.source.id]), count


def derive_summaries(store: ox.Store, links_file: Path, base_iri: str) -> None:
    """The cross-document summaries, derived in the store once every document is loaded, and their links
    between entities added to the build's links file like the documents'."""
    summaries = summaries_graph(base_iri)
    summarize(store, summaries, base_iri)
    append_links(links_file, graph_links(store, summaries, base_iri))


def validate_summaries(store: ox.Store, settings: Settings) -> None:
    """The summaries' graph against the shapes, like a document's: a derivation that went wrong fails the
    build before the store is swapped in."""
    summaries = ox.NamedNode(summaries_graph(settings.base_iri))
    graph = Graph().parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=summaries), format="nt")
    report = validate_graph(graph, settings.ontology_dir, SUMMARIES_GRAPH)
    if not report.conforms:
        raise ValidationFailed("the build-time summaries do not conform to the shapes; the store was not changed",
                               report.text())


Progress = Callable[[str], None]


def build(settings: Settings, progress: Progress | None = None) -> BuildResult:
    """Build every source into a new store and swap it in; the old store stays on any failure."""
    say = progress or (lambda _msg: None)
    timer = StageTimer()
    sources = load_sources(settings.sources_dir, settings.max_source_bytes)
    layout = StoreLayout(settings.store_dir)
    build_dir = layout.new_build_dir()
    try:
        results, triples = _stream_into_store(build_dir, sources, settings, timer, say)
        say("store written")
        checkpoint("store-written")
        info = _build_info(results, triples, timer, settings)
        _warn_unregistered(results)
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
                "triples": r.triples,
                "unplaced": [list(u) for u in r.unplaced],
                "unregistered": r.unregistered,
            }
            for r in results
        ],
    }


def _warn_unregistered(results: list[DocumentResult]) -> None:
    """One warning for the whole build (not one per document: 1,376 lines at 1,000 synthetic reports)."""
    units = sorted({u for r in results for u in r.unregistered})
    if units:
        shown = "、".join(units[:10]) + (" …" if len(units) > 10 else "")
        log.warning("%d table unit(s) are not in the organization register and were minted as new "
                    "organizations: %s (build.json lists them per document)", len(units), shown)


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
