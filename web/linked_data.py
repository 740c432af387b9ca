"""Linked data: every IRI the graph mints dereferences here, at its own path, whatever the base.

``{base}id/REST`` is served at ``/id/REST`` on any host: a browser (Accept prefers text/html) gets
the entity page, an RDF client its concise bounded description in the format it asked for (Accept,
or ``?format=ttl|nt|rdfxml|jsonld|html``). Both are 200 with ``Vary: Accept`` and ``Link`` headers
naming the other representations (one round trip; no 303 to a separate document URL, since the
description is served at the same place for every client).

The description (CBD) is the entity's own triples, following blank nodes and its hash IRIs
(``…#pos``, ``…#quote``), plus the provenance about it: the ``rdf:Statement`` nodes whose subject it
is and the ``kg:Mention`` nodes of it, with their selectors, so a client gets every fact and the
quote it came from in one request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, request

from kg.config import ONTOLOGY_NS, Settings
from web.sparql_formats import GRAPH_TYPES, UnknownFormat, content_type, negotiate, serialize_triples
from web.storeholder import store

bp = Blueprint("linked_data", __name__)

RDF_SUBJECT = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject")
MENTION_OF = ox.NamedNode(ONTOLOGY_NS + "mentionOf")
ONTOLOGY_IRI = ONTOLOGY_NS.rstrip("#")
EXTENSIONS = {"ttl": "ttl", "nt": "nt", "rdf": "rdfxml", "owl": "rdfxml", "jsonld": "jsonld"}


@bp.get("/id/<path:rest>")
def entity(rest: str) -> Response:
    settings: Settings = current_app.config["KG_SETTINGS"]
    iri = f"{settings.base_iri}id/{rest}"
    try:
        html, fmt = _wants()
    except UnknownFormat as exc:
        return _plain(406, str(exc))
    if html:
        from web.entity_page import render_entity_page

        page = render_entity_page(iri)
        if page is None:
            abort(404)
        return _vary(Response(page, content_type="text/html; charset=utf-8"), request.path)
    triples, truncated = describe(store(), iri, settings.result_cap)
    if not triples:
        return _plain(404, f"nothing is known about <{iri}>")
    response = Response(serialize_triples(triples, fmt, truncated, settings.result_cap),
                        content_type=content_type(fmt, graph=True))
    if truncated:
        response.headers["X-KG-Truncated"] = "true"
    return _vary(response, request.path)


def _wants() -> tuple[bool, str]:
    """(browser page?, RDF format) from ?format= or Accept; without either, Turtle."""
    formats = [f.lower() for f in request.args.getlist("format")]
    if formats and formats[0] in ("html", "text/html"):
        return True, "ttl"
    choice = negotiate(request.headers.get("Accept"), formats)
    return choice.html, choice.graph


def _vary(response: Response, path: str) -> Response:
    response.headers["Vary"] = "Accept"
    links = [f'<{path}?format={fmt}>; rel="alternate"; type="{types[0]}"' for fmt, types in GRAPH_TYPES.items()]
    links.append(f'<{path}?format=html>; rel="alternate"; type="text/html"')
    response.headers["Link"] = ", ".join(links)
    return response


def _plain(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


# --- the description -----------------------------------------------------------------------------

def describe(st: ox.Store, iri: str, cap: int) -> tuple[list[ox.Triple], bool]:
    """The entity's CBD plus the statements and mentions about it, distinct triples, at most ``cap``."""
    found: dict[ox.Triple, None] = {}  # ordered set
    subject = ox.NamedNode(iri)
    roots = [subject, *_about(st, subject)]
    for triple in _closure(st, roots):
        found.setdefault(triple)
        if len(found) > cap:
            return list(found)[:cap], True
    return list(found), False


def _about(st: ox.Store, subject: ox.NamedNode) -> Iterator[ox.NamedNode | ox.BlankNode]:
    """Statement nodes (rdf:subject) and mentions (kg:mentionOf) that point at the subject."""
    for predicate in (RDF_SUBJECT, MENTION_OF):
        for quad in st.quads_for_pattern(None, predicate, subject, ox.DefaultGraph()):
            yield quad.subject  # type: ignore[misc]


def _closure(st: ox.Store, roots: list) -> Iterator[ox.Triple]:
    """Triples of each root, following blank nodes and the root's own hash IRIs (``root#…``)."""
    seen = set()
    pending = list(roots)
    while pending:
        node = pending.pop(0)
        if node in seen:
            continue
        seen.add(node)
        prefix = f"{node.value}#" if isinstance(node, ox.NamedNode) else None
        for quad in st.quads_for_pattern(node, None, None, ox.DefaultGraph()):  # the merge of all sources
            yield quad.triple
            obj = quad.object
            if isinstance(obj, ox.BlankNode) or (prefix and isinstance(obj, ox.NamedNode)
                                                 and obj.value.startswith(prefix)):
                pending.append(obj)


# --- the ontology --------------------------------------------------------------------------------

@bp.get("/ontology")
@bp.get("/ontology.<ext>")
def ontology(ext: str | None = None) -> Response:
    """The ontology document (its IRI, and its namespace ``…/ontology#``, both resolve here)."""
    settings: Settings = current_app.config["KG_SETTINGS"]
    try:
        html, fmt = (False, EXTENSIONS[ext]) if ext else _wants()
    except (KeyError, UnknownFormat):
        abort(404)
    if html:
        from web.entity_page import render_entity_page

        page = render_entity_page(ONTOLOGY_IRI)
        if page is not None:
            return _vary(Response(page, content_type="text/html; charset=utf-8"), "/ontology")
    path: Path = settings.ontology_dir / "kg.ttl"
    if fmt == "ttl" and not html:
        body = path.read_bytes()  # as written, with its comments
    else:
        triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
        body = serialize_triples(triples, fmt)
    ctype = "text/plain; charset=utf-8" if html else content_type(fmt, graph=True)
    return _vary(Response(body, content_type=ctype), "/ontology")
