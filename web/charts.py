"""An indicator's targets against its actuals across years, drawn as a small SVG line chart.

Drawn on the server (no chart library, nothing to vendor): the template writes the SVG elements, so
the chart works without JavaScript and under a strict CSP; a table under it gives the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.config import ONTOLOGY_NS
from kg.query import run_query
from web.i18n import LANGS
from web.rdfutil import labels
from web.storeholder import PerBuild, store

# An indicator of the register is measured in every district that reports it: its chart is one district's
# series (a qb:Slice per indicator and district), never every district's values on one line. Reached
# through the series, the page reads that district's observations only (at 1,000 synthetic reports: 24 of
# an indicator's 4,125, 250 ms → a few ms). Finding an indicator's series from the indicator reads every
# observation that names it (10 ms a page at 1,000 reports): every series is listed once per build instead
# (1,000 series, 24 ms).
SERIES = """
SELECT ?s ?series ?area WHERE { ?series qb:sliceStructure kg:seriesKey ; kg:indicator ?s ; kg:refArea ?area }
"""
OBSERVATIONS = """
SELECT ?series ?obs ?year ?kind ?value ?text WHERE {
  ?series qb:observation ?obs . ?obs kg:refYear ?year .
  OPTIONAL { ?obs kg:valueKind ?kind } OPTIONAL { ?obs kg:value ?value } OPTIONAL { ?obs kg:valueText ?text }
} ORDER BY ?year ?kind ?obs
"""
# The build's judgement of each actual against the targets of its year (kg:TargetOutcome, kg/summaries.py).
OUTCOMES = """
SELECT ?series ?obs ?outcome ?target WHERE {
  ?series qb:observation ?obs . ?o kg:actual ?obs ; kg:outcome ?outcome ; kg:target ?t . ?t kg:valueText ?target
} ORDER BY ?obs ?target
"""
MISSED = ONTOLOGY_NS + "outcome-missed"
WIDTH, HEIGHT, PAD_L, PAD_R, PAD_T, PAD_B = 560, 240, 56, 16, 16, 36
TARGET_WORDS = ("target", "plan", "目标", "计划", "预期")


@dataclass
class Point:
    x: float
    y: float
    year: str
    value: float
    text: str
    missed: bool = False


@dataclass
class Series:
    name: str
    kind: str  # "target", "actual" or "other": picks the line style
    points: list[Point]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass
class Chart:
    width: int
    height: int
    series: list[Series]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    table: list[tuple[str, str, str, str]]  # (year, series, value as written, outcome against the targets)
    plot: tuple[float, float, float, float]  # left, top, right, bottom
    area: tuple[str, str] = ("", "")  # the district charted: IRI, name
    areas: list[tuple[str, str]] = field(default_factory=list)  # every district with a series, by name


def kind_of(iri: str, label: str) -> str:
    text = (iri + " " + label).lower()
    if any(w in text for w in TARGET_WORDS):
        return "target"
    return "actual" if any(w in text for w in ("actual", "实际", "完成")) else "other"


def _fmt(value: float) -> str:
    return f"{value:g}"


def _scale(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    margin = (high - low) * 0.1
    return low - margin, high + margin


@dataclass
class EverySeries:
    by_indicator: dict[str, dict[str, ox.NamedNode]]  # indicator -> district IRI -> its series
    area_names: dict[str, dict[str, str]]  # language -> district IRI -> name (125 districts' at 1,000 reports)


def _every_series(_build: Path | None) -> EverySeries:
    found: dict[str, dict[str, ox.NamedNode]] = defaultdict(dict)
    for r in run_query(store(), SERIES):
        found[r["s"].value][r["area"].value] = r["series"]
    areas = {a for by_area in found.values() for a in by_area}
    return EverySeries(dict(found), {lang: labels(areas, lang) for lang in LANGS})


_series: PerBuild[EverySeries] = PerBuild(_every_series)


def series_of(indicator: str) -> dict[str, ox.NamedNode]:
    """The indicator's series by district IRI, from the current build's list of every series."""
    return _series.get().by_indicator.get(indicator, {})


def indicator_chart(iri: str, lang: str, area: str | None = None) -> Chart | None:
    """The chart of the indicator's series in ``area`` (a district IRI), else in the first district by name."""
    series = series_of(iri)
    if not series:
        return None
    area_names = _series.get().area_names.get(lang, {})
    areas = sorted(((a, area_names.get(a, a)) for a in series), key=lambda pair: (pair[1], pair[0]))
    chosen = next((pair for pair in areas if pair[0] == area), areas[0])
    bound = {ox.Variable("series"): series[chosen[0]]}
    rows = list(run_query(store(), OBSERVATIONS, substitutions=bound))
    if not rows:
        return None
    chart = _chart(rows, outcomes(run_query(store(), OUTCOMES, substitutions=bound), lang), lang)
    chart.area, chart.areas = chosen, areas
    return chart


@dataclass
class Outcome:
    text: str  # met or missed, against which target(s), as written
    missed: bool


def outcomes(rows: object, lang: str) -> dict[str, Outcome]:
    """Each judged actual's outcome, by observation IRI: missed if any target of its year was missed."""
    by_obs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows:  # type: ignore[attr-defined]
        by_obs[r["obs"].value].append((r["outcome"].value, r["target"].value))
    names = labels({o for judged in by_obs.values() for o, _ in judged}, lang)
    pattern, separator = ("{}（目标 {}）", "；") if lang == "zh" else ("{} (target {})", "; ")
    return {
        obs: Outcome(separator.join(pattern.format(names[o], t) for o, t in judged),
                     any(o == MISSED for o, _ in judged))
        for obs, judged in by_obs.items()
    }


def _chart(rows: list, judged: dict[str, Outcome], lang: str) -> Chart:
    kinds = {r["kind"].value for r in rows if r["kind"]}
    names = labels(kinds, lang)
    raw: dict[str, list[tuple[str, float | None, str, Outcome | None]]] = defaultdict(list)
    for r in rows:
        kind = r["kind"].value if r["kind"] else ""
        value = _number(r["value"])
        text = r["text"].value if r["text"] else (_fmt(value) if value is not None else "")
        raw[kind].append((r["year"].value, value, text, judged.get(r["obs"].value)))
    years = sorted({y for points in raw.values() for y, *_ in points})
    numbers = [v for points in raw.values() for _, v, *_ in points if v is not None]
    table = [(y, names.get(k, k or "—"), t, o.text if o else "") for k, points in raw.items() for y, _, t, o in points]
    table.sort()
    left, top, right, bottom = PAD_L, PAD_T, WIDTH - PAD_R, HEIGHT - PAD_B
    if not numbers:
        return Chart(WIDTH, HEIGHT, [], [], [], table, (left, top, right, bottom))
    low, high = _scale(numbers)

    def x_of(year: str) -> float:
        return left + (right - left) * ((years.index(year) + 0.5) / len(years))

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * (value - low) / (high - low)

    series = []
    for kind, points in sorted(raw.items(), key=lambda kv: kind_of(kv[0], names.get(kv[0], ""))):
        label = names.get(kind, kind or "—")
        pts = [Point(x_of(y), y_of(v), y, v, t, bool(o and o.missed)) for y, v, t, o in points if v is not None]
        series.append(Series(label, kind_of(kind, label), pts))
    y_ticks = [
        (y_of(low + (high - low) * i / 4), _fmt(round(low + (high - low) * i / 4, 2))) for i in range(5)
    ]
    return Chart(
        WIDTH, HEIGHT, series, [(x_of(y), y) for y in years], y_ticks, table, (left, top, right, bottom)
    )


def _number(node: object) -> float | None:
    try:
        return float(node.value) if isinstance(node, ox.Literal) else None
    except ValueError:
        return None
