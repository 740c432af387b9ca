"""The benchmark suite behind ``kg bench``: every figure is a median and spread over several runs."""

from __future__ import annotations

import json
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import dir_size_mb, machine, summary, timed

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("/", "/search?q=%E6%B5%B7%E6%B7%80", "/queries", "/validation")


@dataclass(frozen=True)
class Plan:
    build_runs: int = 3
    query_runs: int = 30
    rdflib_runs: int = 5
    query_budget: float = 10.0  # seconds per query and engine
    rdflib_limit: float = 60.0  # a hard limit for one query's runs on rdflib
    web_runs: int = 10
    clients: int = 50
    client_seconds: float = 60.0
    sizes: tuple[int, ...] = (10, 100, 1000)

    @classmethod
    def quick(cls) -> Plan:
        return cls(build_runs=1, query_runs=5, rdflib_runs=2, query_budget=1.5, rdflib_limit=2.0, web_runs=2, clients=4,
                   client_seconds=3.0, sizes=(2,))


def make_home(home: Path, sources: Path | None = None) -> Path:
    """A project home with our reference data and either the real reports or the given sources."""
    shutil.copytree(ROOT / "data", home / "data")
    if sources is not None:
        shutil.rmtree(home / "data" / "sources")
        shutil.copytree(sources, home / "data" / "sources")
    return home


def kg_command(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "kg.cli", "--home", str(home), *args]


def timed_build(home: Path) -> dict:
    """One `kg build` in a child process: wall time, peak memory (largest process), build.json."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(kg_command(home, "build"), check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    info = json.loads((home / "var/store/current/build.json").read_text(encoding="utf-8"))
    return {"wall": wall, "peak_mb": max(peak, before) / 1024, "info": info}


def bench_build(plan: Plan, work: Path) -> dict:
    home = make_home(work / "real")
    runs = [timed_build(home) for _ in range(plan.build_runs)]
    info = runs[-1]["info"]
    chars = sum(d["characters"] for d in info["documents"])
    walls = [r["wall"] for r in runs]
    stages = {s: summary([r["info"]["stage_seconds"][s] for r in runs]) for s in info["stage_seconds"]}
    return {
        "home": str(home), "wall": summary(walls), "peak_mb": summary([r["peak_mb"] for r in runs]),
        "stage_seconds": stages, "stage_peak_mb": stage_memory(home), "triples": info["triples"],
        "characters": chars, "chars_per_s": chars / min(walls), "triples_per_s": info["triples"] / min(walls),
    }


def stage_memory(home: Path) -> dict:
    """Peak RSS of each stage, run in a child process one stage after the other (clear_refs between)."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.stages", str(home)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout)


def saved_queries() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}


# At scale the saved queries' defaults (Haidian's names) match nothing in a synthetic corpus, and a query
# that finds nothing is fast for no merit: each parameter gets the value the corpus uses most.
MOST_USED = " GROUP BY ?v ORDER BY DESC(COUNT(*)) ?v"
SCALE_PARAMETERS = {
    "source": "SELECT ?v WHERE { ?b a kg:Box ; kg:document/dcterms:identifier ?v }" + MOST_USED,
    "name": "SELECT ?v WHERE { ?m kg:mentionOf ?e . ?e rdfs:label ?v }" + MOST_USED,
    "indicatorName": "SELECT ?v WHERE { ?o kg:indicator ?i . ?i rdfs:label ?v }" + MOST_USED,
    "year": "SELECT ?v WHERE { ?o kg:refYear ?v ; kg:valueKind kg:valuekind-target }" + MOST_USED,
    "sector": "SELECT ?v WHERE { ?x kg:addressesSector ?s . ?s skos:prefLabel ?v FILTER(LANG(?v) = 'zh') }" + MOST_USED,
    "town": "SELECT ?v WHERE { ?p a kg:Project ; kg:locatedIn/kg:locatedIn* ?t . ?t a kg:AdministrativeArea ; "
            "rdfs:label ?v }" + MOST_USED,
    "district": "SELECT ?v WHERE { ?r kg:district ?d . ?d rdfs:label ?v }" + MOST_USED,
    "section": "SELECT ?v WHERE { ?s a kg:Section ; dcterms:isPartOf ?part . ?part dcterms:isPartOf ?r . "
               "?r dcterms:identifier ?id BIND(CONCAT(?id, STRAFTER(STR(?s), STR(?r))) AS ?v) } ORDER BY ?v",
}


def scale_arguments(store: object, names: list[str]) -> dict[str, str]:
    """The value the corpus uses most for each parameter (the first, for a section)."""
    from kg.query import run_query

    found = {}
    for name in names:
        row = next(iter(run_query(store, SCALE_PARAMETERS[name] + " LIMIT 1")), None)
        if row is not None:
            found[name] = row["v"].value
    return found


def query_runs(store: object, at_scale: bool) -> list[tuple[str, object, dict[str, str]]]:
    """Each saved query by name with its arguments: at scale, the corpus's most used values, and a second
    run without the optional parameters (those without a default) to time the query over every value."""
    from web import saved_queries as saved

    runs = []
    for name in saved_queries():
        query = saved.load(ROOT / "queries" / f"{name}.rq")
        arguments = scale_arguments(store, [p.name for p in query.params]) if at_scale else {}
        runs.append((name, query, arguments))
        optional = [p.name for p in query.params if p.default is None and p.name in arguments]
        if optional:
            runs.append((f"{name} (every {', '.join(optional)})", query,
                         {k: v for k, v in arguments.items() if k not in optional}))
    return runs


def bench_queries(plan: Plan, home: Path, with_rdflib: bool = True, at_scale: bool = False) -> dict:
    import pyoxigraph as ox

    from kg.export import PREFIX_MAP
    from kg.query import run_query
    from kg.store import open_store
    from web import saved_queries as saved

    store = open_store(home / "var/store")
    dataset = rdflib_dataset(store) if with_rdflib else None
    results = {}
    for name, query, arguments in query_runs(store, at_scale):
        text = saved.bind(query, arguments)  # as the server binds them

        def on_oxigraph(text: str = text) -> object:
            result = run_query(store, text)
            return result.serialize(format=ox.QueryResultsFormat.JSON) if hasattr(result, "variables") else list(result)

        row = {"oxigraph": summary(timed(on_oxigraph, plan.query_runs, plan.query_budget)), "arguments": arguments,
               "rows": len(list(run_query(store, text)))}
        if dataset is not None:
            def on_rdflib(text: str = text) -> object:
                return dataset.query(text, initNs=PREFIX_MAP).serialize(format="json")

            try:
                with time_limit(plan.rdflib_limit):
                    row["rdflib"] = summary(timed(on_rdflib, plan.rdflib_runs, plan.query_budget))
                row["ratio"] = row["rdflib"]["median"] / row["oxigraph"]["median"]
            except TimeoutError:  # rdflib is pure Python: an alarm interrupts it; the ratio is a lower bound
                row["rdflib"] = {"n": 0, "timeout_s": plan.rdflib_limit}
                row["ratio_at_least"] = plan.rdflib_limit / row["oxigraph"]["median"]
        results[name] = row
    return results


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in this (main) thread after ``seconds``."""
    def expire(_signum: int, _frame: object) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def rdflib_dataset(store: object) -> object:
    """rdflib's in-memory Dataset of the same quads, the union as its default graph."""
    import pyoxigraph as ox
    from rdflib import Dataset

    data = ox.serialize(store.quads_for_pattern(None, None, None, None), format=ox.RdfFormat.N_QUADS)  # type: ignore[attr-defined]
    dataset = Dataset(default_union=True)
    dataset.parse(data=data, format="nquads")
    return dataset


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(kg_command(home, "serve", "--port", str(port)), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(base + "/", timeout=60).read()  # the first page may build caches
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def web_urls(base: str) -> dict[str, str]:
    urls = {page: base + page for page in PAGES}
    for name, text in saved_queries().items():
        urls[f"/sparql {name}"] = base + "/sparql?" + urllib.parse.urlencode({"query": text, "format": "json"})
    return urls


def fetch(url: str, errors: list[str]) -> None:
    """GET a URL; an HTTP error (e.g. 422 for a query over the endpoint's time limit) is counted, not raised."""
    try:
        urllib.request.urlopen(url, timeout=30).read()
    except urllib.error.HTTPError as exc:
        errors.append(f"{exc.code}")


def bench_web(plan: Plan, home: Path, work: Path) -> dict:
    proc, base = start_server(home)
    try:
        urls = web_urls(base)
        sequential = {}
        for label, url in urls.items():
            errors: list[str] = []
            sequential[label] = summary(timed(lambda url=url, errors=errors: fetch(url, errors), plan.web_runs, 5.0))
            sequential[label]["errors"] = len(errors)
        url_file = work / "urls.txt"
        url_file.write_text("\n".join(urls.values()), encoding="utf-8")
        out = subprocess.run([sys.executable, "-m", "benchmarks.load_client", str(url_file), str(plan.clients),
                              str(plan.client_seconds)], check=True, capture_output=True, text=True, cwd=ROOT)
        load = json.loads(out.stdout)
        concurrent = {"clients": plan.clients, "seconds": load["seconds"], "requests": len(load["latencies"]),
                      "errors": load["errors"], "error_examples": load["error_examples"],
                      "latency": summary(load["latencies"])}
        return {"sequential": sequential, "concurrent": concurrent}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def bench_scale(plan: Plan, work: Path) -> dict:
    from kg.synth import generate

    rows = {}
    for n in plan.sizes:
        sources = work / f"synth-{n}-sources"
        generate(n, sources, seed=7)
        home = make_home(work / f"synth-{n}", sources)
        run = timed_build(home)
        store = (home / "var/store/current").resolve()
        queries = bench_queries(Plan(query_runs=5, query_budget=2.0), home, with_rdflib=False, at_scale=True)
        medians = [q["oxigraph"]["median"] for q in queries.values()]
        pages = bench_busiest_pages(home, plan.web_runs, slow_query_pages(queries))
        rows[str(n)] = {"reports": n, "build_s": run["wall"], "peak_mb": run["peak_mb"],
                        "triples": run["info"]["triples"], "store_mb": dir_size_mb(store),
                        "stage_seconds": run["info"]["stage_seconds"],
                        "query_median_max_ms": 1000 * max(medians, default=0),
                        "queries": {k: q["oxigraph"] | {"rows": q["rows"], "arguments": q["arguments"]}
                                    for k, q in queries.items()}, "pages": pages}
        shutil.rmtree(sources)
    return rows


BUSIEST_ENTITY = """
SELECT ?entity ?label WHERE {
  { SELECT ?entity (COUNT(*) AS ?mentions) WHERE { ?m kg:mentionOf ?entity } GROUP BY ?entity
    ORDER BY DESC(?mentions) LIMIT 1 }
  ?entity rdfs:label ?label .
} LIMIT 1"""


def busiest_entity(home: Path) -> tuple[str, str, str]:
    """The entity with the most mentions (the heaviest entity page), its label (a search term), and a
    project (the other end of a shortest path)."""
    from kg.query import run_query
    from kg.store import open_store

    store = open_store(home / "var/store")
    row = next(iter(run_query(store, BUSIEST_ENTITY)))
    project = next(iter(run_query(store, "SELECT ?p WHERE { ?p a kg:Project } LIMIT 1")))["p"].value
    return row["entity"].value, row["label"].value, project


def server_ms(url: str) -> float:
    """The app's own time for one request as a browser makes it, from its Server-Timing header
    (web/timing.py). Without ``Accept: text/html`` an entity IRI answers with its RDF description."""
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        header = response.headers.get("Server-Timing", "")
    return float(header.split("dur=")[1]) if "dur=" in header else float("nan")


def slow_query_pages(queries: dict, over: float = 0.2) -> dict[str, str]:
    """The saved-query page (path and arguments) of each run whose engine median was over ``over`` seconds."""
    return {f"query page: {name}": f"/queries/{name.split(' (')[0]}?" + urllib.parse.urlencode(q["arguments"])
            for name, q in queries.items() if q["oxigraph"]["median"] > over}


def first_answer(url: str, patience: float = 300.0) -> float:
    """Seconds to the first answer of a page: its server time, or, when it is over the time limit (422)
    until the server's warm-up has kept its answer, the wall time from the first request to the answer."""
    started, refused = time.perf_counter(), False
    while True:
        try:
            ms = server_ms(url)
        except urllib.error.HTTPError as exc:
            if exc.code != 422 or time.perf_counter() - started > patience:
                raise
            refused = True
            time.sleep(0.5)
            continue
        return time.perf_counter() - started if refused else ms / 1000


def bench_busiest_pages(home: Path, runs: int, query_pages: dict[str, str] | None = None) -> dict:
    """Server time of the busiest entity's page, of a search for its label, of a shortest path from it to
    a project (the first path request waits for the path graph unless the warm-up loaded it: timed on its
    own), and of the saved-query pages
    given (the first request computes the answer unless the warm-up did; later ones read it back)."""
    entity, label, project = busiest_entity(home)
    proc, base = start_server(home)
    try:
        path = urllib.parse.urlparse(entity).path
        urls = {"entity page": base + path, "search": base + "/search?" + urllib.parse.urlencode({"q": label}),
                "path": base + "/api/graph/path?" + urllib.parse.urlencode({"from": entity, "to": project})}
        # The server's warm-up reads the search index and computes the home page's statistics in the
        # background; the first search and the home page wait for them, so no page below shares the 2 cores
        # with that work.
        for url in (urls["search"], base + "/", urls["entity page"]):
            server_ms(url)
        first = {"path graph load (first path request)": server_ms(urls["path"]) / 1000}
        for name, page in (query_pages or {}).items():
            urls[name] = base + page
            first[f"{name} (first request)"] = first_answer(urls[name])
        timings = {label_: summary([server_ms(url) / 1000 for _ in range(runs)]) | {"url": url[len(base):]}
                   for label_, url in urls.items()}
        return timings | first
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run(quick: bool = False, sizes: tuple[int, ...] | None = None, json_path: Path | None = None,
        say: object = print) -> dict:
    plan = Plan.quick() if quick else Plan()
    if sizes is not None:
        plan = Plan(**{**plan.__dict__, "sizes": sizes})
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = Path(tmp)
        report: dict = {"machine": machine(), "quick": quick, "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
        say("build of the two reports …")  # type: ignore[operator]
        report["build"] = build = bench_build(plan, work)
        home = Path(build.pop("home"))
        say("saved queries: oxigraph and rdflib …")  # type: ignore[operator]
        report["queries"] = bench_queries(plan, home)
        say("web and endpoint …")  # type: ignore[operator]
        report["web"] = bench_web(plan, home, work)
        say(f"synthetic corpus at {', '.join(map(str, plan.sizes))} reports …")  # type: ignore[operator]
        report["scale"] = bench_scale(plan, work)
    if json_path is not None:
        json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return report
