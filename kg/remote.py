"""A remote SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB, Neptune …): load the graph into it, query it.

Loading goes one named graph at a time (one per source document, plus the ontology and the summaries),
each replaced in one request so that readers of the remote store never see half a document:

- ``gsp``: the SPARQL 1.1 Graph Store HTTP Protocol, ``PUT TARGET?graph=G`` with N-Triples (a PUT
  replaces the graph). Virtuoso: ``/sparql-graph-crud``; Fuseki: ``/DATASET/data``; GraphDB:
  ``/repositories/REPO/rdf-graphs/service``.
- ``update``: SPARQL 1.1 Update, ``DROP SILENT GRAPH <G> ; INSERT DATA { GRAPH <G> { … } }`` in one
  request (executed as one transaction by the stores above). Virtuoso: ``/sparql``; Fuseki:
  ``/DATASET/update``; GraphDB: ``/repositories/REPO/statements``; Neptune: ``/sparql``.

Credentials go in the URL (``http://user:password@host/…``): sent with HTTP Basic or Digest,
whichever the server asks for.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import KGError

PROTOCOLS = ("auto", "gsp", "update")
LOAD_TIMEOUT = 600.0  # seconds per graph: a large document on a slow store


class RemoteError(KGError):
    """The remote store refused a request or could not be reached."""


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def _split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    parts = urllib.parse.urlsplit(url)
    if not parts.username:
        return url, None
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    clean = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    user, password = urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")
    return clean, (user, password)


def redact(url: str) -> str:
    """The URL without its credentials, for messages."""
    return _split_credentials(url)[0]


def _opener(url: str, credentials: tuple[str, str] | None) -> urllib.request.OpenerDirector:
    if credentials is None:
        return urllib.request.build_opener()
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, url, *credentials)
    return urllib.request.build_opener(
        urllib.request.HTTPBasicAuthHandler(manager), urllib.request.HTTPDigestAuthHandler(manager)
    )


def request(url: str, *, method: str = "GET", data: bytes | None = None, headers: dict[str, str] | None = None,
            params: list[tuple[str, str]] | None = None, timeout: float = 30.0) -> Answer:
    """One HTTP request; any status is returned (not raised); unreachable → RemoteError."""
    clean, credentials = _split_credentials(url)
    if params:
        clean += ("&" if "?" in clean else "?") + urllib.parse.urlencode(params)
    req = urllib.request.Request(clean, data=data, method=method, headers=headers or {})
    try:
        with _opener(clean, credentials).open(req, timeout=timeout) as response:
            return Answer(response.status, response.headers.get("Content-Type", ""), response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.headers.get("Content-Type", "") if exc.headers else "", exc.read())
    except (urllib.error.URLError, OSError) as exc:  # refused, unreachable, timed out
        raise RemoteError(f"cannot reach the remote store: {getattr(exc, 'reason', exc)}", path=clean) from exc


# --- loading -------------------------------------------------------------------------------------

def choose_protocol(target: str, protocol: str = "auto") -> str:
    """``auto``: the Graph Store Protocol when the URL looks like a graph store endpoint, else Update."""
    if protocol not in PROTOCOLS:
        raise KGError(f"unknown load protocol {protocol!r} (one of {', '.join(PROTOCOLS)})")
    if protocol != "auto":
        return protocol
    path = urllib.parse.urlsplit(target).path.lower()
    return "gsp" if any(hint in path for hint in ("graph", "rdf-graphs", "/data")) else "update"


def graph_ntriples(store: ox.Store, graph: ox.NamedNode) -> bytes:
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def staging_graph(graph: str) -> str:
    """Where a graph is loaded before it replaces the graph itself."""
    return f"{graph}#staging"


def put_graph(target: str, graph: str, ntriples: bytes, timeout: float = LOAD_TIMEOUT) -> None:
    """Replace one graph by Graph Store Protocol PUTs: first into a staging graph, then into the graph.

    Virtuoso's PUT is not atomic: data that breaks near its end leaves the graph holding the new triples
    read so far (tests/test_virtuoso.py found it). Data the store has taken whole once is taken whole again,
    so the graph itself only ever receives a body the store has already accepted."""
    staging = staging_graph(graph)
    for name in (staging, graph):
        answer = request(target, method="PUT", data=ntriples, params=[("graph", name)], timeout=timeout,
                         headers={"Content-Type": "application/n-triples"})
        _expect_success(answer, f"PUT of graph <{name}>", target)
    drop_graph(target, staging, "gsp", timeout)


def update_graph(target: str, graph: str, ntriples: bytes, timeout: float = LOAD_TIMEOUT) -> None:
    """Replace one graph by SPARQL Update: one request (drop, insert) when the store takes it whole.

    Some stores cap the size of one update (Virtuoso's SPARQL compiler runs out of memory after a
    few thousand triples). Then the graph is staged in batches into a side graph and swapped in by
    one ``MOVE``, which replaces the target in one step (readers of a union default graph may see
    the staged triples twice meanwhile: prefer the Graph Store Protocol where the store has it).
    """
    single = (f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n".encode()
              + ntriples + b"} }\n")
    answer = _update(target, single, timeout)
    if not 200 <= answer.status < 300 and ntriples.count(b"\n") > UPDATE_BATCH:
        _staged_update(target, graph, ntriples, timeout)
        return
    _expect_success(answer, f"update of graph <{graph}>", target)


UPDATE_BATCH = 500  # triples per INSERT DATA when a store refuses a whole graph in one update (Virtuoso: <2000)


def _update(target: str, text: bytes, timeout: float) -> Answer:
    return request(target, method="POST", data=text, timeout=timeout,
                   headers={"Content-Type": "application/sparql-update; charset=utf-8"})


def _staged_update(target: str, graph: str, ntriples: bytes, timeout: float) -> None:
    staging = staging_graph(graph)
    lines = ntriples.splitlines(keepends=True)
    steps = [f"DROP SILENT GRAPH <{staging}>".encode()]
    for start in range(0, len(lines), UPDATE_BATCH):
        chunk = b"".join(lines[start:start + UPDATE_BATCH])
        steps.append(f"INSERT DATA {{ GRAPH <{staging}> {{\n".encode() + chunk + b"} }")
    steps.append(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph}>".encode())
    for step in steps:
        _expect_success(_update(target, step, timeout), f"staged update of graph <{graph}>", target)


def drop_graph(target: str, graph: str, protocol: str, timeout: float = LOAD_TIMEOUT) -> None:
    if protocol == "gsp":
        answer = request(target, method="DELETE", params=[("graph", graph)], timeout=timeout)
        if answer.status == 404:
            return
    else:
        answer = _update(target, f"DROP SILENT GRAPH <{graph}>".encode(), timeout)
    _expect_success(answer, f"drop of graph <{graph}>", target)


def _expect_success(answer: Answer, what: str, target: str) -> None:
    if not 200 <= answer.status < 300:
        detail = answer.body.decode("utf-8", "replace").strip()[:500]
        raise RemoteError(f"{what} failed with HTTP {answer.status}: {detail}", path=redact(target))


def push_store(store: ox.Store, target: str, protocol: str = "auto",
               progress: Callable[[str], None] | None = None) -> list[tuple[str, int]]:
    """Load every named graph of the store into the target, one graph per request.

    Returns (graph IRI, triples) per graph. A graph that fails stops the load with a RemoteError;
    the graphs already sent are complete (each request replaced one graph whole).
    """
    how = choose_protocol(target, protocol)
    send = put_graph if how == "gsp" else update_graph
    loaded = []
    for graph in sorted(store.named_graphs(), key=lambda g: g.value):
        if not isinstance(graph, ox.NamedNode):
            continue
        data = graph_ntriples(store, graph)
        (progress or (lambda _m: None))(f"{how}: <{graph.value}>")
        send(target, graph.value, data)
        loaded.append((graph.value, data.count(b"\n")))
    return loaded


def remove_stale_graphs(target: str, query_url: str, keep: set[str], graph_base: str,
                        protocol: str = "auto") -> list[str]:
    """Drop graphs under our graph base that the local store no longer has (a source was removed)."""
    found = remote_graphs(query_url, graph_base)
    stale = sorted(found - keep)
    for graph in stale:
        drop_graph(target, graph, choose_protocol(target, protocol))
    return stale


def remote_graphs(query_url: str, graph_base: str) -> set[str]:
    text = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{graph_base}")) }}')
    answer = query(query_url, text, accept="application/sparql-results+xml", timeout=60.0)
    _expect_success(answer, "listing the graphs", query_url)
    results = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.XML)
    return {row["g"].value for row in results}  # type: ignore[union-attr]


# --- querying ------------------------------------------------------------------------------------

def query(url: str, text: str, *, accept: str, default_graphs: list[str] | None = None,
          named_graphs: list[str] | None = None, timeout: float = 30.0) -> Answer:
    """A SPARQL 1.1 Protocol query by POST (form-encoded: no URL length limit)."""
    form = [("query", text)]
    form += [("default-graph-uri", g) for g in default_graphs or []]
    form += [("named-graph-uri", g) for g in named_graphs or []]
    return request(url, method="POST", data=urllib.parse.urlencode(form).encode(), timeout=timeout,
                   headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
