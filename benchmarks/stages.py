"""Peak memory and time of each build stage, one stage after another in this process.

Run by ``benchmarks.run`` as a child process (``python -m benchmarks.stages HOME``) so that the peak
readings are this pipeline's alone; prints JSON {stage: {"seconds": s, "peak_mb": mb}}.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib.plugins.serializers.nt import _nt_row

from benchmarks.measure import peak_rss_mb, reset_peak_rss
from kg.config import load_settings
from kg.extract import ExtractionContext, extract
from kg.parse import parse_document
from kg.rdf.document import document_triples
from kg.rdf.iris import Minter
from kg.search_index import write_index
from kg.sources import load_sources
from kg.store import load_graph
from kg.summaries import summaries_graph, summarize
from kg.validate import validate_triples


def main() -> None:
    settings = load_settings(sys.argv[1], env={})
    figures: dict[str, dict[str, float]] = {}

    def stage(name: str, fn):  # noqa: ANN001, ANN202
        reset_peak_rss()
        started = time.perf_counter()
        value = fn()
        entry = figures.setdefault(name, {"seconds": 0.0, "peak_mb": 0.0})
        entry["seconds"] += time.perf_counter() - started
        entry["peak_mb"] = max(entry["peak_mb"], peak_rss_mb())
        return value

    with tempfile.TemporaryDirectory() as tmp:
        store = ox.Store(tmp)
        for source in load_sources(settings.sources_dir):
            parsed = stage("parse", lambda s=source: parse_document(s.id, s.read_text()))
            minter, index = Minter(settings.base_iri), {}
            triples = stage("rdf", lambda s=source, p=parsed, m=minter, i=index: list(document_triples(s, p, m, i)))
            ctx = ExtractionContext(source=source, parsed=parsed, minter=minter, segment_iris=index,
                                    settings=settings)
            triples += stage("extract", lambda c=ctx: extract(c))
            unique = list(dict.fromkeys(triples))
            stage("validate", lambda u=unique, s=source: validate_triples(u, settings.ontology_dir, s.id))
            data = stage("rdf", lambda u=unique: "".join(map(_nt_row, u)).encode("utf-8"))
            graph = str(minter.graph(source.id))
            stage("load", lambda d=data, g=graph: load_graph(store, d, g))
        stage("summarize", lambda: summarize(store, summaries_graph(settings.base_iri), settings.base_iri))
        stage("index", lambda: write_index(store, Path(tmp), Path(tmp) / "cache", settings.base_iri))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
