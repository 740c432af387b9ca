"""The synthetic corpus: deterministic for a seed, entities recur across reports, reports parse and build."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kg.build import build
from kg.config import load_settings
from kg.parse import parse_document
from kg.query import run_query
from kg.sources import load_sources
from kg.store import open_store
from kg.synth import DEPARTMENTS, generate
from web import create_app
from web.saved_queries import bind, load

ROOT = Path(__file__).resolve().parents[1]


def corpus(tmp_path: Path, n: int, seed: int) -> dict[str, bytes]:
    out = tmp_path / f"s{seed}-{n}"
    generate(n, out, seed)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_same_seed_same_bytes_other_seed_other_text(tmp_path: Path) -> None:
    first, again, other = corpus(tmp_path, 4, 1), corpus(tmp_path / "b", 4, 1), corpus(tmp_path / "c", 4, 2)
    assert first == again
    assert first.keys() == other.keys() and first != other


STATUS = "计划开工|开工建设|加快推进|主体完工|建成投用"


def test_entities_recur_across_reports(tmp_path: Path) -> None:
    texts = [t.decode() for name, t in sorted(corpus(tmp_path, 8, 3).items()) if name.endswith(".txt")]
    for dept in DEPARTMENTS[:3]:
        assert sum(dept in t for t in texts) >= 5, dept
    # one district, consecutive years: the same project is reported with a status that moves on
    statuses: dict[str, set[str]] = {}
    for text in texts:
        for status, project in re.findall(rf"({STATUS})(\S+?)，由", text):
            statuses.setdefault(project, set()).add(status)
    assert any(len(seen) >= 2 for seen in statuses.values()), "no project changes status over the years"


def test_synthetic_reports_parse_with_every_structure(tmp_path: Path) -> None:
    generate(1, tmp_path, 5)
    text = next(tmp_path.glob("*.txt")).read_text(encoding="utf-8")
    parsed = parse_document("synth", text)
    kinds = {n.kind for n in parsed.root.walk()}
    assert {"title", "part", "section", "measure", "box", "table", "row", "cell", "annex", "paragraph",
            "sentence"} <= kinds
    assert parsed.footnotes or "[footnoteRef:" not in text


def test_synthetic_reports_build_and_validate(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    home = tmp_path / "home"
    shutil.copytree(ROOT / "data", home / "data")
    shutil.rmtree(home / "data" / "sources")
    generate(2, home / "data" / "sources", 9)
    settings = load_settings(home, env={})
    assert len(load_sources(settings.sources_dir)) == 2
    with caplog.at_level("WARNING"):
        result = build(settings)
    assert result.triples > 10_000
    assert {d["id"] for d in result.documents} == {"synth-0000-2015", "synth-0000-2016"}
    # Units the register does not know (invented ones): listed per document, warned about once.
    unregistered = {u for d in result.documents for u in d["unregistered"]}
    warned = [r.getMessage() for r in caplog.records if "organization register" in r.getMessage()]
    assert unregistered and len(warned) == 1 and warned[0].startswith(f"{len(unregistered)} table unit")


def test_districts_the_gazetteer_does_not_know_keep_their_entities_apart(tmp_path: Path) -> None:
    """Synthetic districts are not in the gazetteer: each is scoped by its name, so a project named alike in
    two districts is two projects, while one district's reports over the years share theirs. So with
    units: 区财政局 in another district's report is that district's bureau, not the register's (Haidian's),
    though typed as the register types it."""
    home = tmp_path / "home"
    shutil.copytree(ROOT / "data", home / "data")
    shutil.rmtree(home / "data" / "sources")
    generate(10, home / "data" / "sources", 7)  # two districts, several years each
    settings = load_settings(home, env={})
    build(settings)
    store = open_store(settings.store_dir)
    districts = "SELECT ?p (COUNT(DISTINCT ?a) AS ?n) WHERE { ?p kg:statusDistrict ?a } GROUP BY ?p"
    per_project = [int(r["n"].value) for r in run_query(store, districts)]
    assert len(list(run_query(store, "SELECT DISTINCT ?a WHERE { ?r kg:district ?a }"))) == 2
    assert per_project and max(per_project) == 1
    followed = "SELECT ?p WHERE { ?p kg:statusReports ?n FILTER(?n >= 2) }"
    assert len(list(run_query(store, followed))) >= 5
    units = ("SELECT ?u (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH ?g { ?x kg:responsibleUnit ?u . ?d kg:district ?a } }"
             " GROUP BY ?u")
    per_unit = {r["u"].value: int(r["n"].value) for r in run_query(store, units)}
    assert per_unit and max(per_unit.values()) == 1
    assert not [u for u in per_unit if u.startswith(settings.base_iri + "id/org/dist-")]  # the register's own
    typed = "SELECT DISTINCT ?u WHERE { ?x kg:responsibleUnit ?u . ?u kg:orgType kg:orgtype-district-department }"
    assert len(list(run_query(store, typed))) >= 10
    # Search tells them apart: each result of a name both districts use shows its own district.
    same_name = ("SELECT ?name WHERE { ?u kg:orgType kg:orgtype-district-department ; rdfs:label ?name } "
                 "GROUP BY ?name HAVING (COUNT(DISTINCT ?u) = 2) ORDER BY ?name LIMIT 1")
    name = next(iter(run_query(store, same_name)))["name"].value
    districts = "SELECT DISTINCT ?n WHERE { ?r kg:district/rdfs:label ?n }"
    district_names = {r["n"].value for r in run_query(store, districts)}
    facts = load(ROOT / "queries" / "entity-facts-with-sources.rq")
    everywhere = {r["entity"].value for r in run_query(store, bind(facts, {"name": name}))}
    one = {r["entity"].value for r in run_query(store, bind(facts, {"name": name, "district": min(district_names)}))}
    assert len(everywhere) == 2 and len(one) == 1 and one < everywhere
    app = create_app(settings)
    try:
        found = app.test_client().get("/api/search", query_string={"q": name}).get_json()["results"]
        shown = [r["districts"] for r in found if r["label"] == name]
        assert len(shown) == 2 and sorted(d for ds in shown for d in ds) == sorted(district_names)
    finally:
        backend = app.extensions.get("kg_sparql_backend")
        if backend:
            backend.close()
