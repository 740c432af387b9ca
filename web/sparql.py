"""The SPARQL 1.1 Protocol endpoint (/sparql), its service description, and the VoID description.

Read-only and guarded: updates get 403, SERVICE gets 400 (checked on the text, and the embedded
engine's workers have no network), every query runs under a time limit in a worker process that is
killed when it passes it, and results beyond the cap are cut and marked (``X-KG-Truncated: true``).
"""

from __future__ import annotations

import threading
import urllib.parse
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Flask, Request, Response, current_app, request

from kg.config import Settings
from web.sparql_backends import Backend, make_backend
from web.sparql_formats import UnknownFormat, negotiate
from web.sparql_pool import PoolBusy, QueryTimeout, WorkerDied
from web.sparql_text import error_position, shape, tokens

bp = Blueprint("sparql", __name__)

MAX_QUERY_BYTES = 1_000_000  # a longer query text is refused (413) before it is read
MAX_NESTING = 200  # levels of (), {} and [] in a query
FORMAT_PARAMS = ("format", "output", "results")  # SPARQLWrapper sends all three
TIMEOUT_STATUS = 422  # the request was understood but cannot be completed within our limits (a 4xx: the
# query is at fault, and unlike 408 or 503 clients do not retry it automatically)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-KG-Truncated, X-KG-Rows, Content-Type, Content-Length, Vary",
}


class ProtocolError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class QueryRequest:
    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


# --- the endpoint --------------------------------------------------------------------------------

@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    if request.method == "OPTIONS":
        return preflight()
    try:
        parsed = parse_protocol(request)
    except ProtocolError as exc:
        return error(exc.status, exc.message)
    if parsed.query is None:
        from web.sparql_description import service_description

        return service_description()
    return answer_query(parsed.query, default_graphs=parsed.default_graphs, named_graphs=parsed.named_graphs)


def parse_protocol(req: Request) -> QueryRequest:
    """The query and the dataset of a SPARQL 1.1 Protocol request (GET, POST form, POST direct)."""
    if req.content_length and req.content_length > MAX_QUERY_BYTES:
        raise ProtocolError(413, f"the request body is larger than {MAX_QUERY_BYTES} bytes")
    media = (req.mimetype or "").lower()
    _strict_utf8(req.query_string, "query string")
    if req.method == "POST" and media == "application/x-www-form-urlencoded":  # before the form is parsed
        _strict_utf8(req.get_data(cache=True), "form body")
    if req.method == "POST" and media == "application/sparql-update" or "update" in req.values:
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    if req.method == "GET" or media == "application/x-www-form-urlencoded":
        source = req.args if req.method == "GET" else req.form
        queries = source.getlist("query")
        if len(queries) > 1:
            raise ProtocolError(400, "give the query parameter once")
        query = queries[0] if queries else None
        if query is None and req.method == "POST":
            raise ProtocolError(400, "missing the query parameter")
        graphs = req.values  # graph URIs: in the body for a form POST, in the URL otherwise (both accepted)
    elif media == "application/sparql-query":
        charset = req.mimetype_params.get("charset", "utf-8")
        try:
            query = req.get_data(cache=False).decode(charset)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ProtocolError(400, f"the query is not valid {charset}: {exc}") from exc
        graphs = req.args
    else:
        raise ProtocolError(415, "POST a query as application/sparql-query, or as the query field of "
                                 "application/x-www-form-urlencoded")
    if query is not None and not query.strip():
        raise ProtocolError(400, "the query is empty")
    return QueryRequest(query, _graph_uris(graphs.getlist("default-graph-uri")),
                        _graph_uris(graphs.getlist("named-graph-uri")))


def _graph_uris(values: list[str]) -> list[str]:
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise ProtocolError(400, f"not an IRI: {value!r} ({exc})") from exc
    return values


def answer_query(query: str, *, default_graphs: list[str] | None = None, named_graphs: list[str] | None = None
                 ) -> Response:
    """Check, run and serialize one query by the request's negotiation (shared with saved queries)."""
    settings: Settings = current_app.config["KG_SETTINGS"]
    if len(query.encode("utf-8")) > MAX_QUERY_BYTES:
        return error(413, f"the query is longer than {MAX_QUERY_BYTES} bytes")
    depth = nesting_depth(query)
    if depth > MAX_NESTING:  # the engine's recursive parser overflows its stack (SIGSEGV) long before 3000
        return error(400, f"the query is nested {depth} levels deep; the limit is {MAX_NESTING}")
    found = shape(query)
    if found.is_update:
        return error(403, f"this endpoint is read-only: {found.form} (SPARQL Update) is not accepted")
    if found.uses_service:
        return error(400, "SERVICE (federated query) is not allowed on this endpoint")
    try:
        choice = negotiate(request.headers.get("Accept"), _format_values())
    except UnknownFormat as exc:
        return error(406, str(exc))
    job = {"query": query, "default_graphs": default_graphs or [], "named_graphs": named_graphs or [],
           "table": choice.table, "graph": choice.graph, "cap": settings.result_cap}
    return run_job(job, settings.query_timeout)


def nesting_depth(query: str) -> int:
    """The deepest nesting of (), {} and [] outside strings, IRIs and comments."""
    depth = deepest = 0
    for token in tokens(query):
        if token.kind == "other" and token.text in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif token.kind == "other" and token.text in ")}]":
            depth -= 1
    return deepest


def _strict_utf8(raw: bytes, where: str) -> None:
    """Werkzeug decodes invalid UTF-8 as U+FFFD: a query that is not the client's must be refused."""
    for _name, value in urllib.parse.parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="latin-1"):
        try:
            value.encode("latin-1").decode("utf-8")  # latin-1 round-trips the raw bytes
        except UnicodeDecodeError as exc:
            raise ProtocolError(400, f"the {where} is not valid UTF-8 (byte {exc.start} of a value)") from exc


def _format_values() -> list[str]:
    return [v for name in FORMAT_PARAMS for v in request.values.getlist(name)]


def run_job(job: dict, timeout: float) -> Response:
    try:
        header, body = backend().run(job, timeout)
    except QueryTimeout:
        return error(TIMEOUT_STATUS, f"the query ran longer than the time limit of {timeout:g} s and was "
                                     "stopped; narrow it down or add a LIMIT")
    except PoolBusy:
        return error(503, "all query workers are busy; try again shortly", retry_after=True)
    except WorkerDied as exc:
        return error(500, f"the query worker failed: {exc}")
    if header["status"] != 200:
        return query_error(header["status"], header.get("error", "the query failed"))
    response = Response(body, status=200, content_type=header["content_type"])
    response.headers["Vary"] = "Accept"
    response.headers["X-KG-Rows"] = str(header.get("count", 0))
    if header.get("truncated"):
        response.headers["X-KG-Truncated"] = "true"
    if header.get("cached"):
        response.headers["X-KG-Cached"] = "true"  # kept from an earlier run on this build (web.result_cache)
    return response


def query_error(status: int, message: str) -> Response:
    position = error_position(message) if status == 400 else None
    if position:
        message = f"{message}\n(line {position[0]}, column {position[1]})"
    response = error(status, message)
    if position:
        response.headers["X-KG-Error-Line"], response.headers["X-KG-Error-Column"] = map(str, position)
    return response


def error(status: int, message: str, retry_after: bool = False) -> Response:
    response = Response(message.rstrip() + "\n", status=status, content_type="text/plain; charset=utf-8")
    if retry_after:
        response.headers["Retry-After"] = "1"
    return response


def preflight() -> Response:
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = request.headers.get(
        "Access-Control-Request-Headers", "Accept, Content-Type")
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.after_app_request
def cors(response: Response) -> Response:
    """Read-only CORS for the endpoint, saved queries, linked data and the dataset descriptions."""
    path = request.path
    if path.startswith(("/sparql", "/queries", "/id/", "/ontology", "/.well-known/void")):
        for key, value in CORS_HEADERS.items():
            response.headers.setdefault(key, value)
    return response


# --- the backend, one per app --------------------------------------------------------------------

_backend_lock = threading.Lock()


def backend() -> Backend:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    with _backend_lock:
        if "kg_sparql_backend" not in app.extensions:
            app.extensions["kg_sparql_backend"] = make_backend(app.config["KG_SETTINGS"])
        return app.extensions["kg_sparql_backend"]


@bp.get("/.well-known/void")
def void() -> Response:
    from web.sparql_description import void_description

    return void_description()
