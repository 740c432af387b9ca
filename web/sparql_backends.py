"""Where the endpoint's queries run: the embedded store (in killable workers) or a remote SPARQL store.

Both take the same job (a dict, see ``web.sparql_worker.execute``) and give the same answer: an
HTTP-ish header dict and a serialized body, already capped and in the negotiated format.
"""

from __future__ import annotations

from typing import Protocol

import pyoxigraph as ox

from kg import remote
from kg.config import Settings
from kg.export import PREFIX_MAP
from kg.store import StoreLayout
from web.result_cache import ResultCache
from web.sparql_formats import capped, content_type, serialize_boolean, serialize_solutions, serialize_triples
from web.sparql_pool import WorkerPool
from web.sparql_text import with_prefixes


class Backend(Protocol):
    def run(self, job: dict, timeout: float) -> tuple[dict, bytes]: ...

    def close(self) -> None: ...


class EmbeddedBackend:
    """Queries on the embedded Oxigraph store, in a pool of worker processes killed on timeout."""

    def __init__(self, settings: Settings) -> None:
        # One worker per server thread at most: a request never waits behind runaway queries for a worker
        # (workers start on demand, so an idle server holds few).
        self.pool = WorkerPool(settings.store_dir, max(2, settings.threads))
        self.cache = ResultCache(settings.cache_dir / "results", StoreLayout(settings.store_dir),
                                 min_seconds=settings.result_cache_seconds)

    def run(self, job: dict, timeout: float) -> tuple[dict, bytes]:
        """The answer kept for this build if the job ran before and was slow, else the store's."""
        kept = self.cache.get(job)
        if kept is not None:
            return kept
        header, body = self.pool.run(dict(job, prefixes=PREFIX_MAP), timeout)
        self.cache.put(job, header, body, header.get("seconds", 0.0))
        return header, body

    def close(self) -> None:
        self.pool.close()


# Ask the remote store for formats Oxigraph parses, then serialize exactly as the embedded path does.
REMOTE_ACCEPT = ("application/sparql-results+xml, application/n-triples;q=0.9, text/turtle;q=0.8, "
                 "application/rdf+xml;q=0.5")
_REMOTE_TABLES = {"application/sparql-results+xml": ox.QueryResultsFormat.XML,
                  "application/sparql-results+json": ox.QueryResultsFormat.JSON,
                  "text/tab-separated-values": ox.QueryResultsFormat.TSV}
_REMOTE_GRAPHS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
                  "text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML}


class RemoteBackend:
    """Queries forwarded to a remote SPARQL 1.1 endpoint (settings.remote_query_url).

    Our prefixes are prepended where the query does not declare them (saved queries' parameters are
    already bound in the text, as for the embedded store). The time limit is the HTTP timeout: the remote store's own
    limit should be set as well, since a query we stop waiting for may still run there.
    """

    def __init__(self, url: str) -> None:
        self.url = url

    def run(self, job: dict, timeout: float) -> tuple[dict, bytes]:
        try:
            answer = remote.query(self.url, with_prefixes(job["query"], PREFIX_MAP), accept=REMOTE_ACCEPT,
                                  timeout=timeout, default_graphs=job.get("default_graphs"),
                                  named_graphs=job.get("named_graphs"))
        except remote.RemoteError as exc:
            if "timed out" in str(exc):
                from web.sparql_pool import QueryTimeout

                raise QueryTimeout from exc
            return {"status": 502, "error": str(exc)}, b""
        if answer.status != 200:
            status = 400 if 400 <= answer.status < 500 else 502
            detail = answer.body.decode("utf-8", "replace")[:2000]
            return {"status": status, "error": f"the remote store answered {answer.status}: {detail}"}, b""
        return reserialize(answer, job)

    def close(self) -> None:
        pass


def reserialize(answer: remote.Answer, job: dict) -> tuple[dict, bytes]:
    """The remote answer in the negotiated format, capped like an embedded one."""
    media = answer.content_type.split(";")[0].strip().lower()
    cap = int(job["cap"])
    if media in _REMOTE_TABLES:
        result = ox.parse_query_results(answer.body, format=_REMOTE_TABLES[media])
        fmt = job["table"]
        if isinstance(result, ox.QueryBoolean):
            return _ok("ask", fmt, False, 1, graph=False), serialize_boolean(bool(result), fmt)
        variables = [v.value for v in result.variables]
        rows, truncated = capped(result, cap)
        return _ok("select", fmt, truncated, len(rows), graph=False), serialize_solutions(
            variables, rows, fmt, truncated, cap)
    if media in _REMOTE_GRAPHS:
        triples, truncated = capped((q.triple for q in ox.parse(answer.body, format=_REMOTE_GRAPHS[media])), cap)
        fmt = job["graph"]
        return _ok("graph", fmt, truncated, len(triples), graph=True), serialize_triples(triples, fmt, truncated, cap)
    return {"status": 502, "error": f"the remote store answered in an unexpected format {media!r}"}, b""


def _ok(form: str, fmt: str, truncated: bool, count: int, *, graph: bool) -> dict:
    return {"status": 200, "form": form, "content_type": content_type(fmt, graph=graph),
            "truncated": truncated, "count": count}


def make_backend(settings: Settings) -> Backend:
    url = getattr(settings, "remote_query_url", "")
    return RemoteBackend(url) if url else EmbeddedBackend(settings)
