"""Smoke run of the benchmark suite's parts on a small scale; never asserts a time."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.measure import machine, summary
from benchmarks.run import Plan, bench_queries, bench_scale, bench_web
from benchmarks.table import render
from kg.build import BuildResult
from kg.config import Settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TINY = Plan(build_runs=1, query_runs=1, rdflib_runs=1, query_budget=0.5, rdflib_limit=5.0, web_runs=1,
            clients=2, client_seconds=1.0, sizes=(1,))


def test_the_benchmark_parts_run_and_render(built_home: tuple[Settings, BuildResult], tmp_path: Path) -> None:
    settings, result = built_home
    queries = bench_queries(TINY, settings.home, with_rdflib=False)  # rdflib takes minutes: `kg bench` only
    assert queries and all(q["oxigraph"]["n"] >= 1 for q in queries.values())
    web = bench_web(TINY, settings.home, tmp_path)
    assert web["sequential"]["/"]["n"] == 1 and web["concurrent"]["requests"] >= 1
    scale = bench_scale(TINY, tmp_path)
    assert scale["1"]["triples"] > 0 and scale["1"]["store_mb"] > 0
    walls = summary([1.0])
    build = {"wall": walls, "peak_mb": walls, "stage_seconds": {"parse": walls}, "stage_peak_mb": {},
             "chars_per_s": 1.0, "triples_per_s": 1.0}
    table = render({"machine": machine(), "build": build, "queries": queries, "web": web, "scale": scale})
    assert "saved query" in table and "synthetic reports" in table
