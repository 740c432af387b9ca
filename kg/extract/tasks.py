"""The key-task annex (序号 | 工作措施 | 责任单位): one kg:Task per row, with its responsible units.

Each task is linked (kg:restates) to the numbered measure of the report body it restates, and to
that measure's section. The match is by text: the share of the task's character bigrams (text
without punctuation) found in a measure of the plan part; the best measure wins when the share
is at least ``MATCH_THRESHOLD``. Tasks that restate a paragraph with no numbered measures match the
paragraph's sentences joined, and are linked to the paragraph's section only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.extract import ExtractionContext
from kg.extract.tables import (
    body_rows,
    cell_value,
    cells,
    derived,
    mention,
    org_triples,
    split_units,
    tables_with_header,
    zh,
)
from kg.model import Node
from kg.rdf.document import Triple, short_label
from kg.rdf.namespaces import KG

HEADER = ("序号", "责任单位")
MATCH_THRESHOLD = 0.6
_NOT_TEXT = re.compile(r"[\s，。；、：,.;:“”\"‘’（）()《》!！?？]")


def bigrams(text: str) -> set[str]:
    t = _NOT_TEXT.sub("", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


@dataclass
class Candidate:
    node: Node  # a measure, or a paragraph without measures
    section: Node | None
    grams: set[str]


def body_candidates(ctx: ExtractionContext) -> list[Candidate]:
    """Measures (and measure-less paragraphs) of the parts about the plan year."""
    out: list[Candidate] = []
    year = f"{ctx.source.plan_year}年"
    for part in ctx.parsed.root.children:
        if part.kind != "part" or year not in (part.title or ""):
            continue
        for section in [part, *part.find("section")]:
            for para in (c for c in section.children if c.kind == "paragraph"):
                owner = section if section.kind == "section" else None
                measures = [m for m in para.children if m.kind == "measure"]
                out += [Candidate(m, owner, bigrams(m.text)) for m in measures]
                if not measures:
                    out.append(Candidate(para, owner, bigrams(para.text)))
    return out


def best_match(task_text: str, candidates: list[Candidate]) -> tuple[Candidate, float] | None:
    grams = bigrams(task_text)
    if not grams:
        return None
    scored = [(len(grams & c.grams) / len(grams), c) for c in candidates]
    score, best = max(scored, key=lambda s: s[0], default=(0.0, None))
    return (best, score) if best is not None and score >= MATCH_THRESHOLD else None


def extract_tasks(ctx: ExtractionContext) -> Iterator[Triple]:
    candidates: list[Candidate] | None = None
    for _annex, table in tables_with_header(ctx, *HEADER):
        if candidates is None:
            candidates = body_candidates(ctx)
        for row in body_rows(table):
            row_cells = cells(row)
            if len(row_cells) < 3 or not cell_value(row_cells[0]).isdigit():
                continue
            yield from _task(ctx, row, row_cells, candidates)


def _task(ctx: ExtractionContext, row: Node, row_cells: list[Node], candidates: list[Candidate]) -> Iterator[Triple]:
    number, text_cell, unit_cell = int(cell_value(row_cells[0])), row_cells[1], row_cells[2]
    text = cell_value(text_cell)
    task = ctx.minter.entity("task", ctx.source.id, str(number))
    yield task, RDF.type, KG.Task
    yield task, RDFS.label, zh(short_label(text))
    yield task, KG.text, zh(text)
    yield task, KG.taskNumber, Literal(number)
    yield task, KG.year, Literal(str(ctx.source.plan_year), datatype=XSD.gYear)
    yield task, KG.document, ctx.document
    yield derived(ctx, task, row)
    for unit in split_units(cell_value(unit_cell)):
        org, triples = org_triples(ctx, unit)
        yield from triples
        yield task, KG.responsibleUnit, org
        yield from mention(ctx, org, unit_cell, unit)
    match = best_match(text, candidates)
    if match is not None:
        yield from _restates(ctx, task, match[0])


def _restates(ctx: ExtractionContext, task: URIRef, candidate: Candidate) -> Iterator[Triple]:
    if candidate.node.kind == "measure":
        yield task, KG.restates, ctx.iri(candidate.node)
    if candidate.section is not None:
        yield task, KG.restates, ctx.iri(candidate.section)
