"""The SHACL gate and the atomic swap: a failed build leaves the previous store exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

import kg.build
from kg.build import build
from kg.errors import ValidationFailed
from kg.export import canonical_ntriples
from kg.extract import ExtractionContext
from kg.rdf.namespaces import KG
from kg.store import StoreLayout, open_store
from kg.validate import validate_graph
from tests.conftest import make_home

ROOT = Path(__file__).resolve().parents[1]


def test_a_conforming_graph_passes() -> None:
    graph = Graph()
    org = URIRef("https://kg.haidian.example/id/org/dist-gov")
    graph.add((org, RDF.type, KG.Organization))
    graph.add((org, RDFS.label, Literal("海淀区人民政府", lang="zh")))
    assert validate_graph(graph, ROOT / "ontology", "t").conforms


def test_a_broken_graph_fails_with_a_message_naming_the_node() -> None:
    graph = Graph()
    org = URIRef("https://kg.haidian.example/id/org/no-label")
    graph.add((org, RDF.type, KG.Organization))
    graph.add((org, RDFS.label, Literal("English only", lang="en")))
    report = validate_graph(graph, ROOT / "ontology", "t")
    assert not report.conforms
    assert str(org) in report.text()
    assert any(v.path.endswith("label") for v in report.violations)


def _snapshot(home_store: Path) -> tuple[Path | None, bytes]:
    layout = StoreLayout(home_store)
    return layout.current_build(), canonical_ntriples(open_store(home_store))


def test_a_violating_build_fails_and_keeps_the_previous_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_home(tmp_path)
    build(settings)
    before = _snapshot(settings.store_dir)
    broken = URIRef(f"{settings.base_iri}id/doc/haidian-2024/part/99")

    def broken_extractor(ctx: ExtractionContext):  # a Part with no label, order, selectors or parent
        if ctx.source.id == "haidian-2024":
            yield broken, RDF.type, KG.Part

    real_extract = kg.build.extract
    monkeypatch.setattr(kg.build, "extract", lambda ctx: real_extract(ctx) + list(broken_extractor(ctx)))
    with pytest.raises(ValidationFailed) as caught:
        build(settings)
    assert "haidian-2024" in str(caught.value)
    assert str(broken) in caught.value.report
    assert _snapshot(settings.store_dir) == before


def test_a_failure_while_loading_leaves_no_half_written_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_home(tmp_path)
    build(settings)
    before = _snapshot(settings.store_dir)
    real_load = kg.build.load_graph
    calls = []

    def failing_load(store, graph, graph_iri):  # noqa: ANN001
        calls.append(graph_iri)
        if len(calls) == 2:  # the ontology is in, one document is half-way
            raise OSError("disk full (simulated)")
        real_load(store, graph, graph_iri)

    monkeypatch.setattr(kg.build, "load_graph", failing_load)
    with pytest.raises(OSError, match="simulated"):
        build(settings)
    assert _snapshot(settings.store_dir) == before
    builds = sorted(p.name for p in (settings.store_dir / "builds").iterdir())
    assert builds == [before[0].name]  # the unfinished build directory was removed


def test_a_successful_rebuild_swaps_in_a_new_directory(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    first = build(settings).build_dir
    second = build(settings).build_dir
    assert first != second
    assert StoreLayout(settings.store_dir).current_build() == second
