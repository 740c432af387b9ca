"""Policy boxes: named policy documents with the effects the box reports, and reform areas with
their measures.

Two layouts, told apart by their header:
- ``领域/类别 | …政策… | 工作进展/实施效果``: each row is an area (a row without its first cell
  belongs to the area above); each policy in the policy cell (one per bullet line; the 《…》 title
  when the line has one) is a kg:Policy in that area. Effects go to the policy when the row names
  one policy, else to the area.
- ``主要内容 | 重点举措``: each row is a reform area with its measures (split at ，). When the box
  title names a document (…方案, …计划 …), that document is a kg:Policy covering the areas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.extract import ExtractionContext
from kg.extract.tables import body_rows, cell_value, cells, derived, header, mention, zh
from kg.model import Node
from kg.rdf.document import Triple
from kg.rdf.namespaces import KG

BULLET = re.compile(r"^[Ø·•\s\u00a0]+")
TITLE = re.compile(r"《([^《》]+)》")
DOCUMENT_TITLE = re.compile(r"(方案|计划|规划|措施|意见|办法|细则|政策)$")


def _lines(text: str) -> list[str]:
    return [s for s in (BULLET.sub("", line).strip() for line in text.split("\n")) if s]


def policy_name(line: str) -> str:
    m = TITLE.search(line)
    return m.group(1) if m else line.rstrip("。；;")


def _area(ctx: ExtractionContext, box: Node, name: str, node: Node) -> tuple[URIRef, list[Triple]]:
    area = ctx.minter.entity("concept", "policy-area", ctx.source.id, str(box.ordinal), name)
    return area, [
        (area, RDF.type, KG.ReformArea),
        (area, RDFS.label, zh(name)),
        (area, KG.document, ctx.document),
        derived(ctx, area, node),
    ]


def _policy(ctx: ExtractionContext, name: str, cell: Node) -> tuple[URIRef, list[Triple]]:
    policy = ctx.minter.entity("policy", name)
    triples = [(policy, RDF.type, KG.Policy), (policy, RDFS.label, zh(name)), derived(ctx, policy, cell)]
    triples += mention(ctx, policy, cell, name)
    return policy, triples


def policy_rows(ctx: ExtractionContext, box: Node, table: Node, policy_col: int) -> Iterator[Triple]:
    area: URIRef | None = None
    width = len(header(table))
    for row in body_rows(table):
        row_cells = cells(row)
        if len(row_cells) == width and cell_value(row_cells[0]):  # an empty first cell spans from above
            area, triples = _area(ctx, box, cell_value(row_cells[0]), row_cells[0])
            yield from triples
        offset = width - len(row_cells)  # a short row lacks its leading (spanned) cells
        if area is None or policy_col - offset < 0:
            continue
        policy_cell = row_cells[policy_col - offset]
        effect_cells = row_cells[policy_col - offset + 1:]
        effects = [e for c in effect_cells for e in _lines(cell_value(c))]
        names = list(dict.fromkeys(policy_name(p) for p in _lines(cell_value(policy_cell))))
        for name in names:
            policy, triples = _policy(ctx, name, policy_cell)
            yield from triples
            yield policy, KG.policyArea, area
            if len(names) == 1:
                yield from ((policy, KG.reportedEffect, Literal(e)) for e in effects)
        if len(names) != 1:
            yield from ((area, KG.reportedEffect, Literal(e)) for e in effects)


def measure_rows(ctx: ExtractionContext, box: Node, table: Node) -> Iterator[Triple]:
    document: URIRef | None = None
    title = (box.title or "").replace("\n", "")
    if DOCUMENT_TITLE.search(title):
        document, triples = _policy(ctx, policy_name(title), box)
        yield from triples
    for row in body_rows(table):
        row_cells = cells(row)
        if len(row_cells) < 2:
            continue
        area, triples = _area(ctx, box, cell_value(row_cells[0]), row)
        yield from triples
        for measure in re.split(r"[，,；;]", cell_value(row_cells[1]).rstrip("。")):
            if measure.strip():
                yield area, KG.keyMeasure, Literal(measure.strip())
        if document is not None:
            yield document, KG.policyArea, area


def extract_policies(ctx: ExtractionContext) -> Iterator[Triple]:
    for box in (n for n in ctx.parsed.root.walk() if n.kind == "box"):
        for table in box.find("table"):
            head = header(table)
            policy_col = next((i for i, h in enumerate(head) if "政策" in h), None)
            if policy_col is not None and policy_col > 0:
                yield from policy_rows(ctx, box, table, policy_col)
            elif len(head) == 2 and "举措" in head[1]:
                yield from measure_rows(ctx, box, table)
