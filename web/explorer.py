"""The graph explorer: its page and the JSON API behind expand-on-click, node details and shortest paths.

Only entities are drawn (not segments, mentions or selectors). A CONSTRUCT typed in the explorer runs on
the SPARQL endpoint, so its time limit and result cap apply; this module only describes the nodes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
from flask import Blueprint, jsonify, render_template, request
from werkzeug.wrappers import Response

from kg.config import ONTOLOGY_NS
from kg.links import LINKS_FILE, read_links
from kg.links import PLUMBING as LINK_PLUMBING
from kg.query import iri_values, run_query
from web.i18n import current_lang
from web.rdfutil import class_key, is_entity, labels, local_path
from web.storeholder import PerBuild, store

# Classes and provenance plumbing (links to and from mentions, sentences and statements) are left out by comparing
# predicates, which Oxigraph does without reading any text; the rest is checked in Python. With isIRI() in
# the query, an entity named in thousands of sentences had every link's text read, and its plumbing
# could fill the LIMIT before its neighbours were reached.
PLUMBING = ", ".join(f"<{p}>" for p in sorted(LINK_PLUMBING))
NEIGHBOURS = f"""
SELECT ?s ?p ?o ?dir WHERE {{
  {{ ?s ?p ?o BIND("out" AS ?dir) }} UNION {{ ?o ?p ?s BIND("in" AS ?dir) }}
  FILTER(?p NOT IN ({PLUMBING}))
}} LIMIT 2000
"""
TYPES = "SELECT ?x ?t WHERE { VALUES ?x { %s } ?x a ?t }"
EDGES = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(?p NOT IN ({PLUMBING})) }}"
MAX_NEIGHBOURS = 60  # per expand: a hub (a district) would otherwise flood the view
MAX_DESCRIBE = 500
# The most specific class wins the colour; the order goes from specific to general.
CLASS_ORDER = [
    "Canteen",
    "School",
    "Facility",
    "SchoolGroup",
    "CollectiveUnit",
    "Organization",
    "AdministrativeArea",
    "Place",
    "Project",
    "Policy",
    "Task",
    "Indicator",
    "StatusRecord",
    "Report",
]


def main_class(types: list[str]) -> str | None:
    ours = {t[len(ONTOLOGY_NS) :]: t for t in types if t.startswith(ONTOLOGY_NS)}
    for name in CLASS_ORDER:
        if name in ours:
            return ours[name]
    return sorted(ours.values())[0] if ours else (sorted(types)[0] if types else None)


def describe(iris: Iterable[str], lang: str) -> list[dict]:
    """Label, page and class of each IRI, for drawing it."""
    wanted = [i for i in dict.fromkeys(iris)][:MAX_DESCRIBE]
    types: dict[str, list[str]] = {i: [] for i in wanted}
    values = iri_values(wanted)
    if values:
        for r in run_query(store(), TYPES % values):
            if isinstance(r["t"], ox.NamedNode):
                types[r["x"].value].append(r["t"].value)
    classes = {i: main_class(t) for i, t in types.items()}
    names = labels(set(wanted) | {c for c in classes.values() if c}, lang)
    return [
        {
            "id": i,
            "label": names.get(i, i),
            "path": local_path(i),
            "group": class_key(classes[i]) if classes[i] else "Thing",
            "groupLabel": names.get(classes[i], "") if classes[i] else "",
        }
        for i in wanted
    ]


def neighbourhood(iri: str, lang: str) -> dict:
    rows = run_query(store(), NEIGHBOURS, substitutions={ox.Variable("s"): ox.NamedNode(iri)})
    edges, seen = [], {iri}
    for r in rows:
        other, prop = r["o"], r["p"].value
        if not isinstance(other, ox.NamedNode) or not is_entity(other.value):
            continue
        if other.value not in seen and len(seen) > MAX_NEIGHBOURS:
            continue
        seen.add(other.value)
        s, o = (iri, other.value) if r["dir"].value == "out" else (other.value, iri)
        edges.append({"from": s, "to": o, "prop": prop})
    return _with_labels(seen, edges, lang)


def _with_labels(nodes: Iterable[str], edges: list[dict], lang: str) -> dict:
    props = labels({e["prop"] for e in edges}, lang)
    for e in edges:
        e["label"] = props.get(e["prop"], e["prop"])
        e["id"] = f"{e['from']} {e['prop']} {e['to']}"
    return {"nodes": describe(nodes, lang), "edges": edges}


class PathGraph:
    """An undirected view of the links between entities, for shortest paths (networkx)."""

    def __init__(self, links: Iterable[tuple[str, str, str]]) -> None:
        self.graph = nx.Graph()
        for s, p, o in links:
            self.graph.add_edge(s, o, prop=p, source=s, target=o)

    @classmethod
    def of_build(cls, build: Path | None, st: ox.Store) -> PathGraph:
        """From the links the build collected; a store built before they were collected is scanned whole
        (147 s at 1,000 synthetic reports, against 3 s from the file)."""
        if build is not None and (build / LINKS_FILE).exists():
            return cls(read_links(build / LINKS_FILE))
        return cls(scanned_links(st))

    def path(self, start: str, end: str) -> list[dict] | None:
        if start not in self.graph or end not in self.graph:
            return None
        try:
            nodes = nx.shortest_path(self.graph, start, end)
        except nx.NetworkXNoPath:
            return None
        edges = []
        for a, b in zip(nodes, nodes[1:], strict=False):
            data = self.graph.edges[a, b]
            edges.append({"from": data["source"], "to": data["target"], "prop": data["prop"]})
        return [{"node": n} for n in nodes] + edges


def scanned_links(st: ox.Store) -> Iterator[tuple[str, str, str]]:
    """Every link between entities, by a scan of the whole store."""
    for r in run_query(st, EDGES):
        if not isinstance(r["o"], ox.NamedNode) or not isinstance(r["s"], ox.NamedNode):
            continue
        s, p, o = r["s"].value, r["p"].value, r["o"].value
        if s != o and is_entity(s) and is_entity(o):
            yield s, p, o


_paths: PerBuild[PathGraph] = PerBuild(lambda build: PathGraph.of_build(build, store()))


def path_graph() -> PathGraph:
    return _paths.get()


bp = Blueprint("explorer", __name__)


@bp.get("/explore")
def explore() -> str:
    start = [i for i in request.args.getlist("iri") if i]
    return render_template("explore.html", start=start, query=request.args.get("query", ""))


@bp.get("/api/graph/node")
def api_node() -> tuple[Response, int] | Response:
    iri = request.args.get("iri", "")
    if not iri:
        return jsonify({"error": "give ?iri="}), 400
    return jsonify(neighbourhood(iri, current_lang()))


@bp.post("/api/graph/describe")
def api_describe() -> tuple[Response, int] | Response:
    """Labels and classes for IRIs the browser already has (e.g. from a CONSTRUCT result)."""
    body = request.get_json(silent=True) or {}
    iris, props = body.get("iris", []), body.get("props", [])
    if not isinstance(iris, list) or not isinstance(props, list):
        return jsonify({"error": "iris and props must be lists"}), 400
    lang = current_lang()
    iris = [i for i in iris if isinstance(i, str)][:MAX_DESCRIBE]
    props = [p for p in props if isinstance(p, str)][:MAX_DESCRIBE]
    return jsonify({"nodes": describe(iris, lang), "props": labels(props, lang)})


@bp.get("/api/graph/path")
def api_path() -> tuple[Response, int] | Response:
    start, end = request.args.get("from", ""), request.args.get("to", "")
    if not start or not end:
        return jsonify({"error": "give ?from= and ?to="}), 400
    found = path_graph().path(start, end)
    if found is None:
        return jsonify({"nodes": [], "edges": [], "found": False})
    nodes = [step["node"] for step in found if "node" in step]
    edges = [step for step in found if "prop" in step]
    return jsonify(_with_labels(nodes, edges, current_lang()) | {"found": True})
