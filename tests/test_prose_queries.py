"""Saved queries over the prose entities: projects in both reports (against the gold), policies and
organizations on a sector, projects in a town, every fact about an entity with its source."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import BuildResult
from kg.config import Settings
from kg.query import run_query
from kg.resolve import Scope, canonical, split_phase
from kg.store import open_store
from web.saved_queries import bind, load

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
HAIDIAN = Scope("110108000000", ("北京市海淀区", "北京市", "海淀区", "北京", "海淀"))
EXECUTION_YEAR = {"haidian-2022": "2022", "haidian-2024": "2024"}
GOLD_COLUMN = {"haidian-2022": "status_2022_report", "haidian-2024": "status_2024_report"}


@pytest.fixture(scope="module")
def store(built_home: tuple[Settings, BuildResult]) -> ox.Store:
    return open_store(built_home[0].store_dir)


def saved(store: ox.Store, name: str, **arguments: str) -> list[dict[str, str]]:
    """A saved query's rows, its parameters bound as the server binds them."""
    result = run_query(store, bind(load(QUERIES / name), arguments))
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else "") for n in names} for s in result]


def test_saved_query_headers() -> None:
    for name in ("projects-in-both-reports", "policies-on-sector", "orgs-on-sector", "projects-in-town",
                 "entity-facts-with-sources"):
        head = (QUERIES / f"{name}.rq").read_text(encoding="utf-8").splitlines()
        assert head[0].startswith("# title: ") and " / " in head[0]
        assert head[1].startswith("# description: ")


def report_statuses(rows: list[dict[str, str]]) -> dict[str, dict[str, set[str]]]:
    """label → report → the statuses of the execution year (else those of the plan year)."""
    by: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
    for r in rows:
        by[r["label"]][r["report"]][r["year"]].add(r["status"])
    out: dict[str, dict[str, set[str]]] = {}
    for label, reports in by.items():
        out[label] = {rep: years.get(EXECUTION_YEAR.get(rep, ""), set()) or set().union(*years.values())
                      for rep, years in reports.items()}
    return out


def test_projects_in_both_reports_of_one_district(store: ox.Store) -> None:
    every = saved(store, "projects-in-both-reports.rq")
    assert {r["district"] for r in every} == {"海淀区"}
    assert saved(store, "projects-in-both-reports.rq", district="海淀区") == every
    assert saved(store, "projects-in-both-reports.rq", district="丰台区") == []


def test_projects_in_both_reports_against_gold(store: ox.Store) -> None:
    rows = saved(store, "projects-in-both-reports.rq")
    assert rows and all(r["report"] and r["year"] and r["status"] for r in rows)
    got = report_statuses(rows)
    with (ROOT / "tests" / "gold" / "cross_report_projects.csv").open(encoding="utf-8") as f:
        gold = list(csv.DictReader(f))
    found = statuses_ok = 0
    for g in gold:
        key = split_phase(canonical(g["canonical"], HAIDIAN))[0]
        reports = got.get(key)
        mark = "missing"
        if reports is not None:
            found += 1
            ok = all(not g[col] or g[col] in reports.get(rep, set()) for rep, col in GOLD_COLUMN.items())
            statuses_ok += ok
            mark = "statuses ok" if ok else f"statuses differ: {dict(reports)}"
        print(f"{g['canonical']:24} {g['status_2022_report']:>10} {g['status_2024_report']:>10}  {mark}")
    gold_keys = {split_phase(canonical(g["canonical"], HAIDIAN))[0] for g in gold}
    extra = sorted(set(got) - gold_keys)
    print(f"found {found}/{len(gold)} gold cross-report projects, statuses right for {statuses_ok}; "
          f"{len(extra)} projects listed that the gold does not hold: {extra}")
    # A floor that records today's level (see the issue note): found 4+ of 21, statuses right for 3+.
    assert found >= 4 and statuses_ok >= 3


def test_policies_on_sector(store: ox.Store) -> None:
    rows = saved(store, "policies-on-sector.rq")
    assert rows
    cues = ("人工智能", "大模型", "算力", "具身智能")  # the sector and its narrower 具身智能
    assert all(any(c in r["label"] for c in cues) or r["quote"] for r in rows)
    assert any("具身智能" in r["label"] for r in rows)


def test_orgs_on_sector(store: ox.Store) -> None:
    labels = {r["label"] for r in saved(store, "orgs-on-sector.rq")}
    assert "高性能芯片测试验证平台" in labels


def test_projects_in_town(store: ox.Store) -> None:
    rows = saved(store, "projects-in-town.rq")
    assert rows and all(r["placeLabel"] for r in rows)
    assert any("上庄再生水厂" in r["label"] for r in rows)


def test_entity_facts_with_sources(store: ox.Store) -> None:
    rows = saved(store, "entity-facts-with-sources.rq")
    assert {r["report"] for r in rows} == {"haidian-2022", "haidian-2024"}
    assert any(r["direction"] == "mentioned" for r in rows) and all(r["quote"] for r in rows)


def test_entity_facts_of_one_district(store: ox.Store) -> None:
    """The district, when given, switches on the query's ``#@when district:`` join: the same rows for the
    reports' own district (each row then names it), none for another."""
    every = saved(store, "entity-facts-with-sources.rq")
    haidian = saved(store, "entity-facts-with-sources.rq", district="海淀区")
    assert {r["district"] for r in every} == {""} and {r["district"] for r in haidian} == {"海淀区"}
    assert [dict(r, district="") for r in haidian] == every
    assert saved(store, "entity-facts-with-sources.rq", district="朝阳区") == []
