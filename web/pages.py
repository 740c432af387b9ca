"""The SPARQL page (an editor; queries run on /sparql), the validation report and the downloads."""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_file
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, XSD
from werkzeug.wrappers import Response

from kg.errors import StoreError
from kg.export import FORMATS, PREFIX_MAP, export
from kg.store import StoreLayout
from web.i18n import current_lang
from web.rdfutil import labels, local_path
from web.saved_queries import SavedQuery, catalogue
from web.storeholder import store

SH = Namespace("http://www.w3.org/ns/shacl#")
MEDIA_TYPES = {
    "ttl": "text/turtle",
    "trig": "application/trig",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "jsonld": "application/ld+json",
}
FORMAT_NAMES = {"ttl": "Turtle", "trig": "TriG", "nt": "N-Triples", "nq": "N-Quads", "jsonld": "JSON-LD"}

bp = Blueprint("pages", __name__)


def _settings():  # noqa: ANN202 - kg.config.Settings
    return current_app.config["KG_SETTINGS"]


def _build() -> Path | None:
    return StoreLayout(_settings().store_dir).current_build()


# ---------- SPARQL page


def examples(folder: Path) -> list[SavedQuery]:
    """The saved queries, read by the same header parser as /queries (title: 中文 / English)."""
    return list(catalogue(folder).values())


def completions() -> dict:
    """Prefixes and our ontology's terms, for the editor's completion."""
    from kg.query import run_query

    terms = [
        r["t"].value
        for r in run_query(
            store(),
            "SELECT DISTINCT ?t WHERE { ?t a ?k "
            "FILTER(?k IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty)) }",
        )
    ]
    names = [
        f"{prefix}:{t[len(ns) :]}"
        for t in terms
        for prefix, ns in PREFIX_MAP.items()
        if t.startswith(ns) and re.fullmatch(r"[A-Za-z][\w-]*", t[len(ns) :])
    ]
    return {"prefixes": PREFIX_MAP, "terms": sorted(set(names))}


@bp.get("/query")
def sparql_page() -> str:
    return render_template(
        "sparql.html",
        examples=examples(_settings().queries_dir),
        completions=completions(),
        initial=request.args.get("query", ""),
        base=_settings().base_iri,
    )


# ---------- validation page


@dataclass(frozen=True)
class Row:
    focus: str
    focus_href: str | None
    path: str
    message: str
    value: str
    severity: str


def _text(graph: Graph, node: object, prop: URIRef) -> str:
    value = graph.value(node, prop)
    return "" if value is None else str(value)


def read_reports(folder: Path) -> list[dict]:
    """Each source's SHACL report (written by the build) as rows grouped by shape."""
    reports = []
    for path in sorted(folder.glob("*.ttl")) if folder.is_dir() else []:
        graph = Graph().parse(path, format="turtle")
        conforms = all(str(o).lower() == "true" for o in graph.objects(None, SH.conforms))
        groups: dict[str, list[Row]] = defaultdict(list)
        for result in graph.subjects(RDF.type, SH.ValidationResult):
            focus = _text(graph, result, SH.focusNode)
            groups[_text(graph, result, SH.sourceShape) or "—"].append(
                Row(
                    focus,
                    local_path(focus) if focus.startswith(("http://", "https://")) else None,
                    _text(graph, result, SH.resultPath),
                    _text(graph, result, SH.resultMessage),
                    _text(graph, result, SH.value),
                    _text(graph, result, SH.resultSeverity).rsplit("#", 1)[-1],
                )
            )
        shapes = [
            (shape, sorted(rows, key=lambda r: (r.focus, r.path))) for shape, rows in sorted(groups.items())
        ]
        reports.append(
            {
                "source": path.stem,
                "conforms": conforms,
                "count": sum(len(r) for _, r in shapes),
                "shapes": shapes,
            }
        )
    return reports


@bp.get("/validation")
def validation_page() -> str:
    build = _build()
    reports = read_reports(build / "validation") if build else []
    focus = {row.focus for r in reports for _, rows in r["shapes"] for row in rows if row.focus_href}
    return render_template(
        "validation.html",
        reports=reports,
        names=labels(focus, current_lang()),
        build=build.name if build else "",
    )


# ---------- downloads


_export_lock = threading.Lock()


def export_dir(build: Path) -> Path:
    """Dumps of a build live beside it (they are pruned with it), else in the exports folder."""
    return build / "exports"


def dump(build: Path, fmt: str) -> Path:
    """The dump of the current build in one format, written on first request."""
    target = export_dir(build) / f"kg.{fmt}"
    with _export_lock:  # one writer: two requests must not both write the same file
        if not target.exists():
            export(store(), fmt, target)
    return target


def dcat(build: Path | None, root: str) -> Graph:
    """A DCAT description of the dataset, its dumps and the SPARQL endpoint."""
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dcterms", DCTERMS)
    dataset = URIRef(root + "downloads#dataset")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("海淀区政策、项目与地点知识图谱", lang="zh")))
    graph.add(
        (
            dataset,
            DCTERMS.title,
            Literal("Haidian district policies, projects and places knowledge graph", lang="en"),
        )
    )
    graph.add((dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    info = StoreLayout(_settings().store_dir).build_info()
    if info.get("built_at"):
        graph.add((dataset, DCTERMS.modified, Literal(info["built_at"], datatype=XSD.dateTime)))
    for fmt in FORMATS:
        dist = URIRef(f"{root}downloads#{fmt}")
        graph.add((dataset, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, Literal(FORMAT_NAMES[fmt])))
        graph.add((dist, DCAT.downloadURL, URIRef(f"{root}downloads/kg.{fmt}")))
        graph.add(
            (dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[fmt]))
        )
        done = export_dir(build) / f"kg.{fmt}" if build else None
        if done and done.exists():
            graph.add((dist, DCAT.byteSize, Literal(done.stat().st_size, datatype=XSD.nonNegativeInteger)))
    service = URIRef(root + "sparql")
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCAT.endpointURL, service))
    graph.add((service, DCAT.servesDataset, dataset))
    return graph


@bp.get("/downloads")
def downloads_page() -> str:
    build = _build()
    files = []
    for fmt in FORMATS:
        path = export_dir(build) / f"kg.{fmt}" if build else None
        size = path.stat().st_size if path and path.exists() else None
        files.append(
            {
                "fmt": fmt,
                "name": FORMAT_NAMES[fmt],
                "file": f"kg.{fmt}",
                "size": size,
                "media": MEDIA_TYPES[fmt],
            }
        )
    description = dcat(build, request.url_root).serialize(format="turtle")
    return render_template("downloads.html", files=files, dcat=description)


@bp.get("/downloads/<name>")
def download(name: str) -> Response:
    build = _build()
    if name == "dcat.ttl":
        body = dcat(build, request.url_root).serialize(format="turtle")
        return Response(body, mimetype="text/turtle")
    fmt = name.removeprefix("kg.")
    if build is None or not name.startswith("kg.") or fmt not in FORMATS:
        abort(404)
    return send_file(dump(build, fmt), mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=name)


# ---------- errors (HTML only for browsers; API and RDF clients keep the plain responses)


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "text/turtle"])
    return best == "text/html" and not request.path.startswith(("/api/", "/sparql"))


@bp.app_errorhandler(404)
def not_found(error: Exception) -> tuple[str, int] | Exception:
    if not _wants_html():
        return error
    from web.i18n import translate

    return render_template("error.html", title=translate("not_found"), text=translate("not_found_text")), 404


@bp.app_errorhandler(StoreError)
def no_store(error: StoreError) -> tuple[str, int]:
    from web.i18n import translate

    return render_template("error.html", title="503", text=translate("no_store")), 503
