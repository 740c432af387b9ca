"""The source view: a report's text with its structure (parts, sections, boxes, tables), every extracted
mention marked and linked to its entity, and one span highlighted when asked (``?hl=start-end``)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, abort, current_app, render_template, request

from kg.config import ONTOLOGY_NS
from kg.query import run_query
from web.entity_page import anchor
from web.i18n import current_lang
from web.rdfutil import labels, local_path
from web.storeholder import store

KINDS = [
    "TitleBlock",
    "Part",
    "Section",
    "Measure",
    "Box",
    "Annex",
    "Table",
    "TableRow",
    "TableCell",
    "Paragraph",
    "Sentence",
    "Footnote",
]
_IN = ", ".join(f"kg:{k}" for k in KINDS)
SEGMENTS = f"""
SELECT ?doc ?seg ?type ?parent ?order ?label ?number ?text ?start ?end WHERE {{
  ?seg kg:document ?doc ; a ?type ; dcterms:isPartOf ?parent ; kg:order ?order ; oa:hasSelector ?pos .
  ?pos oa:start ?start ; oa:end ?end .
  FILTER(?type IN ({_IN}))
  OPTIONAL {{ ?seg rdfs:label ?label }} OPTIONAL {{ ?seg kg:number ?number }}
  OPTIONAL {{ ?seg kg:text ?text }}
}}
"""
EXACTS = """
SELECT ?doc ?seg ?exact WHERE {
  ?seg kg:document ?doc ; a ?type ; oa:hasSelector ?q . ?q oa:exact ?exact .
  FILTER(?type IN (kg:TableCell, kg:Sentence, kg:Footnote, kg:TitleBlock))
}
"""
MENTIONS = """
SELECT ?doc ?e ?ms ?me WHERE {
  ?m a kg:Mention ; kg:document ?doc ; kg:mentionOf ?e ; oa:hasSelector ?pos .
  ?pos oa:start ?ms ; oa:end ?me .
}
"""
REPORT = """
SELECT ?doc ?title ?exec ?plan WHERE {
  ?doc dcterms:title ?title . OPTIONAL { ?doc kg:executionYear ?exec } OPTIONAL { ?doc kg:planYear ?plan }
} LIMIT 1
"""
HL = re.compile(r"^(\d{1,9})-(\d{1,9})$")


@dataclass
class Piece:
    text: str
    href: str | None = None
    title: str = ""
    highlighted: bool = False


@dataclass
class Segment:
    iri: str
    kind: str
    order: int
    start: int
    end: int
    label: str = ""
    number: str = ""
    text: str = ""
    exact: str = ""
    children: list[Segment] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return anchor(self.iri)


Span = tuple[int, int, str | None]  # original start, end, entity IRI (None: the requested highlight)


def mark(seg: Segment, spans: list[Span], names: dict[str, str]) -> list[Piece]:
    """Cut a leaf's text at its mentions. Offsets are into the original text, so they apply to the
    exact quote; the cleaned text is used when it differs, each mention found in it by its words."""
    base = seg.exact or seg.text
    use_clean = bool(seg.text) and seg.text != base
    text = seg.text if use_clean else base
    out: list[Piece] = []
    at = 0
    wanted = {(s, e) for s, e, entity in spans if entity is None}
    mentioned = {(s, e) for s, e, entity in spans if entity is not None}
    spans = [span for span in spans if span[2] is not None or (span[0], span[1]) not in mentioned]
    for start, end, entity in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        words = base[start - seg.start : end - seg.start]
        pos = text.find(words, at) if use_clean else start - seg.start
        if not words or pos < at or pos + len(words) > len(text):
            continue
        if pos > at:
            out.append(Piece(text[at:pos]))
        href = local_path(entity) if entity else None
        title = names.get(entity, "") if entity else ""
        out.append(Piece(words, href, title, (start, end) in wanted))
        at = pos + len(words)
    if at < len(text):
        out.append(Piece(text[at:]))
    return out


def _tree(doc: str) -> tuple[list[Segment], list[Segment]]:
    sub = {ox.Variable("doc"): ox.NamedNode(doc)}
    nodes: dict[str, Segment] = {}
    parents: dict[str, str] = {}
    for r in run_query(store(), SEGMENTS, substitutions=sub):
        iri = r["seg"].value
        if iri in nodes:
            continue
        nodes[iri] = Segment(
            iri,
            r["type"].value[len(ONTOLOGY_NS) :],
            int(r["order"].value),
            int(r["start"].value),
            int(r["end"].value),
            r["label"].value if r["label"] else "",
            r["number"].value if r["number"] else "",
            r["text"].value if r["text"] else "",
        )
        parents[iri] = r["parent"].value
    for r in run_query(store(), EXACTS, substitutions=sub):
        if r["seg"].value in nodes:
            nodes[r["seg"].value].exact = r["exact"].value
    roots: list[Segment] = []
    for iri, node in nodes.items():
        parent = nodes.get(parents[iri])
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: (n.order, n.start))
    roots.sort(key=lambda n: (n.start, n.order))
    leaves = [n for n in nodes.values() if not n.children]
    return roots, leaves


def _highlight() -> tuple[int, int] | None:
    found = HL.match(request.args.get("hl", ""))
    return (int(found[1]), int(found[2])) if found else None


def render_source(source_id: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z0-9._-]+", source_id):
        return None
    doc = current_app.config["KG_SETTINGS"].base_iri + "id/doc/" + source_id
    sub = {ox.Variable("doc"): ox.NamedNode(doc)}
    report = next(iter(run_query(store(), REPORT, substitutions=sub)), None)
    if report is None:
        return None
    roots, leaves = _tree(doc)
    mentions = [
        (int(r["ms"].value), int(r["me"].value), r["e"].value)
        for r in run_query(store(), MENTIONS, substitutions=sub)
    ]
    names = labels({e for _, _, e in mentions}, current_lang())
    hl = _highlight()
    spans = mentions + ([(hl[0], hl[1], None)] if hl else [])
    by_leaf: dict[str, list[Span]] = defaultdict(list)
    starts = sorted((leaf.start, leaf.end, leaf.iri) for leaf in leaves)
    for span in spans:
        for start, end, iri in starts:  # leaves are few hundred per report: a scan is fine
            if start <= span[0] and span[1] <= end:
                by_leaf[iri].append(span)
                break
    for leaf in leaves:
        leaf.pieces = mark(leaf, by_leaf.get(leaf.iri, []), names)
    return render_template(
        "source.html",
        source_id=source_id,
        doc=doc,
        title=report["title"].value,
        execution_year=report["exec"].value if report["exec"] else "",
        plan_year=report["plan"].value if report["plan"] else "",
        roots=roots,
        mention_count=len(mentions),
    )


bp = Blueprint("source", __name__)


@bp.get("/source/<source_id>")
def source(source_id: str) -> str:
    page = render_source(source_id)
    if page is None:
        abort(404)
    return page
