"""The SPARQL endpoint, linked data and saved queries, against the real server (`kg serve`, waitress)
on a free local port, over a store built from the real sources; queried with SPARQLWrapper and
rdflib's SPARQLStore and compared with `kg query` on the same store."""

from __future__ import annotations

import io
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from kg.build import BuildResult
from kg.config import Settings
from kg.export import PREFIX_MAP
from kg.store import StoreLayout

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
TIMEOUT, CAP = 2.0, 500
REPORTS = ("SELECT ?doc ?id ?title WHERE { ?doc a kg:Report ; dcterms:identifier ?id ; dcterms:title ?title } "
           "ORDER BY ?id")
BOXES = ("SELECT ?box ?label ?n WHERE { ?box a kg:Box ; rdfs:label ?label ; kg:document ?d . "
         "OPTIONAL { ?box kg:number ?n } } ORDER BY ?box")
CONSTRUCT = ("CONSTRUCT { ?box rdfs:label ?label ; kg:document ?d } "
             "WHERE { ?box a kg:Box ; rdfs:label ?label ; kg:document ?d }")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def server_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = dict(os.environ, KG_HOME=str(settings.home), KG_QUERY_TIMEOUT=str(TIMEOUT), KG_RESULT_CAP=str(CAP))
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def home(built_home: tuple[Settings, BuildResult]) -> Settings:
    return built_home[0]


@pytest.fixture(scope="module")
def server(home: Settings):  # noqa: ANN201 - yields the base URL
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(port)], env=server_env(home))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/sparql", proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def kg_query(home: Settings, sparql: str, fmt: str) -> bytes:
    return subprocess.run([sys.executable, "-m", "kg.cli", "query", "--format", fmt, sparql], env=server_env(home),
                          check=True, capture_output=True).stdout


def http(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (case-insensitive: waitress writes X-Kg-Truncated) and body."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def get(server: str, path: str, accept: str | None = None, **params: str) -> tuple[int, Message, bytes]:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    return http(f"{server}{path}{query}", headers={"Accept": accept} if accept else {})


def bindings(document: dict) -> list[dict]:
    return [{k: (v["type"], v["value"], v.get("datatype"), v.get("xml:lang")) for k, v in row.items()}
            for row in document["results"]["bindings"]]


# --- results in every format, by real clients ----------------------------------------------------

def wrapper(server: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_json_matches_kg_query(server: str, home: Settings, method: str) -> None:
    got = wrapper(server, REPORTS, JSON, method).query().convert()
    assert bindings(got) == bindings(json.loads(kg_query(home, REPORTS, "json")))
    assert [b["id"][1] for b in bindings(got)] == ["haidian-2022", "haidian-2024"]


@pytest.mark.parametrize(("fmt", "cli"), [(CSV, "csv"), (TSV, "tsv"), (XML, "xml")])
def test_select_csv_tsv_xml_are_byte_identical_to_kg_query(server: str, home: Settings, fmt: str, cli: str) -> None:
    response = wrapper(server, BOXES, fmt).query()
    body = response.response.read()
    assert body == kg_query(home, BOXES, cli)
    expected = {"csv": "text/csv", "tsv": "text/tab-separated-values", "xml": "application/sparql-results+xml"}[cli]
    assert response.response.headers["Content-Type"].startswith(expected)


def test_ask(server: str) -> None:
    assert wrapper(server, "ASK { ?r a kg:Report }", JSON).query().convert()["boolean"] is True
    assert wrapper(server, "ASK { ?r a kg:NoSuchClass }", JSON).query().convert()["boolean"] is False
    document = wrapper(server, "ASK { ?r a kg:Report }", XML).query().convert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize(("fmt", "rdflib_format", "media"), [
    (TURTLE, "turtle", "text/turtle"), (N3, "turtle", "text/turtle"), (RDFXML, "xml", "application/rdf+xml"),
    (JSONLD, "json-ld", "application/ld+json"),
])
def test_construct_in_every_graph_format(server: str, home: Settings, fmt: str, rdflib_format: str,
                                         media: str) -> None:
    response = wrapper(server, CONSTRUCT, fmt).query()
    assert response.response.headers["Content-Type"].startswith(media)
    got = Graph().parse(data=response.response.read(), format=rdflib_format)
    expected = Graph().parse(data=kg_query(home, CONSTRUCT, "ttl"), format="turtle")
    assert len(got) == len(expected) > 0
    assert isomorphic(got, expected)


def test_ntriples_and_describe(server: str, home: Settings) -> None:
    status, headers, body = get(server, "/sparql", "application/n-triples", query=CONSTRUCT)
    assert status == 200 and headers["Content-Type"] == "application/n-triples"
    assert isomorphic(Graph().parse(data=body, format="nt"), Graph().parse(data=kg_query(home, CONSTRUCT, "nt"),
                                                                            format="nt"))
    describe = f"DESCRIBE <{home.base_iri}id/doc/haidian-2024>"
    status, _, body = get(server, "/sparql", "text/turtle", query=describe)
    assert status == 200 and "dcterms:identifier" in body.decode()


@pytest.mark.parametrize("return_format", ["xml", "json", "csv"])
def test_rdflib_sparqlstore(server: str, home: Settings, return_format: str) -> None:
    store = SPARQLStore(f"{server}/sparql", returnFormat=return_format)
    graph = Graph(store=store)
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIX_MAP.items())
    rows = [tuple(str(v) for v in row) for row in graph.query(prefixes + REPORTS)]
    expected = json.loads(kg_query(home, REPORTS, "json"))
    assert rows == [tuple(b[k][1] for k in ("doc", "id", "title")) for b in bindings(expected)]


def test_rdflib_sparqlstore_construct(server: str, home: Settings) -> None:
    graph = Graph(store=SPARQLStore(f"{server}/sparql", returnFormat="xml"))
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIX_MAP.items())
    got = graph.query(prefixes + CONSTRUCT).graph
    assert isomorphic(got, Graph().parse(data=kg_query(home, CONSTRUCT, "ttl"), format="turtle"))


# --- the protocol --------------------------------------------------------------------------------

def test_get_post_form_and_post_direct_agree(server: str) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    _, _, by_get = get(server, "/sparql", accept["Accept"], query=REPORTS)
    _, _, by_form = http(f"{server}/sparql", data=urllib.parse.urlencode({"query": REPORTS}).encode(),
                         headers=accept | {"Content-Type": "application/x-www-form-urlencoded"})
    _, _, direct = http(f"{server}/sparql", data=REPORTS.encode(),
                        headers=accept | {"Content-Type": "application/sparql-query"})
    assert by_get == by_form == direct


def test_dataset_from_protocol_parameters(server: str, home: Settings) -> None:
    graph = f"{home.base_iri}graph/haidian-2022"
    status, _, body = get(server, "/sparql", "application/sparql-results+json", query=REPORTS,
                          **{"default-graph-uri": graph})
    assert status == 200
    assert [b["id"][1] for b in bindings(json.loads(body))] == ["haidian-2022"]
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a kg:Report } }"
    _, _, body = get(server, "/sparql", "application/sparql-results+json", query=named, **{"named-graph-uri": graph})
    assert [b["g"][1] for b in bindings(json.loads(body))] == [graph]
    status, _, _ = get(server, "/sparql", None, query=REPORTS, **{"default-graph-uri": "not an iri"})
    assert status == 400


def test_accept_and_format_parameter(server: str) -> None:
    status, headers, body = get(server, "/sparql", "text/csv", query=REPORTS)
    assert headers["Content-Type"].startswith("text/csv") and headers["Vary"] == "Accept"
    _, headers, _ = get(server, "/sparql", "text/csv", query=REPORTS, format="tsv")  # format= wins
    assert headers["Content-Type"].startswith("text/tab-separated-values")
    _, headers, _ = get(server, "/sparql", None, query=REPORTS)  # no Accept: JSON
    assert headers["Content-Type"] == "application/sparql-results+json"
    _, headers, _ = get(server, "/sparql", None, query=CONSTRUCT)  # no Accept: Turtle
    assert headers["Content-Type"].startswith("text/turtle")
    assert get(server, "/sparql", None, query=REPORTS, format="pdf")[0] == 406


def test_cors(server: str) -> None:
    _, headers, _ = get(server, "/sparql", None, query="ASK {}")
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = http(f"{server}/sparql", method="OPTIONS", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_service_description(server: str, home: Settings) -> None:
    status, headers, body = get(server, "/sparql", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=body, format="turtle")
    service = next(graph.subjects(predicate=None, object=SD.Service))
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    names = {str(o) for o in graph.objects(None, SD.name)}
    assert f"{home.base_iri}graph/haidian-2024" in names
    assert len(set(graph.objects(service, SD.resultFormat))) == 8


def test_void(server: str, home: Settings) -> None:
    status, _, body = get(server, "/.well-known/void", "text/turtle")
    assert status == 200
    graph = Graph().parse(data=body, format="turtle")
    dataset = next(graph.subjects(VOID.sparqlEndpoint, None))
    triples = int(next(graph.objects(dataset, VOID.triples)))
    expected = json.loads(kg_query(home, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                                         "WHERE { ?s ?p ?o } }", "json"))
    assert triples == int(expected["results"]["bindings"][0]["n"]["value"])
    assert int(next(graph.objects(dataset, VOID.entities))) > 100
    dumps = {str(o) for o in graph.objects(dataset, VOID.dataDump)}
    assert f"{server}/downloads/kg.ttl" in dumps and f"{server}/downloads/kg.nt" in dumps
    assert len(list(graph.objects(dataset, VOID.subset))) == 2
    _, headers, body = get(server, "/.well-known/void", "application/ld+json")
    assert headers["Content-Type"] == "application/ld+json" and json.loads(body)


# --- hostile input -------------------------------------------------------------------------------

@pytest.mark.parametrize("update", [
    "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
    "PREFIX x: <http://x/>\ndelete where { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "DROP ALL",
    "CLEAR DEFAULT",
])
def test_updates_are_refused(server: str, update: str) -> None:
    assert get(server, "/sparql", None, query=update)[0] == 403
    status, _, body = http(f"{server}/sparql", data=update.encode(),
                           headers={"Content-Type": "application/sparql-update"})
    assert status == 403 and b"read-only" in body
    status, _, _ = http(f"{server}/sparql", data=urllib.parse.urlencode({"update": update}).encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * { service silent <https://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . SeRvIcE ?endpoint { ?s ?p ?o } VALUES ?endpoint { <http://10.0.0.1/> } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
])
def test_service_is_refused(server: str, query: str) -> None:
    status, _, body = get(server, "/sparql", None, query=query)
    assert status == 400 and b"SERVICE" in body


def test_service_words_in_strings_and_iris_are_fine(server: str) -> None:
    query = 'SELECT * WHERE { ?s ?p "SERVICE" . ?s <http://x/SERVICE> ?o } # SERVICE'
    assert get(server, "/sparql", None, query=query)[0] == 200


def test_malformed_query_gives_the_parser_message_and_position(server: str) -> None:
    status, headers, body = get(server, "/sparql", None, query="SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?o < ) }")
    assert status == 400
    assert headers["X-KG-Error-Line"] == "3" and headers["X-KG-Error-Column"].isdigit()
    assert b"line 3, column" in body and b"malformed query" in body
    assert get(server, "/sparql", None, query="   ")[0] == 400
    assert get(server, "/sparql", None, query="garbage")[0] == 400


def test_runaway_query_is_stopped_and_the_server_stays_up(server: str) -> None:
    started = time.monotonic()
    status, _, body = get(server, "/sparql", None, query=RUNAWAY)
    elapsed = time.monotonic() - started
    assert status == 422 and b"time limit" in body
    assert elapsed < TIMEOUT + 2.0
    for _ in range(3):  # the killed worker is replaced; queries keep working
        assert get(server, "/sparql", None, query="ASK { ?s ?p ?o }")[0] == 200


def test_parallel_runaways_do_not_block_the_endpoint(server: str) -> None:
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        slow = [pool.submit(get, server, "/sparql", None, query=RUNAWAY) for _ in range(3)]
        fast = [pool.submit(get, server, "/sparql", None, query=REPORTS) for _ in range(3)]
        assert {f.result()[0] for f in slow} == {422}
        assert {f.result()[0] for f in fast} == {200}


def test_an_answer_is_kept_per_build_and_saved_query_pages_are_warmed(home: Settings, tmp_path: Path) -> None:
    """With every answer kept (KG_RESULT_CACHE_SECONDS=0): the second run of a query is read back whole,
    marked X-KG-Cached, and the warm-up has already run each saved query's page once."""
    port = free_port()
    env = server_env(home, KG_RESULT_CACHE_SECONDS="0", KG_CACHE=str(tmp_path / "cache"))
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    sparql = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label LIMIT 50"
    try:
        wait_for(f"{base}/sparql", proc)
        status, first_headers, first = get(base, "/sparql", "application/sparql-results+json", query=sparql)
        status2, headers, second = get(base, "/sparql", "application/sparql-results+json", query=sparql)
        assert status == status2 == 200 and first == second and len(bindings(json.loads(second))) == 50
        assert first_headers.get("X-KG-Cached") is None and headers.get("X-KG-Cached") == "true"
        assert headers.get("X-KG-Rows") == "50"
        build = StoreLayout(home.store_dir).current_build()
        kept = tmp_path / "cache" / "results" / build.name
        saved = len(list(home.queries_dir.glob("*.rq")))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(list(kept.glob("*.json"))) < saved + 1:
            time.sleep(0.2)
        assert len(list(kept.glob("*.json"))) == saved + 1  # every saved query's page, and the query above
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_no_worker_outlives_the_server(home: Settings) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(port)], env=server_env(home))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/sparql", proc)
        get(base, "/sparql", None, query="ASK {}")
        workers = _children(proc.pid)
        assert workers
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_result_cap_truncates_and_says_so(server: str) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    status, headers, body = get(server, "/sparql", "application/sparql-results+json", query=query)
    document = json.loads(body)
    assert status == 200 and headers["X-KG-Truncated"] == "true"
    assert len(document["results"]["bindings"]) == CAP and document["truncated"] is True
    _, headers, body = get(server, "/sparql", "text/csv", query=query)
    assert headers["X-KG-Truncated"] == "true" and body.count(b"\r\n") == CAP + 1
    _, headers, body = get(server, "/sparql", "application/sparql-results+xml", query=query)
    assert b"<!-- truncated" in body
    _, headers, body = get(server, "/sparql", "text/turtle", query="CONSTRUCT WHERE { ?s ?p ?o }")
    assert headers["X-KG-Truncated"] == "true" and body.startswith(b"# truncated")
    assert len(Graph().parse(data=body, format="turtle")) == CAP
    _, headers, _ = get(server, "/sparql", "text/csv", query=REPORTS)
    assert "X-KG-Truncated" not in headers


def test_other_refusals(server: str) -> None:
    assert http(f"{server}/sparql", data=b"x", headers={"Content-Type": "text/plain"})[0] == 415
    assert http(f"{server}/sparql", method="PUT", data=b"x")[0] == 405
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_000_001
    assert http(f"{server}/sparql", data=big.encode(), headers={"Content-Type": "application/sparql-query"})[0] == 413
    assert http(f"{server}/sparql?query=ASK%7B%7D&query=ASK%7B%7D")[0] == 400


# --- linked data ---------------------------------------------------------------------------------

def test_entity_iris_dereference_by_content_negotiation(server: str, home: Settings) -> None:
    iri = f"{home.base_iri}id/doc/haidian-2024"
    status, headers, body = get(server, "/id/doc/haidian-2024", "text/turtle")
    assert status == 200 and headers["Vary"] == "Accept" and headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=body, format="turtle")
    assert any(str(s) == iri for s in graph.subjects())
    status, headers, body = get(server, "/id/doc/haidian-2024", "text/html,application/xhtml+xml,*/*;q=0.8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    for media in ("application/n-triples", "application/rdf+xml", "application/ld+json"):
        status, headers, _ = get(server, "/id/doc/haidian-2024", media)
        assert status == 200 and headers["Content-Type"].startswith(media)
    assert get(server, "/id/doc/haidian-2024", None, format="nt")[1]["Content-Type"] == "application/n-triples"
    assert get(server, "/id/place/no-such-thing", "text/turtle")[0] == 404
    assert get(server, "/id/place/no-such-thing", "text/html")[0] == 404


def test_description_carries_hash_iris_and_provenance(server: str, home: Settings) -> None:
    # a sentence: its selectors (#pos, #quote) come with it, so the quote is one request away
    _, _, body = get(server, "/id/doc/haidian-2024/sentence/1", "text/turtle")
    graph = Graph().parse(data=body, format="turtle")
    subjects = {str(s) for s in graph.subjects()}
    assert f"{home.base_iri}id/doc/haidian-2024/sentence/1#quote" in subjects
    # an entity mentioned in the text: its mentions and their quotes come with it
    found = json.loads(kg_query(home, "SELECT ?e WHERE { ?m kg:mentionOf ?e } LIMIT 1", "json"))
    entity = found["results"]["bindings"][0]["e"]["value"]
    _, _, body = get(server, "/" + entity[len(home.base_iri):], "text/turtle")
    graph = Graph().parse(data=body, format="turtle")
    assert any("#quote" in str(s) for s in graph.subjects())


def test_ontology_resolves(server: str) -> None:
    status, headers, body = get(server, "/ontology", "text/turtle")
    assert status == 200 and b"owl:Ontology" in body
    graph = Graph().parse(data=get(server, "/ontology", "application/rdf+xml")[2], format="xml")
    assert len(graph) > 100
    assert get(server, "/ontology.nt", None)[1]["Content-Type"] == "application/n-triples"


# --- saved queries -------------------------------------------------------------------------------

def test_saved_queries_listing(server: str) -> None:
    status, headers, body = get(server, "/queries", "application/json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    found = {q["name"]: q for q in json.loads(body)["queries"]}
    assert {"sources", "boxes", "section-sentences"} <= set(found)
    assert found["boxes"]["title_zh"] == "报告中的专栏" and found["boxes"]["title_en"] == "Boxes of a report"
    assert found["boxes"]["params"][0]["name"] == "source"
    status, headers, body = get(server, "/queries", "text/html")
    assert status == 200 and "报告中的专栏".encode() in body


def test_saved_query_runs_with_validated_parameters(server: str, home: Settings) -> None:
    _, _, body = get(server, "/queries/boxes", "application/sparql-results+json", source="haidian-2022")
    rows = bindings(json.loads(body))
    assert [r["number"][1] for r in rows] == ["1", "2", "3"]
    assert {r["source"][1] for r in rows} == {"haidian-2022"}
    _, _, default = get(server, "/queries/boxes", "application/sparql-results+json")
    assert {r["source"][1] for r in bindings(json.loads(default))} == {"haidian-2024"}
    _, headers, csv_body = get(server, "/queries/sources", "text/csv")
    assert headers["Content-Type"].startswith("text/csv")
    assert csv_body == kg_query(home, str(Path(home.queries_dir) / "sources.rq"), "csv")
    _, _, body = get(server, "/queries/section-sentences", "application/sparql-results+json",
                     section="haidian-2022/part/1")
    assert len(bindings(json.loads(body))) > 5


def test_saved_query_page_shows_its_table_a_page_at_a_time(home: Settings, monkeypatch) -> None:  # noqa: ANN001
    """The HTML table shows PAGE_ROWS rows per page (?page=N, kept within range); the downloads give all."""
    from web import create_app, saved_queries

    monkeypatch.setattr(saved_queries, "PAGE_ROWS", 2)
    app = create_app(home)
    try:
        client, accept = app.test_client(), {"Accept": "text/html"}
        first = client.get("/queries/boxes?source=haidian-2022", headers=accept).get_data(as_text=True)
        second = client.get("/queries/boxes?source=haidian-2022&page=2", headers=accept).get_data(as_text=True)
        beyond = client.get("/queries/boxes?source=haidian-2022&page=99", headers=accept).get_data(as_text=True)
        assert "Rows 1–2 of 3" in first and first.count("<tr>") == 3  # the header row and two rows
        assert "Rows 3–3 of 3" in second and second.count("<tr>") == 2

        def table(html: str) -> str:
            return html.split("<table", 1)[1].split("</table>", 1)[0]

        assert table(beyond) == table(second) and table(first) != table(second)
        assert 'href="?source=haidian-2022&amp;page=2"' in first
        assert 'href="?source=haidian-2022&amp;format=csv"' in first
        csv_rows = client.get("/queries/boxes?source=haidian-2022&page=2", headers={"Accept": "text/csv"})
        assert len(csv_rows.get_data(as_text=True).strip().splitlines()) == 4  # the header and every row
    finally:
        backend = app.extensions.get("kg_sparql_backend")
        if backend:
            backend.close()


@pytest.mark.parametrize(("params", "status"), [
    ({"source": 'x" } ?s ?p ?o { "'}, 200),  # a value is a value: no injection, just no match
    ({"nope": "1"}, 400),
    ({"source": "\x01"}, 400),
    ({"source": "x" * 501}, 400),
])
def test_saved_query_parameters_are_not_text(server: str, params: dict, status: int) -> None:
    got, _, body = get(server, "/queries/boxes", "application/sparql-results+json", **params)
    assert got == status
    if status == 200:
        assert bindings(json.loads(body)) == []


def test_unknown_saved_query_is_404(server: str) -> None:
    assert get(server, "/queries/no-such-query", None)[0] == 404
    assert get(server, "/queries/..%2Fpyproject", None)[0] == 404


# --- the cost of the time limit ------------------------------------------------------------------

def test_worker_overhead_is_small(home: Settings) -> None:
    """A query through a killable worker vs the same query in-process: the pipe round trip only."""
    from kg.store import open_store
    from web.sparql_pool import WorkerPool

    query = "ASK { ?r a kg:Report }"
    pool = WorkerPool(home.store_dir, 1)
    pool.warm()
    job = {"query": query, "table": "json", "graph": "ttl", "cap": CAP, "prefixes": PREFIX_MAP}
    st = open_store(home.store_dir)
    pooled, direct = [], []
    for _ in range(200):
        started = time.perf_counter()
        pool.run(job, 5.0)
        pooled.append(time.perf_counter() - started)
        started = time.perf_counter()
        st.query(query, prefixes=PREFIX_MAP)
        direct.append(time.perf_counter() - started)
    pool.close()
    overhead_ms = (statistics.median(pooled) - statistics.median(direct)) * 1000
    print(f"\nworker round trip: median {statistics.median(pooled) * 1000:.3f} ms, in-process "
          f"{statistics.median(direct) * 1000:.3f} ms, overhead {overhead_ms:.3f} ms", file=sys.stderr)
    assert overhead_ms < 5.0


def test_worker_has_no_network(home: Settings) -> None:
    """Defence in depth: even a SERVICE that got past the text check could reach nothing."""
    from web.sparql_pool import WorkerPool

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    pool = WorkerPool(home.store_dir, 1)
    job = {"query": f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
           "table": "json", "graph": "ttl", "cap": CAP}
    header, _ = pool.run(job, 5.0)
    pool.close()
    listener.settimeout(0.5)
    with pytest.raises(TimeoutError):
        listener.accept()
    listener.close()
    assert header["status"] != 200


def test_csv_is_pandas_ready(server: str) -> None:
    pandas = pytest.importorskip("pandas")
    _, _, body = get(server, "/queries/sources", "text/csv")
    frame = pandas.read_csv(io.BytesIO(body))
    assert list(frame["id"]) == ["haidian-2022", "haidian-2024"]


def test_json_is_what_oxigraph_writes(home: Settings) -> None:
    """Our own JSON writer (needed to cut results) gives Oxigraph's bytes when nothing is cut."""
    from kg.store import open_store
    from web.sparql_formats import serialize_solutions

    st = open_store(home.store_dir)
    result = st.query(BOXES, prefixes=PREFIX_MAP)
    variables = [v.value for v in result.variables]
    ours = serialize_solutions(variables, list(result), "json", False, CAP)
    theirs = st.query(BOXES, prefixes=PREFIX_MAP).serialize(
        format=ox.QueryResultsFormat.JSON)
    assert json.loads(ours) == json.loads(theirs)
