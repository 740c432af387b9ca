"""The embedded store: Oxigraph on disk; a named graph per source, the ontology's, and the summaries'.

Layout under the configured store directory::

    builds/<build-id>/oxigraph/   a complete store, written once, never changed after
    builds/<build-id>/build.json  what went into it (sources, hashes, counts, stage times)
    current -> builds/<build-id>  a symlink, replaced atomically (rename) when a build succeeds

The default graph holds the merge (set union) of all named graphs, so that a query without GRAPH sees
every source and each triple once.

A build writes a new directory and only then swaps ``current``; a failed or killed build leaves the
previous store as it was. Readers resolve ``current`` when they open the store.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import pyoxigraph as ox

from kg.errors import StoreError

KEEP_BUILDS = 2  # the current build and the one before (a server may still be reading it)
T = TypeVar("T")
_UNSET = object()


@dataclass(frozen=True)
class StoreLayout:
    root: Path

    @property
    def builds(self) -> Path:
        return self.root / "builds"

    @property
    def current(self) -> Path:
        return self.root / "current"

    def current_build(self) -> Path | None:
        if not self.current.is_symlink():
            return None
        target = self.current.resolve()
        return target if (target / "oxigraph").is_dir() else None

    def new_build_dir(self) -> Path:
        self.builds.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        path = self.builds / f"{stamp}-{os.getpid()}-{time.monotonic_ns() % 1_000_000:06d}"
        path.mkdir()
        return path

    def swap_to(self, build_dir: Path) -> None:
        """Point ``current`` at a finished build in one atomic rename, then prune old builds."""
        link = self.root / f".current-{os.getpid()}"
        with suppress(FileNotFoundError):
            link.unlink()
        link.symlink_to(build_dir.relative_to(self.root))
        os.replace(link, self.current)
        _fsync_dir(self.root)
        self.prune()

    def prune(self) -> None:
        """Remove unfinished builds and all finished ones but the newest few, never the current one."""
        current = self.current_build()
        builds = sorted(p for p in self.builds.iterdir() if p.is_dir()) if self.builds.is_dir() else []
        finished = [p for p in builds if (p / "build.json").exists()]
        keep = set(finished[-KEEP_BUILDS:]) | ({current} if current else set())
        for path in builds:
            if path not in keep and (path in finished or _abandoned(path)):
                shutil.rmtree(path, ignore_errors=True)

    def build_info(self) -> dict:
        build = self.current_build()
        if build is None:
            return {}
        return json.loads((build / "build.json").read_text(encoding="utf-8"))


def _abandoned(path: Path) -> bool:
    """An unfinished build whose process is gone (killed or crashed)."""
    try:
        pid = int(path.name.split("-")[1])
    except (IndexError, ValueError):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False  # still running: another build in progress, or this one


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load_graph(store: ox.Store, ntriples: bytes, graph_iri: str) -> None:
    """Into a source's named graph, and into the default graph, which is the merge of all of them.

    Oxigraph's ``use_default_graph_as_union`` repeats a triple once per graph that holds it (a label
    asserted by two reports would count twice); a stored merge gives set semantics, as SPARQL expects.
    """
    graphs = (ox.NamedNode(graph_iri), ox.DefaultGraph())
    with ThreadPoolExecutor(2) as pool:  # Oxigraph loads outside the GIL: the two copies load side by side
        for done in [pool.submit(store.bulk_load, ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=g) for g in graphs]:
            done.result()


def count_triples(store: ox.Store, graph: str | None = None) -> int:
    """Triples in the default graph (the merge) or in one named graph. A SPARQL COUNT: twenty times faster
    than counting ``quads_for_pattern``, which builds a Python object per quad."""
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    solution = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")))
    return int(solution["n"].value)


def open_store(store_root: Path) -> ox.Store:
    """The current store, read-only (many readers, no writer: builds write a new directory)."""
    layout = StoreLayout(store_root)
    build = layout.current_build()
    if build is None:
        raise StoreError("no store has been built yet: run `kg build`", path=str(store_root))
    try:
        return ox.Store.read_only(str(build / "oxigraph"))
    except OSError as exc:
        raise StoreError(f"cannot open the store: {exc}", path=str(build)) from exc


def write_whole(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: a reader beside the writer never sees half of it."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


class PerBuild(Generic[T]):
    """A value derived from the store once per build (the build directory is the key: a build never changes
    once written), under a lock: whoever asks while it is computed waits for it, not for a second run.
    Readers that stay up across builds (the web app, the query workers) reopen or recompute through it."""

    def __init__(self, compute: Callable[[Path | None], T], layout: StoreLayout | None = None) -> None:
        self._compute = compute
        self._layout = layout
        self._lock = threading.Lock()
        self._build: object = _UNSET
        self._value: T | None = None

    def layout(self) -> StoreLayout:
        if self._layout is None:
            raise StoreError("no store layout given")
        return self._layout

    def current(self) -> tuple[T, Path | None]:
        """The value of the current build and that build (a cheap symlink check per call)."""
        build = self.layout().current_build()
        with self._lock:
            if build != self._build:
                self._value = self._compute(build)
                self._build = build
            return self._value, build  # type: ignore[return-value]

    def get(self) -> T:
        return self.current()[0]

    @property
    def held_build(self) -> Path | None:
        """The build the value held was computed for (None before the first)."""
        return None if self._build is _UNSET else self._build  # type: ignore[return-value]
