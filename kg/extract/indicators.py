"""The plan-indicator annex: indicators (unit, group, attribute, departments) and every value as a
qb:Observation (indicator, year, target|actual, value as written, number, comparator).

Columns are read from the header: ``YYYY年数值`` → actual of YYYY, ``YYYY年目标值`` → target of YYYY,
``“十四五”规划目标值`` → target of the plan period's last year (2025). A row with one more cell than
the header has a sub-row name (新增学位供给数 → 普惠性学前); a following row whose first cells are
empty is the next sub-row, and takes the merged attribute and department cells from the row above.
Indicator IRIs come from the indicator register (``data/registers/indicators.csv``), so that the
annex of one report and the prose of another name the same indicator.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import QB, RDF, RDFS, SKOS, XSD

from kg.extract import ExtractionContext
from kg.extract.report import district_iri
from kg.extract.tables import (
    body_rows,
    cell_value,
    cells,
    data_dir,
    derived,
    header,
    mention,
    org_triples,
    split_units,
    tables_with_header,
    zh,
)
from kg.model import Node
from kg.rdf.document import Triple
from kg.rdf.namespaces import KG
from kg.registers import key

FIVE_YEAR_PLAN_END = {"十四五": 2025, "十五五": 2030, "十三五": 2020}
ATTRIBUTE = {"约束性": KG["attribute-binding"], "预期性": KG["attribute-expected"]}
DIRECTION = {"higher": KG["direction-higher"], "lower": KG["direction-lower"]}
KIND = {"target": KG["valuekind-target"], "actual": KG["valuekind-actual"]}
NUM = r"[-+]?\d+(?:\.\d+)?"
UNIT_CELL = re.compile(r"^(.*?)[（(]([^（）()]+)[）)]$")
SUFFIX_COMPARATORS = ("以上", "以内", "以下", "左右", "余")
PREFIX_COMPARATORS = ("不少于", "不低于", "不高于", "不超过", "低于", "高于", "超过")


# ---------------------------------------------------------------- the indicator register


@dataclass(frozen=True)
class IndicatorEntry:
    id: str
    name: str
    unit: str
    direction: str
    parent: str | None
    aliases: tuple[str, ...]


@dataclass
class Catalog:
    entries: dict[str, IndicatorEntry]
    by_key: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for e in self.entries.values():
            for name in (e.name, *(a.split("+")[0] for a in e.aliases)):
                self.by_key.setdefault(key(name), e.id)

    def find(self, name: str, parent: str | None = None) -> IndicatorEntry | None:
        for candidate in ([f"{parent}：{name}", name] if parent else [name]):
            found = self.by_key.get(key(candidate))
            if found:
                return self.entries[found]
        return None

    def children(self, entry_id: str) -> list[IndicatorEntry]:
        return [e for e in self.entries.values() if e.parent == entry_id]


@lru_cache(maxsize=4)
def _read_catalog(path: str, mtime: float) -> Catalog:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    entries = {
        r["id"]: IndicatorEntry(r["id"], r["name"], r["unit"], r["direction"], r["parent"] or None,
                                tuple(a for a in r["aliases"].split("|") if a))
        for r in rows
    }
    return Catalog(entries)


def catalog(ctx: ExtractionContext) -> Catalog:
    path = data_dir(ctx) / "registers" / "indicators.csv"
    if not path.exists():
        path = Path(__file__).resolve().parents[2] / "data" / "registers" / "indicators.csv"
    return _read_catalog(str(path), path.stat().st_mtime)


def indicator_iri(ctx: ExtractionContext, entry: IndicatorEntry | None, name: str) -> URIRef:
    return ctx.minter.slug("indicator", entry.id) if entry else ctx.minter.entity("indicator", name)


def indicator_triples(ctx: ExtractionContext, entry: IndicatorEntry) -> Iterator[Triple]:
    """What the register says of an indicator: label, unit, direction, parent."""
    iri = ctx.minter.slug("indicator", entry.id)
    yield iri, RDF.type, KG.Indicator
    yield iri, RDFS.label, zh(entry.name)
    if entry.unit:
        yield iri, KG.unit, Literal(entry.unit)
    if entry.direction in DIRECTION:
        yield iri, KG.desiredDirection, DIRECTION[entry.direction]
    if entry.parent:
        yield iri, KG.partOf, ctx.minter.slug("indicator", entry.parent)


# ---------------------------------------------------------------- values as written


@dataclass(frozen=True)
class Value:
    text: str
    value: Decimal | None = None
    comparator: str | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    adjusted_from: Decimal | None = None


def parse_value(text: str) -> Value:
    """Read a value cell: number, comparator (<, 以上, 左右, 达到市级要求 …), range, adjustment."""
    t = unicodedata.normalize("NFKC", text).replace(" ", "")
    t = t.replace("＜", "<").replace("＞", ">")
    if m := re.fullmatch(rf"([<>≤≥])({NUM})", t):
        return Value(text, Decimal(m.group(2)), m.group(1))
    if m := re.fullmatch(rf"(累计)?({NUM})%?({'|'.join(SUFFIX_COMPARATORS)})", t):
        return Value(text, Decimal(m.group(2)), m.group(3))
    if m := re.fullmatch(rf"({NUM})[-~—–至]({NUM})", t):
        return Value(text, None, "区间", Decimal(m.group(1)), Decimal(m.group(2)))
    if m := re.fullmatch(rf"({NUM})\(调整为({NUM})\)", t):
        return Value(text, Decimal(m.group(2)), None, adjusted_from=Decimal(m.group(1)))
    if m := re.fullmatch(rf"({NUM})\(.*\)", t):
        return Value(text, Decimal(m.group(1)))
    if m := re.fullmatch(rf"([^\d()<>]+)\(([<>]?)({NUM})\)", t):
        return Value(text, Decimal(m.group(3)), m.group(2) or m.group(1))
    if m := re.fullmatch(rf"({'|'.join(PREFIX_COMPARATORS)})({NUM})%?", t):
        return Value(text, Decimal(m.group(2)), m.group(1))
    if m := re.fullmatch(rf"(?:控制在|达到|达)({NUM})%?({'|'.join(SUFFIX_COMPARATORS)})?", t):
        return Value(text, Decimal(m.group(1)), m.group(2))
    if re.fullmatch(NUM, t):
        return Value(text, Decimal(t))
    return Value(text)


def value_triples(obs: URIRef, v: Value) -> Iterator[Triple]:
    yield obs, KG.valueText, Literal(v.text)
    if v.value is not None:
        yield obs, KG.value, Literal(v.value, datatype=XSD.decimal)
    if v.comparator:
        yield obs, KG.comparator, Literal(v.comparator)
    if v.low is not None:
        yield obs, KG.valueMin, Literal(v.low, datatype=XSD.decimal)
        yield obs, KG.valueMax, Literal(v.high, datatype=XSD.decimal)
    if v.adjusted_from is not None:
        yield obs, KG.adjustedFrom, Literal(v.adjusted_from, datatype=XSD.decimal)


def dataset_iri(ctx: ExtractionContext) -> URIRef:
    return ctx.minter.entity("dataset", "plan-indicators", ctx.source.id)


def dataset_triples(ctx: ExtractionContext) -> Iterator[Triple]:
    ds = dataset_iri(ctx)
    yield ds, RDF.type, QB.DataSet
    yield ds, RDFS.label, zh(f"{ctx.source.title}：计划指标")
    yield ds, QB.structure, KG.indicatorStructure
    yield ds, KG.document, ctx.document


def slice_iri(ctx: ExtractionContext, indicator: URIRef, year: int | None = None) -> URIRef:
    """The indicator's series in the report's district, or, given a year, that year's slice of it."""
    return ctx.minter.entity("series", str(indicator), str(district_iri(ctx)), *([] if year is None else [str(year)]))


def slice_triples(ctx: ExtractionContext, indicator: URIRef, name: str, year: int | None = None) -> Iterator[Triple]:
    """A qb:Slice of the indicator in the report's district: the series (every year), or one year of it.

    A target and the actuals it is compared with meet through a slice: a join on the series reaches a
    few observations, one on the indicator alone every district's. indicators-missed reaches a year's
    observations through the year's slice; through the series it read all of them (every district at
    1,000 reports: 529 ms of its 631)."""
    at = slice_iri(ctx, indicator, year)
    yield dataset_iri(ctx), QB.slice, at
    yield at, RDF.type, QB.Slice
    yield at, RDFS.label, zh(f"{name}（{ctx.source.district}{'' if year is None else f'，{year}年'}）")
    yield at, QB.sliceStructure, KG.seriesKey if year is None else KG.seriesYearKey
    yield at, KG.indicator, indicator
    yield at, KG.refArea, district_iri(ctx)
    if year is not None:
        yield at, KG.refYear, Literal(str(year), datatype=XSD.gYear)


def observation_triples(ctx: ExtractionContext, indicator: URIRef, name: str, year: int, kind: str, v: Value,
                        origin: Node, source: str, unit: str | None) -> Iterator[Triple]:
    """One observation of the indicator called ``name``, derived from the cell or sentence ``origin``."""
    obs = ctx.minter.entity("observation", str(indicator), str(year), kind, ctx.source.id, str(ctx.iri(origin)))
    yield obs, RDF.type, QB.Observation
    yield obs, RDFS.label, zh(f"{year}年{'目标值' if kind == 'target' else '实际值'}：{v.text}")
    yield obs, QB.dataSet, dataset_iri(ctx)
    yield obs, KG.indicator, indicator
    yield obs, KG.refYear, Literal(str(year), datatype=XSD.gYear)
    yield obs, KG.refArea, district_iri(ctx)  # a target and an actual compare within one district
    yield obs, KG.valueKind, KIND[kind]
    yield obs, KG.valueSource, KG[f"valuesource-{source}"]
    yield obs, KG.document, ctx.document
    if unit:
        yield obs, KG.unit, Literal(unit)
    yield from value_triples(obs, v)
    yield derived(ctx, obs, origin)
    for of_year in (None, year):  # in the series, and in the year's slice of it
        yield from slice_triples(ctx, indicator, name, of_year)
        yield slice_iri(ctx, indicator, of_year), QB.observation, obs


# ---------------------------------------------------------------- the annex table


@dataclass
class Columns:
    number: int | None = None
    name: int | None = None
    values: dict[int, tuple[int, str]] = field(default_factory=dict)  # column → (year, kind)
    attribute: int | None = None
    departments: int | None = None
    width: int = 0


def read_columns(head: list[str]) -> Columns:
    cols = Columns(width=len(head))
    for i, h in enumerate(head):
        if m := re.search(r"(\d{4})年(数值|实际|完成)", h):
            cols.values[i] = (int(m.group(1)), "actual")
        elif m := re.search(r"(\d{4})年目标", h):
            cols.values[i] = (int(m.group(1)), "target")
        elif m := next((p for p in FIVE_YEAR_PLAN_END if p in h and "目标" in h), None):
            cols.values[i] = (FIVE_YEAR_PLAN_END[m], "target")
        elif "属性" in h:
            cols.attribute = i
        elif "责任" in h:
            cols.departments = i
        elif h == "序号":
            cols.number = i
        elif "指标" in h and cols.name is None:
            cols.name = i
    return cols


def split_name_unit(text: str) -> tuple[str, str | None]:
    m = UNIT_CELL.match(text)
    return (m.group(1).strip(), m.group(2).strip()) if m else (text, None)


@dataclass
class RowState:
    group: str | None = None
    number: str | None = None
    parent: tuple[URIRef, str, str | None] | None = None  # iri, name, unit of the row's parent indicator
    sub_index: int = 0
    merged: dict[int, Node] = field(default_factory=dict)  # attribute/department cells of the row above


def extract_indicators(ctx: ExtractionContext) -> Iterator[Triple]:
    cat = catalog(ctx)
    for _annex, table in tables_with_header(ctx, "指标", "责任"):
        cols = read_columns(header(table))
        if cols.name is None or not cols.values:
            continue
        yield from dataset_triples(ctx)
        state = RowState()
        for row in body_rows(table):
            yield from _row(ctx, cat, cols, state, row)


def _row(ctx: ExtractionContext, cat: Catalog, cols: Columns, state: RowState, row: Node) -> Iterator[Triple]:
    row_cells = cells(row)
    values = [cell_value(c) for c in row_cells]
    if len(row_cells) == 1:  # a group heading row: “十四五”规划内指标
        state.group = values[0]
        return
    shift = 1 if len(row_cells) > cols.width else 0  # one cell more than the header: a sub-row name
    number_given = cols.number is not None and values[cols.number]
    if number_given:
        state.number, state.parent, state.sub_index, state.merged = values[cols.number], None, 0, {}
    name_cell = row_cells[cols.name + shift] if shift else row_cells[cols.name]
    if shift and number_given:  # the first sub-row also names the parent
        parent_name, parent_unit = split_name_unit(values[cols.name])
        entry = cat.find(parent_name)
        parent = indicator_iri(ctx, entry, parent_name)
        state.parent = (parent, parent_name, parent_unit)
        yield from _indicator(ctx, cat, entry, parent, parent_name, parent_unit, row_cells[cols.name], state,
                              state.number, None, row_cells, shift, cols)
    if shift:
        state.sub_index += 1
    name, unit = split_name_unit(cell_value(name_cell))
    parent_name = state.parent[1] if shift and state.parent else None
    unit = unit or (state.parent[2] if shift and state.parent else None)
    entry = cat.find(name, parent_name)
    iri = indicator_iri(ctx, entry, f"{parent_name}：{name}" if parent_name and not entry else name)
    notation = f"{state.number}.{state.sub_index}" if shift else state.number
    yield from _indicator(ctx, cat, entry, iri, name, unit, name_cell, state, notation,
                          state.parent[0] if shift and state.parent else None, row_cells, shift, cols)
    for col, (year, kind) in cols.values.items():
        cell = row_cells[col + shift] if col + shift < len(row_cells) else None
        if cell is not None and cell_value(cell):
            yield from observation_triples(ctx, iri, name, year, kind, parse_value(cell_value(cell)), cell, "table",
                                           unit)


def _indicator(ctx: ExtractionContext, cat: Catalog, entry: IndicatorEntry | None, iri: URIRef, name: str,
               unit: str | None, name_cell: Node, state: RowState, notation: str | None, parent: URIRef | None,
               row_cells: list[Node], shift: int, cols: Columns) -> Iterator[Triple]:
    if entry:
        yield from indicator_triples(ctx, entry)
        if entry.name != name:
            yield iri, SKOS.altLabel, zh(name)
    else:
        yield iri, RDF.type, KG.Indicator
        yield iri, RDFS.label, zh(name)
        if unit:
            yield iri, KG.unit, Literal(unit)
        if parent is not None:
            yield iri, KG.partOf, parent
    if notation:
        yield iri, SKOS.notation, Literal(notation)
    if state.group:
        yield iri, KG.indicatorGroup, Literal(state.group)
    yield from mention(ctx, iri, name_cell, name)
    yield from _attributes(ctx, iri, row_cells, shift, cols, state)


def _attributes(ctx: ExtractionContext, iri: URIRef, row_cells: list[Node], shift: int, cols: Columns,
                state: RowState) -> Iterator[Triple]:
    """Attribute and responsible departments; an empty merged cell takes the row above's."""
    for col in (cols.attribute, cols.departments):
        if col is None:
            continue
        at = col + shift
        cell = row_cells[at] if at < len(row_cells) else None
        if cell is not None and cell_value(cell):
            state.merged[col] = cell
        cell = state.merged.get(col)
        if cell is None:
            continue
        text = cell_value(cell)
        if col == cols.attribute:
            if text in ATTRIBUTE:
                yield iri, KG.indicatorAttribute, ATTRIBUTE[text]
                yield derived(ctx, iri, cell)
            continue
        for unit in split_units(text):
            org, triples = org_triples(ctx, unit)
            yield from triples
            yield iri, KG.responsibleUnit, org
            yield from mention(ctx, org, cell, unit)
