"""End to end: both reports → validated store → exports, with provenance that quotes the original."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

import kg.build
from kg.build import BuildResult, build
from kg.config import ONTOLOGY_NS, Settings
from kg.export import canonical_ntriples, export
from kg.links import LINKS_FILE, read_links
from kg.query import run_query
from kg.sources import load_sources
from kg.stats import graph_stats
from kg.store import StoreLayout, open_store
from tests.conftest import make_home

KG = ONTOLOGY_NS
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def test_both_reports_are_in_their_own_named_graph(built_home: tuple[Settings, BuildResult]) -> None:
    settings, result = built_home
    store = open_store(settings.store_dir)
    graphs = sorted(str(g.value) for g in store.named_graphs())
    base = settings.base_iri
    assert graphs == [f"{base}graph/haidian-2022", f"{base}graph/haidian-2024", f"{base}graph/ontology",
                      f"{base}graph/summaries"]
    merged = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert result.triples == merged > 10_000
    # The default graph is the merge of the named graphs: each triple once, none missing.
    named = {q.triple for q in store.quads_for_pattern(None, None, None) if q.graph_name != ox.DefaultGraph()}
    assert len(named) == merged


def test_summaries_equal_what_the_document_graphs_say(built_home: tuple[Settings, BuildResult]) -> None:
    """The build-time summaries against counting each report's graph with GRAPH: kg:statusReports for every
    project with a status record (phases' records counted for their parent), a kg:TaskCount per district
    and unit."""
    settings, _result = built_home
    store = open_store(settings.store_dir)
    per_graph = """SELECT ?project (COUNT(DISTINCT ?g) AS ?n) WHERE {
      GRAPH ?g { ?p kg:statusRecord ?r }
      OPTIONAL { ?p kg:partOf ?parent . ?parent a kg:Project }
      BIND(COALESCE(?parent, ?p) AS ?project)
    } GROUP BY ?project"""
    expected = {row["project"].value: int(row["n"].value) for row in run_query(store, per_graph)}
    derived = {row["p"].value: int(row["n"].value)
               for row in run_query(store, "SELECT ?p ?n WHERE { ?p kg:statusReports ?n }")}
    assert derived == expected
    assert sum(1 for n in derived.values() if n >= 2) >= 5  # projects both reports follow
    tasks = """SELECT ?area ?unit (COUNT(DISTINCT ?task) AS ?n) WHERE {
      GRAPH ?g { ?task a kg:Task ; kg:responsibleUnit ?unit ; kg:document ?report }
      ?report kg:district ?area
    } GROUP BY ?area ?unit"""
    counts = "SELECT ?area ?unit ?n WHERE { ?c a kg:TaskCount ; kg:refArea ?area ; kg:taskUnit ?unit ; kg:tasks ?n }"
    def by_unit(query: str) -> dict[tuple[str, str], int]:
        return {(r["area"].value, r["unit"].value): int(r["n"].value) for r in run_query(store, query)}
    assert by_unit(counts) == by_unit(tasks)
    assert sum(by_unit(counts).values()) == 178  # the gold's unit assignments (tests/gold/README.md)
    summaries = f"{settings.base_iri}graph/summaries"
    assert store.contains_named_graph(ox.NamedNode(summaries))


def test_stats_count_what_the_store_holds(built_home: tuple[Settings, BuildResult]) -> None:
    """The counts of the home page and `kg stats`, against counting the quads one by one."""
    settings, result = built_home
    store = open_store(settings.store_dir)
    stats = graph_stats(store)
    assert stats.triples == result.triples
    assert stats.quads == sum(1 for q in store.quads_for_pattern(None, None, None) if q.graph_name != ox.DefaultGraph())
    sentences = {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(KG + "Sentence"),
                                                                 ox.DefaultGraph())}
    assert (KG + "Sentence", "Sentence", len(sentences)) in stats.classes
    assert [s[0] for s in stats.sources] == ["haidian-2022", "haidian-2024"]


def test_union_default_graph_sees_every_report(built_home: tuple[Settings, BuildResult]) -> None:
    settings, _ = built_home
    rows = run_query(
        open_store(settings.store_dir),
        "SELECT ?id ?plan WHERE { ?d a kg:Report ; dcterms:identifier ?id ; kg:planYear ?plan } ORDER BY ?id",
    )
    assert [(r["id"].value, r["plan"].value) for r in rows] == [
        ("haidian-2022", "2023"),
        ("haidian-2024", "2025"),
    ]


def test_every_quote_equals_the_original_text_at_its_span(built_home: tuple[Settings, BuildResult]) -> None:
    settings, _ = built_home
    originals = {s.id: s.read_text() for s in load_sources(settings.sources_dir)}
    rows = list(
        run_query(
            open_store(settings.store_dir),
            """
        SELECT ?id ?start ?end ?exact WHERE {
          ?seg oa:hasSource ?doc ; oa:hasSelector ?pos, ?quote .
          ?doc dcterms:identifier ?id .
          ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
          ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
        }""",
        )
    )
    assert len(rows) > 1000
    bad = [
        r
        for r in rows
        if originals[r["id"].value][int(r["start"].value) : int(r["end"].value)] != r["exact"].value
    ]
    assert not bad, f"{len(bad)} quotes differ from the original, e.g. {bad[0]}"


def test_every_entity_has_a_chinese_label(built_home: tuple[Settings, BuildResult]) -> None:
    settings, _ = built_home
    rows = list(
        run_query(
            open_store(settings.store_dir),
            """
        SELECT ?s WHERE {
          ?s a ?c . FILTER(STRSTARTS(STR(?s), STR(base:)))
          FILTER NOT EXISTS { ?s a kg:TextSegment } FILTER NOT EXISTS { ?c rdfs:subClassOf kg:TextSegment }
          FILTER NOT EXISTS { ?s a oa:TextPositionSelector } FILTER NOT EXISTS { ?s a oa:TextQuoteSelector }
          FILTER NOT EXISTS { ?s a rdf:Statement }
          FILTER NOT EXISTS { ?s rdfs:label ?l FILTER(lang(?l) = "zh") }
        } LIMIT 5""".replace("base:", f"<{settings.base_iri}id/>"),
        )
    )
    assert rows == []


def test_nt_export_is_byte_identical_across_builds_and_source_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_home(tmp_path / "a")
    build(first)
    second = make_home(tmp_path / "b")
    monkeypatch.setattr(kg.build, "load_sources", lambda *a: list(reversed(load_sources(*a))))
    build(second)
    a = canonical_ntriples(open_store(first.store_dir))
    b = canonical_ntriples(open_store(second.store_dir))
    assert a == b
    assert a.count(b"\n") > 10_000


def test_turtle_export_parses_with_an_independent_parser(
    built_home: tuple[Settings, BuildResult], tmp_path: Path
) -> None:
    settings, _ = built_home
    store = open_store(settings.store_dir)
    ttl, nt = tmp_path / "kg.ttl", tmp_path / "kg.nt"
    count = export(store, "ttl", ttl)
    assert export(store, "nt", nt) == count
    assert len(Graph().parse(ttl, format="turtle")) == count  # rdflib, a second parser beside oxigraph
    if shutil.which("rapper"):
        out = subprocess.run(
            ["rapper", "-i", "turtle", "-c", str(ttl)], capture_output=True, text=True, check=True
        )
        assert f"returned {count} triples" in out.stderr


@pytest.mark.parametrize("fmt", ["trig", "jsonld", "nq"])
def test_other_exports_round_trip(built_home: tuple[Settings, BuildResult], tmp_path: Path, fmt: str) -> None:
    settings, _ = built_home
    store = open_store(settings.store_dir)
    path = tmp_path / f"kg.{fmt}"
    count = export(store, fmt, path)
    reread = ox.Store()
    reread.load(
        path=str(path),
        format={"trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD, "nq": ox.RdfFormat.N_QUADS}[fmt],
    )
    assert len(reread) == count


def test_the_builds_links_are_those_a_scan_of_the_store_finds(built_home: tuple[Settings, BuildResult]) -> None:
    """The explorer's path graph reads the links the build collected (kg/links.py); scanning every triple
    of the store must find the same ones, the summaries' included."""
    settings, _result = built_home
    from web import create_app
    from web.explorer import scanned_links

    collected = list(read_links(StoreLayout(settings.store_dir).current_build() / LINKS_FILE))
    with create_app(settings).app_context():
        scanned = set(scanned_links(open_store(settings.store_dir)))
    assert set(collected) == scanned and len(scanned) > 2000
    assert {p for _s, p, _o in scanned} >= {f"{ONTOLOGY_NS}aboutProject", f"{ONTOLOGY_NS}locatedIn"}


def test_store_layout_keeps_finished_builds_only(built_home: tuple[Settings, BuildResult]) -> None:
    settings, _ = built_home
    layout = StoreLayout(settings.store_dir)
    assert layout.current.is_symlink()
    assert layout.build_info()["documents"][0]["id"] == "haidian-2022"
