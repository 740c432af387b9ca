"""Load test of the web app: N concurrent clients on 127.0.0.1 mixing entity pages, search, saved queries
and raw SPARQL for a fixed time; reports errors, latency percentiles, throughput and server memory.

    python benchmarks/load.py --home HOME                 # starts `kg --home HOME serve` itself, 50 × 60 s
    python benchmarks/load.py --url http://127.0.0.1:8000 --clients 10 --duration 5

Bounded in every way: the clients stop at the deadline or after --max-requests, each request has a
timeout, the server it started is stopped at the end, and only loopback addresses are accepted.
Exit status 1 if any request failed (a non-2xx status or a network error).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
SPARQL = [
    "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 10",
    "SELECT ?s ?l WHERE { ?s a kg:Canteen ; rdfs:label ?l } LIMIT 50",
    "ASK { ?s a kg:Project }",
    "SELECT ?d ?t WHERE { ?d a kg:Report ; dcterms:title ?t }",
    "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a kg:Organization ; rdfs:label ?l } LIMIT 100",
]
PREFIXES = (
    "PREFIX kg: <https://kg.haidian.example/ontology#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1] * 1000, 1),
            "mean": round(statistics.fmean(ordered) * 1000, 1)}  # fmt: skip


def tree_rss_kib(pid: int) -> tuple[int, int]:
    """RSS of a process, and of it with all its descendants (the SPARQL query workers), in KiB."""

    def rss(p: int) -> int:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def children(p: int) -> list[int]:
        found = []
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):
                found += [int(c) for c in (task / "children").read_text().split()]
        return found

    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss(p)
        todo += children(p)
    return rss(pid), total


class Workload:
    """What the clients ask for, discovered from the running server itself."""

    def __init__(self, url: str) -> None:
        self.url = url
        rows = self._select(
            "SELECT DISTINCT ?s ?l WHERE { ?s rdfs:label ?l FILTER(CONTAINS(STR(?s), '/id/') && lang(?l) = 'zh') } "
            "ORDER BY ?s LIMIT 400"
        )
        self.entities = [urllib.parse.urlparse(r["s"]["value"]).path for r in rows]
        self.terms = sorted({r["l"]["value"][:n] for r in rows for n in (2, 3) if len(r["l"]["value"]) >= n})
        listing = requests.get(f"{url}/queries", params={"format": "json"}, timeout=30).json()
        self.saved = [q["name"] for q in listing["queries"] if not q.get("problems")]
        if not (self.entities and self.terms and self.saved):
            raise SystemExit("the server's store has no entities, labels or saved queries to load-test with")

    def _select(self, query: str) -> list[dict]:
        r = requests.get(f"{self.url}/sparql", params={"query": PREFIXES + query, "format": "json"}, timeout=60)
        r.raise_for_status()
        return r.json()["results"]["bindings"]

    def request(self, rng: random.Random, session: requests.Session, timeout: float) -> tuple[str, requests.Response]:
        kind = rng.choices(["entity", "search", "saved", "sparql"], weights=[4, 3, 2, 1])[0]
        if kind == "entity":
            return kind, session.get(self.url + rng.choice(self.entities), headers={"Accept": "text/html"},
                                     timeout=timeout)  # fmt: skip
        if kind == "search":
            return kind, session.get(f"{self.url}/api/search", params={"q": rng.choice(self.terms)}, timeout=timeout)
        results = {"Accept": "application/sparql-results+json"}
        if kind == "saved":
            path = f"/queries/{rng.choice(self.saved)}"
            return kind, session.get(self.url + path, headers=results, timeout=timeout)
        query = {"query": PREFIXES + rng.choice(SPARQL)}
        return kind, session.get(f"{self.url}/sparql", params=query, headers=results, timeout=timeout)


def client(workload: Workload, stats: Stats, seed: int, deadline: float, budget: list[int], timeout: float) -> None:
    rng = random.Random(seed)
    with requests.Session() as session:
        while time.monotonic() < deadline:
            with stats.lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            started = time.monotonic()
            kind, error = "?", None
            try:
                kind, response = workload.request(rng, session, timeout)
                if not 200 <= response.status_code < 300:
                    error = f"HTTP {response.status_code}: {response.text[:120]!r}"
            except requests.RequestException as exc:
                error = f"{type(exc).__name__}: {exc}"
            stats.record(kind, time.monotonic() - started, error)


def start_server(home: Path, threads: int) -> tuple[subprocess.Popen, str]:
    sys.path.insert(0, str(ROOT))
    from tests.reliability_support import Server  # the same launcher as the tests

    server = Server(home, threads=threads).wait_ready()
    return server.proc, server.url


def run(url: str, clients: int, duration: float, max_requests: int, timeout: float, pid: int | None) -> dict:
    host = urllib.parse.urlparse(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"load tests run on loopback only, not {host}")
    workload = Workload(url)
    for path in workload.entities[:3] + [f"/queries/{q}" for q in workload.saved]:  # warm the caches once
        requests.get(url + path, headers={"Accept": "application/sparql-results+json"}, timeout=60)
    rss_before = tree_rss_kib(pid) if pid else None
    stats, budget = Stats(), [max_requests]
    started = time.monotonic()
    deadline = started + duration
    threads = [
        threading.Thread(target=client, args=(workload, stats, i, deadline, budget, timeout), daemon=True)
        for i in range(clients)
    ]
    samples = []
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline + timeout + 5:
        time.sleep(1)
        if pid:
            samples.append(tree_rss_kib(pid)[1])
    for t in threads:
        t.join(timeout=max(0.0, deadline + timeout + 5 - time.monotonic()))
    elapsed = time.monotonic() - started
    rss_after = tree_rss_kib(pid) if pid else None
    every = [x for values in stats.latencies.values() for x in values]
    return {
        "clients": clients,
        "duration_s": round(elapsed, 1),
        "requests": len(every),
        "errors": len(stats.errors),
        "error_samples": stats.errors[:10],
        "throughput_rps": round(len(every) / elapsed, 1),
        "latency_ms": percentiles(every),
        "latency_ms_by_kind": {k: percentiles(v) | {"n": len(v)} for k, v in sorted(stats.latencies.items())},
        "server_rss_kib": {
            "before": rss_before,
            "after": rss_after,
            "peak_with_workers": max(samples) if samples else None,
        },  # fmt: skip
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--home", type=Path, help="a project home with a built store: start its server")
    where.add_argument("--url", help="a running server on loopback (memory is then not measured)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--threads", type=int, default=8, help="server threads (with --home)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    proc = None
    url = args.url
    if args.home:
        proc, url = start_server(args.home, args.threads)
    try:
        report = run(url, args.clients, args.duration, args.max_requests, args.timeout, proc.pid if proc else None)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
