"""The school education groups box: one kg:SchoolGroup per group, with its lead and member schools.

Groups 1–42 of the 2024 report are written on one line with no separators. ``split_school_names``
cuts such a run with a dictionary of school-name patterns: a name starts with a known start
(北京市, 中国, 清华, 首都, 海淀, lead-school prefixes such as 十一 or 北师大) and ends with a school
suffix (中学, 小学, 学校, 分校, 集团), with at least two characters in between. Among all
segmentations it prefers the one with the most names; the row's number range (1-42) checks the count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Literal
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from kg.extract import ExtractionContext
from kg.extract.tables import body_rows, cell_value, cells, derived, mention, tables_with_header, zh
from kg.rdf.document import Triple
from kg.rdf.namespaces import KG

HEADER = ("集团名称",)
STARTS = ("北京市", "北京", "中国", "清华", "首都", "海淀", "北师大", "人大", "十一")
STRONG_STARTS = ("北京市", "中国", "首都", "清华")
SUFFIXES = ("中学", "小学", "学校", "分校", "集团")
GROUP_SUFFIX = re.compile(r"(海淀)?(教育)?集团$")
RANGE = re.compile(r"^(\d+)\s*[-—–~～至]\s*(\d+)$")
YEAR = re.compile(r"^(\d{4})年$")
MIN_CORE = 2
MAX_NAME = 40  # characters: no school name is longer


def _is_name(piece: str) -> bool:
    # A full name never holds a strong start (北京市, 中国 …) or a group suffix inside it.
    if any(piece.find(s, 1) > 0 for s in STRONG_STARTS) or "集团" in piece[:-2]:
        return False
    for start in STARTS:
        if piece.startswith(start):
            core = piece[len(start):]
            for suffix in SUFFIXES:
                if core.endswith(suffix) and len(core) - len(suffix) >= MIN_CORE:
                    return True
    return False


@dataclass(frozen=True)
class Split:
    names: tuple[str, ...]
    alternatives: int  # how many segmentations with the same number of names exist
    certain: tuple[bool, ...]  # per name: do all those segmentations agree on it?


def split_school_names(run: str, expected: int | None = None) -> Split:
    """Cut a run of school names into ``expected`` names when possible, else into the most names.

    Dynamic programming over (position, names so far) counts the segmentations, so that the
    answer says how many alternatives exist and which names every alternative shares.
    """
    n = len(run)
    pieces = [[j for j in range(i + 1, min(n, i + MAX_NAME) + 1) if _is_name(run[i:j])] for i in range(n)]
    fwd: list[dict[int, int]] = [{} for _ in range(n + 1)]  # fwd[i][k]: ways to cut run[:i] into k names
    fwd[0][0] = 1
    for i in range(n):
        for k, ways in fwd[i].items():
            for j in pieces[i]:
                fwd[j][k + 1] = fwd[j].get(k + 1, 0) + ways
    if not fwd[n]:
        return Split((run,), 1, (False,))
    count = expected if expected in fwd[n] else max(fwd[n])
    bwd: list[dict[int, int]] = [{} for _ in range(n + 1)]  # bwd[i][k]: ways to cut run[i:] into k names
    bwd[n][0] = 1
    for i in range(n - 1, -1, -1):
        for j in pieces[i]:
            for k, ways in bwd[j].items():
                bwd[i][k + 1] = bwd[i].get(k + 1, 0) + ways
    total = fwd[n][count]
    names, certain, i, k = [], [], 0, 0
    while i < n:  # the first optimal segmentation, name by name
        j = next(j for j in pieces[i] if bwd[j].get(count - k - 1, 0) and (count - k - 1 >= 0))
        names.append(run[i:j])
        certain.append(fwd[i].get(k, 0) * bwd[j].get(count - k - 1, 0) == total)
        i, k = j, k + 1
    return Split(tuple(names), total, tuple(certain))


def _expected(number: str) -> tuple[int, int] | None:
    m = RANGE.match(number)
    if m:
        return int(m.group(1)), int(m.group(2))
    return (int(number), int(number)) if number.isdigit() else None


def _group(ctx: ExtractionContext, row, name_cell, number: int, name: str, period: str, after: int | None):
    group = ctx.minter.entity("org", "school-group", name)
    yield group, RDF.type, KG.SchoolGroup
    yield group, RDFS.label, zh(name)
    yield group, KG.orgType, KG["orgtype-school-group"]
    yield group, SKOS.notation, Literal(str(number))
    yield group, KG.period, Literal(period)
    year = YEAR.match(period)
    if year:
        yield group, KG.year, Literal(year.group(1), datatype=XSD.gYear)
    yield derived(ctx, group, row)
    yield from mention(ctx, group, name_cell, name, after)
    lead_name = GROUP_SUFFIX.sub("", name) or name
    lead = _school(ctx, lead_name)
    yield from lead
    yield group, KG.leadSchool, lead[0][0]
    yield group, KG.memberSchool, lead[0][0]


def _school(ctx: ExtractionContext, name: str) -> list[Triple]:
    school = ctx.minter.entity("facility", "school", name)
    return [(school, RDF.type, KG.School), (school, RDFS.label, zh(name))]


def extract_school_groups(ctx: ExtractionContext) -> Iterator[Triple]:
    for _box, table in tables_with_header(ctx, *HEADER):
        for row in body_rows(table):
            row_cells = cells(row)
            if len(row_cells) < 3:
                continue
            numbers = _expected(cell_value(row_cells[0]))
            if numbers is None:
                continue
            period, name_cell = cell_value(row_cells[1]), row_cells[2]
            first, last = numbers
            run = cell_value(name_cell)
            names = split_school_names(run, last - first + 1).names if last > first else (run,)
            after = None
            for number, name in enumerate(names, start=first):
                group_triples = list(_group(ctx, row, name_cell, number, name, period, after))
                yield from group_triples
                if last > first:  # names are consecutive in the cell: search after the previous one
                    found = ctx.parsed.original.find(name, after or name_cell.start, name_cell.end)
                    after = found + len(name) if found >= 0 else after
                group = group_triples[0][0]
                for member_cell in row_cells[3:]:
                    yield from _members(ctx, group, member_cell)


def _members(ctx: ExtractionContext, group, member_cell) -> Iterator[Triple]:
    for name in (s.strip() for s in cell_value(member_cell).split("\n")):
        if name:
            school = _school(ctx, name)
            yield from school
            yield group, KG.memberSchool, school[0][0]
            yield from mention(ctx, school[0][0], member_cell, name)
