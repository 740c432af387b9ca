"""Precision and recall of the prose extractor against the hand-annotated gold.

Bars: per entity kind precision ≥ 0.90 and recall ≥ 0.85; relations precision ≥ 0.85 (overall).
Scored only inside the covered line ranges; the matching rule is in tests/prose_scoring.py.
The fixture report (tests/fixtures/fengtai-2023.txt, a layout the Haidian reports do not use) is
ingested with `kg ingest` and meets the same bars against its own gold.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from prose_scoring import KINDS, RELATIONS, Score, predictions, read_csv, score

from kg.cli import cli
from kg.gazetteer import load_gazetteer
from kg.query import run_query
from kg.registers import load_register
from kg.sources import load_sources
from kg.store import open_store

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
FIXTURES = ROOT / "tests" / "fixtures"
P_ENTITY, R_ENTITY, P_RELATION = 0.90, 0.85, 0.85
# What the extractor reaches today on the Haidian gold, less a small margin: a regression guard beside the
# issue's bars above (test_prose_meets_the_bars), which today's scores clear only narrowly.
FLOOR = {  # kind: (precision, recall)
    "place": (0.88, 0.84), "organization": (0.93, 0.84), "policy": (0.88, 0.85), "project": (0.93, 0.84),
}
FLOOR_RELATION_PRECISION = 0.83


def _covered() -> dict[str, set[int]]:
    covered: dict[str, set[int]] = defaultdict(set)
    for r in read_csv(GOLD / "prose_coverage.csv"):
        covered[r["source_id"]].update(range(int(r["start_line"]), int(r["end_line"]) + 1))
    return covered


def _report(ents: Score, rels: Score, title: str) -> None:
    print(f"\n== {title}")
    print(ents.table(KINDS, "entity kind"))
    print(rels.table(RELATIONS, "relation"))
    print(f"relations overall precision {rels.total_precision(RELATIONS):.2f}")


def _assert_bars(ents: Score, rels: Score) -> None:
    failing = [f"{k}: P={ents.precision(k):.2f} R={ents.recall(k):.2f}" for k in KINDS
               if ents.precision(k) < P_ENTITY or ents.recall(k) < R_ENTITY]
    if rels.total_precision(RELATIONS) < P_RELATION:
        failing.append(f"relations: P={rels.total_precision(RELATIONS):.2f}")
    assert not failing, "below the bars: " + "; ".join(failing)


@pytest.fixture(scope="module")
def haidian_scores() -> tuple[Score, Score]:
    gaz, reg = load_gazetteer(), load_register()
    gold, gold_rel, covered = read_csv(GOLD / "prose_entities.csv"), read_csv(GOLD / "prose_relations.csv"), _covered()
    ents, rels = Score(), Score()
    for source in load_sources(ROOT / "data" / "sources"):
        original, found = predictions(source, gaz, reg)
        score(original, found, [g for g in gold if g["source_id"] == source.id],
              [r for r in gold_rel if r["source_id"] == source.id], covered[source.id], ents, rels, source.id)
    return ents, rels


def test_prose_does_not_fall_below_todays_scores(haidian_scores: tuple[Score, Score]) -> None:
    ents, rels = haidian_scores
    _report(ents, rels, "Haidian reports, covered lines")
    falling = [f"{k}: P={ents.precision(k):.2f} R={ents.recall(k):.2f}" for k, (p, r) in FLOOR.items()
               if ents.precision(k) < p or ents.recall(k) < r]
    if rels.total_precision(RELATIONS) < FLOOR_RELATION_PRECISION:
        falling.append(f"relations: P={rels.total_precision(RELATIONS):.2f}")
    assert not falling, "below today's scores: " + "; ".join(falling)


def test_prose_meets_the_bars(haidian_scores: tuple[Score, Score]) -> None:
    _assert_bars(*haidian_scores)


def test_fixture_ingested_and_scored(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    for name in ("gazetteer", "registers"):
        (home / "data" / name).symlink_to(ROOT / "data" / name)
    (home / "data" / "sources").mkdir()
    result = CliRunner().invoke(cli, [
        "--home", str(home), "ingest", str(FIXTURES / "fengtai-2023.txt"),
        "--title", "关于丰台区2023年国民经济和社会发展计划执行情况与2024年国民经济和社会发展计划的报告",
        "--district", "北京市丰台区", "--execution-year", "2023", "--plan-year", "2024", "--id", "fengtai-2023",
    ], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # Its publisher is Fengtai's own government (the body its text calls 区政府), not an unregistered
    # organization nor Haidian's.
    publisher = next(iter(run_query(open_store(home / "var" / "store"), """SELECT ?p ?label ?type WHERE {
        ?d dcterms:identifier "fengtai-2023" ; dcterms:publisher ?p . ?p rdfs:label ?label ; kg:orgType ?type }""")))
    assert publisher["type"].value.endswith("#orgtype-district-government")
    assert publisher["label"].value == "区政府" and not publisher["p"].value.endswith("/org/dist-gov")
    source = load_sources(home / "data" / "sources")[0]
    original, found = predictions(source, load_gazetteer(), load_register())
    gold = read_csv(FIXTURES / "fengtai-2023.gold-entities.csv")
    gold_rel = read_csv(FIXTURES / "fengtai-2023.gold-relations.csv")
    ents, rels = Score(), Score()
    score(original, found, gold, gold_rel, set(range(5, 31)), ents, rels, "fengtai-2023")
    _report(ents, rels, "fixture fengtai-2023 (ingested)")
    for e in ents.errors + rels.errors:
        print(*e)
    _assert_bars(ents, rels)
