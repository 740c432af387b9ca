"""A real SPARQL 1.1 store: Virtuoso Open Source, started privately on a free local port.

`kg build --target` loads the graph into it (one named graph per source, Graph Store Protocol), and the
saved queries give the same answers there as on the embedded store; the endpoint also runs against it
(remote_query_url) with its guards in place.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import urllib.parse
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import make_home
from SPARQLWrapper import JSON, SPARQLWrapper

from kg import remote
from kg.config import Settings
from kg.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "virtuoso.sh"
QUERY_TIMEOUT = 30.0  # the comparison is about answers, not speed: let slow queries finish on both

pytestmark = pytest.mark.skipif(
    shutil.which("virtuoso-t") is None,
    reason="virtuoso-t is not installed (Debian package virtuoso-opensource; CI installs it)",
)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - yields the base URL
    folder = tmp_path_factory.mktemp("virtuoso")
    started = subprocess.run([str(SCRIPT), "start", str(folder)], capture_output=True, text=True, timeout=180)
    if started.returncode != 0:
        pytest.fail(f"virtuoso did not start: {started.stderr}")
    http_port = started.stdout.split()[0]
    try:
        yield f"http://127.0.0.1:{http_port}"
    finally:
        subprocess.run([str(SCRIPT), "stop", str(folder)], timeout=60)


@pytest.fixture(scope="module")
def loaded(virtuoso: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A home built by `kg build --target` into Virtuoso's Graph Store endpoint."""
    settings = make_home(tmp_path_factory.mktemp("home"))
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "--home", str(settings.home), "build",
         "--target", f"{virtuoso}/sparql-graph-crud"],
        capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr
    assert "loaded 4 graphs" in done.stdout  # two reports, the ontology, the summaries
    return dataclasses.replace(settings, query_timeout=QUERY_TIMEOUT)


def remote_count(virtuoso: str, graph: str) -> int:
    answer = remote.query(f"{virtuoso}/sparql", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                          accept="application/sparql-results+xml")
    rows = list(ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.XML))
    return int(rows[0]["n"].value)


def test_every_named_graph_is_loaded_whole(virtuoso: str, loaded: Settings) -> None:
    store = open_store(loaded.store_dir)
    local = {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g)) for g in store.named_graphs()}
    assert set(local) == remote.remote_graphs(f"{virtuoso}/sparql", f"{loaded.base_iri}graph/")
    for graph, count in local.items():
        assert remote_count(virtuoso, graph) == count, graph


def rows(client, name: str, params: dict[str, str]) -> Counter:  # noqa: ANN001 - a Flask test client
    response = client.get(f"/queries/{name}", query_string=dict(params, format="json"))
    if response.status_code == 422:  # a speed problem of the query itself, not a difference between stores
        pytest.skip(f"{name}.rq runs longer than {QUERY_TIMEOUT:g} s: the query needs rewriting")
    assert response.status_code == 200, response.get_data(as_text=True)
    document = json.loads(response.get_data())
    if "boolean" in document:
        return Counter([document["boolean"]])
    # Rows as a multiset: Virtuoso orders Chinese strings by its own collation, not by code point,
    # so rows tied on the numeric sort keys may come in another order.
    return Counter(
        tuple(sorted((k, v["type"], v["value"], v.get("datatype"), v.get("xml:lang")) for k, v in b.items()))
        for b in document["results"]["bindings"]
    )


@pytest.fixture(scope="module")
def clients(virtuoso: str, loaded: Settings):  # noqa: ANN201 - (embedded, remote) Flask test clients
    from web import create_app

    embedded = create_app(loaded)
    on_virtuoso = create_app(dataclasses.replace(loaded, remote_query_url=f"{virtuoso}/sparql"))
    yield embedded.test_client(), on_virtuoso.test_client()
    for app in (embedded, on_virtuoso):
        backend = app.extensions.get("kg_sparql_backend")
        if backend:
            backend.close()


SAVED = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
WITH_PARAMETERS = [
    ("boxes", {"source": "haidian-2022"}),
    ("section-sentences", {"section": "haidian-2022/part/1"}),
    ("indicators-missed-2022", {"year": "2024"}),
    ("entity-facts-with-sources", {"name": "上庄镇"}),
    ("entity-facts-with-sources", {"name": "上庄镇", "district": "海淀区"}),
    ("policies-on-sector", {"sector": "医药健康"}),
]


@pytest.mark.parametrize("name", SAVED)
def test_saved_queries_answer_the_same_on_virtuoso(clients, name: str) -> None:  # noqa: ANN001
    embedded, on_virtuoso = clients
    assert rows(on_virtuoso, name, {}) == rows(embedded, name, {})


@pytest.mark.parametrize(("name", "params"), WITH_PARAMETERS)
def test_parameters_bind_the_same_on_virtuoso(clients, name: str, params: dict[str, str]) -> None:  # noqa: ANN001
    embedded, on_virtuoso = clients
    expected = rows(embedded, name, params)
    assert rows(on_virtuoso, name, params) == expected
    assert expected != rows(embedded, name, {})  # the parameter changed the answer


def test_endpoint_in_remote_mode_keeps_its_guards(clients, loaded: Settings) -> None:  # noqa: ANN001
    _, on_virtuoso = clients
    query = "SELECT ?id WHERE { ?r a kg:Report ; dcterms:identifier ?id } ORDER BY ?id"
    response = on_virtuoso.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert response.get_data() == b"id\r\nhaidian-2022\r\nhaidian-2024\r\n"
    update = on_virtuoso.get("/sparql", query_string={"query": "CLEAR ALL"})
    assert update.status_code == 403
    service = on_virtuoso.get("/sparql", query_string={"query": "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }"})
    assert service.status_code == 400
    capped = on_virtuoso.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 20000"},
                             headers={"Accept": "application/sparql-results+json"})
    assert capped.headers["X-KG-Truncated"] == "true"
    assert len(json.loads(capped.get_data())["results"]["bindings"]) == loaded.result_cap
    bad = on_virtuoso.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert bad.status_code == 400


def test_endpoint_served_from_virtuoso_over_http(virtuoso: str, loaded: Settings) -> None:
    """The real server (`kg serve`) with KG_REMOTE_QUERY_URL, queried by SPARQLWrapper."""
    from test_endpoint import free_port, wait_for

    port = free_port()
    env = {**__import__("os").environ, "KG_HOME": str(loaded.home), "KG_REMOTE_QUERY_URL": f"{virtuoso}/sparql"}
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(port)], env=env)
    try:
        wait_for(f"http://127.0.0.1:{port}/sparql", proc)
        client = SPARQLWrapper(f"http://127.0.0.1:{port}/sparql")
        client.setQuery("SELECT (COUNT(DISTINCT ?box) AS ?n) WHERE { ?box a kg:Box }")
        client.setReturnFormat(JSON)
        got = client.query().convert()["results"]["bindings"][0]["n"]["value"]
        store = open_store(loaded.store_dir)
        expected = next(iter(store.query("SELECT (COUNT(DISTINCT ?box) AS ?n) WHERE { ?box a <"
                                         "https://kg.haidian.example/ontology#Box> }")))["n"].value
        assert got == expected
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("size", [50, 1500])
def test_update_protocol_replaces_a_graph_whole(virtuoso: str, size: int) -> None:
    """SPARQL Update fallback: one request when the store takes it, else staged and MOVEd into place."""
    graph = f"https://test.example/graph/update-{size}"

    def data(version: int) -> bytes:
        return "".join(f"<https://test.example/s{i}> <https://test.example/v> \"{version}\" .\n"
                       for i in range(size)).encode()

    for version in (1, 2):  # the second load replaces the first
        remote.update_graph(f"{virtuoso}/sparql", graph, data(version))
        assert remote_count(virtuoso, graph) == size
    answer = remote.query(f"{virtuoso}/sparql", f'ASK {{ GRAPH <{graph}> {{ ?s ?p "1" }} }}',
                          accept="application/sparql-results+xml")
    assert not bool(ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.XML))
    assert remote_count(virtuoso, f"{graph}#staging") == 0
    remote.drop_graph(f"{virtuoso}/sparql", graph, "update")
    assert remote_count(virtuoso, graph) == 0


@pytest.mark.parametrize(("protocol", "path", "size"), [("gsp", "/sparql-graph-crud", 1500), ("update", "/sparql", 50),
                                                    ("update", "/sparql", 1500)])
def test_a_failed_load_leaves_the_remote_graph_as_it_was(virtuoso: str, protocol: str, path: str, size: int) -> None:
    """A load whose data breaks near its end (a truncated download, a bug) is refused, and the graph keeps
    its previous content whole: the PUT is parsed before it replaces, staged batches MOVE only when all went in."""
    graph = f"https://test.example/graph/failed-{protocol}-{size}"
    good = "".join(f"<https://test.example/s{i}> <https://test.example/v> \"1\" .\n" for i in range(size)).encode()
    load = remote.put_graph if protocol == "gsp" else remote.update_graph
    load(f"{virtuoso}{path}", graph, good)
    broken = good.replace(b'"1"', b'"2"') + b"<https://test.example/broken> <not a triple\n"
    with pytest.raises(remote.RemoteError):
        load(f"{virtuoso}{path}", graph, broken)
    assert remote_count(virtuoso, graph) == size
    answer = remote.query(f"{virtuoso}/sparql", f'ASK {{ GRAPH <{graph}> {{ ?s ?p "2" }} }}',
                          accept="application/sparql-results+xml")
    assert not bool(ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.XML))
    remote.drop_graph(f"{virtuoso}/sparql", graph, "update")


def test_stale_graphs_are_removed(virtuoso: str) -> None:
    base = "https://test.example/stale/graph/"
    for name in ("kept", "gone"):
        remote.put_graph(f"{virtuoso}/sparql-graph-crud", base + name, b"<https://test.example/a> "
                         b"<https://test.example/b> <https://test.example/c> .\n")
    dropped = remote.remove_stale_graphs(f"{virtuoso}/sparql-graph-crud", f"{virtuoso}/sparql", {base + "kept"}, base)
    assert dropped == [base + "gone"]
    assert remote.remote_graphs(f"{virtuoso}/sparql", base) == {base + "kept"}


def test_unreachable_store_is_a_clear_error() -> None:
    from test_endpoint import free_port

    url = f"http://127.0.0.1:{free_port()}/sparql"
    with pytest.raises(remote.RemoteError, match="cannot reach"):
        remote.update_graph(url, "https://test.example/g", b"")
    secret = urllib.parse.urlsplit(url)._replace(netloc=f"user:secret@127.0.0.1:{urllib.parse.urlsplit(url).port}")
    with pytest.raises(remote.RemoteError) as caught:
        remote.put_graph(secret.geturl(), "https://test.example/g", b"")
    assert "secret" not in str(caught.value)
