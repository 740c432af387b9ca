"""Headline figures stated in prose (地区生产总值同比增长6.0% …) as observations of the register's
indicators: actuals of the execution year in the part about that year, targets of the plan year
in the parts about the plan year.

Rules, per sentence: find the indicator names and aliases of the indicator register (longest
first, no overlaps); the value is the first number with the indicator's unit after the name and
before the next name or the end of the clause (。；). An alias written ``name+增长`` needs 增长 before
the number (the level 1万亿 is not the growth rate). Comparators around the number are kept
(以上, 以内, 左右, 余, 不少于 …); a few textual values (稳步增长, 不高于全市水平) are kept as text. A
name whose indicator has sub-indicators takes a list after 分别 (98.5%、99%以上), in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from kg.extract import ExtractionContext
from kg.extract.indicators import (
    PREFIX_COMPARATORS,
    Catalog,
    IndicatorEntry,
    Value,
    catalog,
    dataset_triples,
    indicator_triples,
    observation_triples,
)
from kg.model import Node
from kg.rdf.document import Triple
from kg.rdf.provenance import mention_triples

NUM = r"\d+(?:\.\d+)?"
VERB = r"(?:同比增长|同口径增长|增长|增速达|达到|达|控制在|为|完成)?"
WINDOW = 80  # characters after a name in which its value may stand
TEXT_VALUES = re.compile(r"^(?:控制在)?(稳步增长|不高于全市(?:平均)?水平|低于全市平均水平)")
LIST_VALUE = re.compile(rf"^[^。；;]*?分别(?:达到|为|达)?((?:{NUM}[%％]?[、和])+{NUM}[%％]?)(以上|以内|左右)?")
CLAUSE_END = re.compile(r"[。；;]")


@dataclass(frozen=True)
class Alias:
    pattern: re.Pattern[str]
    entry: IndicatorEntry
    needs: str | None  # a word that must come before the value (增长)


def _bracket_free(text: str) -> str:
    return "".join("[（(]" if c in "（(" else "[）)]" if c in "）)" else re.escape(c) for c in text)


def aliases(cat: Catalog) -> list[Alias]:
    out = []
    for entry in cat.entries.values():
        for written in dict.fromkeys((entry.name, *entry.aliases)):
            name, _, needs = written.partition("+")
            out.append(Alias(re.compile(_bracket_free(name)), entry, needs or None))
    return sorted(out, key=lambda a: -len(a.pattern.pattern))


def _unit_pattern(unit: str) -> str:
    return "[%％]" if unit in ("%", "％") else re.escape(unit)


def value_in(window: str, entry: IndicatorEntry, needs: str | None) -> tuple[Value, int, int] | None:
    """The first value with the entry's unit in ``window``: (value, start, end) within it."""
    if m := TEXT_VALUES.match(window):
        return Value(m.group(0)), 0, m.end()
    if not entry.unit:
        return None
    pre = "|".join(PREFIX_COMPARATORS)
    pattern = rf"{VERB}(?P<pre>{pre})?(?P<num>{NUM})(?P<yu>余)?{_unit_pattern(entry.unit)}(?P<suf>左右|以上|以内|内)?"
    for m in re.finditer(pattern, window):
        if needs and needs not in window[: m.start("num")]:
            continue
        comparator = m.group("pre") or m.group("yu") or {"内": "以内"}.get(m.group("suf"), m.group("suf"))
        return Value(m.group(0), Decimal(m.group("num")), comparator), m.start(), m.end()
    return None


def list_values(window: str, count: int) -> list[tuple[Value, int]] | None:
    m = LIST_VALUE.match(window)
    if not m:
        return None
    numbers = re.findall(NUM, m.group(1))
    if len(numbers) != count:
        return None
    return [(Value(m.group(0)[m.group(0).index("分别"):], Decimal(n), m.group(2)), m.end()) for n in numbers]


def _year_before(text: str, kind: str, year: int) -> int:
    """An actual preceded by an earlier year (高于2023年全年(2.5%)水平) is that year's actual."""
    years = [int(y) for y in re.findall(r"(\d{4})年", text)]
    return years[-1] if kind == "actual" and years and years[-1] < year else year


def _matches(text: str, table: list[Alias]) -> list[tuple[int, int, Alias]]:
    taken: list[tuple[int, int, Alias]] = []
    for alias in table:
        for m in alias.pattern.finditer(text):
            if all(m.end() <= s or m.start() >= e for s, e, _ in taken):
                taken.append((m.start(), m.end(), alias))
    return sorted(taken, key=lambda t: t[0])


def _sentences(node: Node) -> Iterator[Node]:
    for child in node.children:
        if child.kind in ("box", "table", "annex"):
            continue
        if child.kind == "sentence":
            yield child
        else:
            yield from _sentences(child)


def _kind_year(ctx: ExtractionContext, part: Node) -> tuple[str, int] | None:
    title = part.title or ""
    if f"{ctx.source.execution_year}年" in title:
        return "actual", ctx.source.execution_year
    if f"{ctx.source.plan_year}年" in title:
        return "target", ctx.source.plan_year
    return None


def extract_headlines(ctx: ExtractionContext) -> Iterator[Triple]:
    cat = catalog(ctx)
    table = aliases(cat)
    emitted = False
    for part in (p for p in ctx.parsed.root.children if p.kind == "part"):
        kind_year = _kind_year(ctx, part)
        if kind_year is None:
            continue
        for sentence in _sentences(part):
            found = list(_sentence(ctx, cat, table, sentence, *kind_year))
            if found and not emitted:
                yield from dataset_triples(ctx)
                emitted = True
            yield from found


def _sentence(ctx: ExtractionContext, cat: Catalog, table: list[Alias], sentence: Node, kind: str,
              year: int) -> Iterator[Triple]:
    text = ctx.parsed.original[sentence.start:sentence.end]
    matches = _matches(text, table)
    for i, (start, end, alias) in enumerate(matches):
        limit = matches[i + 1][0] if i + 1 < len(matches) else len(text)
        stop = CLAUSE_END.search(text, end, limit)
        window = text[end:min(stop.start() if stop else limit, end + WINDOW)]
        children = cat.children(alias.entry.id)
        if children:
            values = list_values(text[end:min(limit, end + WINDOW)], len(children))
            for child, (value, value_end) in zip(children, values or [], strict=False):
                yield from _observation(ctx, cat, child, kind, year, value, sentence, start, end + value_end)
            continue
        found = value_in(window, alias.entry, alias.needs)
        if found:
            value, value_start, value_end = found
            said_year = _year_before(window[:value_start], kind, year)
            yield from _observation(ctx, cat, alias.entry, kind, said_year, value, sentence, start, end + value_end)


def _observation(ctx: ExtractionContext, cat: Catalog, entry: IndicatorEntry, kind: str, year: int,
                 value: Value, sentence: Node, start: int, end: int) -> Iterator[Triple]:
    current: IndicatorEntry | None = entry
    while current is not None:  # the indicator and its parents, so that kg:partOf has a typed object
        yield from indicator_triples(ctx, current)
        current = cat.entries.get(current.parent) if current.parent else None
    indicator = ctx.minter.slug("indicator", entry.id)
    triples = list(observation_triples(ctx, indicator, entry.name, year, kind, value, sentence, "text",
                                       entry.unit or None))
    yield from triples
    obs = triples[0][0]
    yield from mention_triples(ctx, obs, sentence.start + start, sentence.start + end)
