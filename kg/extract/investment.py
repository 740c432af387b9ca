"""The government investment box (项目类别 | 计划安排 | 工作进展): categories and the projects in progress.

Each category row gives a kg:InvestmentCategory (number of projects, district investment in 亿元,
plan text). Each named project in the progress cell becomes a kg:Project, IRI from its normalised
name so that the same project in two reports is one entity, with a kg:StatusRecord per report.
Progress lines are cut at status phrases (a dictionary of progress wording: 如期完工, 加快推进 …):
the project names are the text before the phrase (or after it, when the phrase leads), split on
、 and 和, with 等… qualifiers and counted groups (48个学校操场) left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.extract import ExtractionContext
from kg.extract.tables import body_rows, cell_value, cells, derived, mention, resolver, tables_with_header, zh
from kg.model import Node
from kg.rdf.document import Triple
from kg.rdf.namespaces import KG

HEADER = ("项目类别", "工作进展")
CATEGORY = re.compile(r"^(.+?)\s*[（(]\s*(\d+)\s*项\s*[）)]?$")
INVESTMENT = re.compile(r"总投资\s*([\d.]+)\s*亿元")
STATUS = re.compile(
    r"(?:均已|均在|已(?!启动))?(如期完工|按时完工|完工交付学校|投入使用|竣工验收|达到通车条件|贯成通车|实施完成"
    r"|进入收尾阶段|进行竣工结算|开工建设|已?启动\S{1,6}?事宜|(?:加快|持续)(?:推进|实施|建设)|完工)"
)
STATUS_CONCEPT = (
    (re.compile(r"开工"), "started"),
    (re.compile(r"投入使用|通车"), "in-use"),
    (re.compile(r"完工|竣工验收|实施完成"), "completed"),
    (re.compile(r"推进|实施|建设|收尾|结算|启动"), "under-way"),
)
BULLET = re.compile(r"^[Ø·•\-\s\u00a0]+")
COUNTED = re.compile(r"^\d+\s*(个|条|项|所|家|处)")
NAME_SPLIT = re.compile(r"[、和]")
QUALIFIER_TAIL = re.compile(r"(均已|均在|已|等)$")
PHASE = re.compile(r"[（(]?([一二三四五六七八九十]+期)[）)]?")
# a project name run into the next one: …工程 + a name ending in 工程/项目 (optionally a phase)
RUN_ON = re.compile(r"(工程|项目)(?![（(])(?=[^、，,]{6,}(工程|项目)(?:[（(]?[一二三四五六七八九十]+期[）)]?)?$)")
ROAD_SECTION = re.compile(r"[（(][^（）()]*[-—–][^（）()]*[）)]")


@dataclass(frozen=True)
class ProjectMention:
    name: str
    status: str


def project_key(name: str) -> str:
    """Identity of a project name: NFKC, no road section in brackets, no 道路工程 tail."""
    text = unicodedata.normalize("NFKC", name)
    text = ROAD_SECTION.sub("", text)
    return re.sub(r"道路工程$", "", text)


def _names(subject: str) -> list[str]:
    subject = subject.strip("，,；;。 ")
    subject = re.sub(r"等[^、]*$", "", subject)  # 等重点区域园林绿化项目 / 等10项新建改扩建项目
    subject = QUALIFIER_TAIL.sub("", subject)
    names = []
    for part in NAME_SPLIT.split(subject):
        part = re.sub(r"(?<=工程|项目)建设$", "", part.strip())
        if not part or COUNTED.match(part):
            continue
        names.extend(p for p in RUN_ON.sub(r"\1\n", part).split("\n") if p)
    return names


def progress_projects(line: str) -> list[ProjectMention]:
    """Project names and their status phrases in one progress line."""
    found: list[ProjectMention] = []
    for clause in re.split(r"[；;。，,]", BULLET.sub("", line)):
        matches = list(STATUS.finditer(clause))
        if not matches:
            continue
        if matches[0].start() == 0:  # the phrase leads: 加快推进A、B
            found += [ProjectMention(n, matches[0].group(1)) for n in _names(clause[matches[0].end():])]
            continue
        previous = 0
        for m in matches:
            found += [ProjectMention(n, m.group(1)) for n in _names(clause[previous:m.start()])]
            previous = m.end()
    return found


def status_concept(phrase: str) -> URIRef | None:
    for pattern, concept in STATUS_CONCEPT:
        if pattern.search(phrase):
            return KG[f"status-{concept}"]
    return None


def _category(ctx: ExtractionContext, row: Node, row_cells: list[Node]) -> tuple[URIRef, list[Triple]] | None:
    m = CATEGORY.match(re.sub(r"\s+", "", cell_value(row_cells[0])))
    if not m:
        return None
    name, count = m.group(1), int(m.group(2))
    category = ctx.minter.entity("concept", "investment-category", ctx.source.id, name)
    plan = cell_value(row_cells[1]) if len(row_cells) > 1 else ""
    triples: list[Triple] = [
        (category, RDF.type, KG.InvestmentCategory),
        (category, RDFS.label, zh(name)),
        (category, KG.projectCount, Literal(count)),
        (category, KG.year, Literal(str(ctx.source.execution_year), datatype=XSD.gYear)),
        (category, KG.document, ctx.document),
        derived(ctx, category, row),
    ]
    if plan:
        triples.append((category, KG.planText, Literal(plan)))
        money = INVESTMENT.search(plan)
        if money:
            triples.append((category, KG.investment, Literal(Decimal(money.group(1)), datatype=XSD.decimal)))
    return category, triples


def _project(ctx: ExtractionContext, category: URIRef, cell: Node, pm: ProjectMention) -> Iterator[Triple]:
    # Scoped by the report's district like every minted entity (the resolver's scope); "box" keeps it apart
    # from the running text's project of the same name, which kg.resolve names differently (its label is the
    # canonical key).
    project = ctx.minter.entity("project", "box", resolver(ctx).scope.code, project_key(pm.name))
    yield project, RDF.type, KG.Project
    yield project, RDFS.label, zh(pm.name)
    yield project, KG.investmentCategory, category
    phase = PHASE.search(pm.name)
    if phase:
        yield project, KG.phase, Literal(phase.group(1))
    yield from mention(ctx, project, cell, pm.name)
    record = ctx.minter.entity("status", str(project), ctx.source.id, pm.status)
    yield project, KG.statusRecord, record
    yield record, RDF.type, KG.StatusRecord
    yield record, RDFS.label, zh(f"{pm.name}：{pm.status}")
    yield record, KG.statusPhrase, Literal(pm.status)
    yield record, KG.year, Literal(str(ctx.source.execution_year), datatype=XSD.gYear)
    yield record, KG.document, ctx.document
    concept = status_concept(pm.status)
    if concept is not None:
        yield record, KG.status, concept
    yield derived(ctx, record, cell)


def extract_investment(ctx: ExtractionContext) -> Iterator[Triple]:
    for _box, table in tables_with_header(ctx, *HEADER):
        for row in body_rows(table):
            row_cells = cells(row)
            made = _category(ctx, row, row_cells) if row_cells else None
            if made is None:
                continue
            category, triples = made
            yield from triples
            if len(row_cells) < 3:
                continue
            for line in cell_value(row_cells[2]).split("\n"):
                for pm in progress_projects(line):
                    yield from _project(ctx, category, row_cells[2], pm)
