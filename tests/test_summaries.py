"""The build-time target outcomes (kg.summaries), rule by rule, on hand-made year slices: each case is one
indicator in one district in one year, a target and an actual as the extraction writes them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.summaries
from kg.build import build
from kg.config import ONTOLOGY_NS as KG
from kg.errors import ValidationFailed
from kg.query import run_query
from kg.store import StoreLayout
from kg.summaries import summarize
from tests.conftest import make_home

BASE = "https://kg.example/"
QB = "http://purl.org/linked-data/cube#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def observation(name: str, kind: str, text: str, value: str | None = None, comparator: str | None = None,
                low: str | None = None, high: str | None = None) -> str:
    lines = [f"<{BASE}{name}> <{KG}valueKind> <{KG}valuekind-{kind}> ; <{KG}valueText> \"{text}\""]
    for prop, literal in (("value", value), ("valueMin", low), ("valueMax", high)):
        if literal is not None:
            lines.append(f"<{KG}{prop}> \"{literal}\"^^<{XSD}decimal>")
    if comparator is not None:
        lines.append(f"<{KG}comparator> \"{comparator}\"")
    return " ;\n  ".join(lines) + " ."


def case(name: str, target: str, actual: str, direction: str | None = None) -> str:
    """A year slice of indicator ``name`` holding the target and the actual (Turtle)."""
    indicator = f"<{BASE}indicator/{name}>"
    slice_ = f"<{BASE}slice/{name}>"
    lines = [f"{indicator} <http://www.w3.org/2000/01/rdf-schema#label> \"{name}\"@zh ."]
    if direction:
        lines.append(f"{indicator} <{KG}desiredDirection> <{KG}direction-{direction}> .")
    lines += [
        f"{slice_} <{QB}sliceStructure> <{KG}seriesYearKey> ; <{KG}refArea> <{BASE}area> ;"
        f" <{KG}refYear> \"2022\"^^<{XSD}gYear> ; <{QB}observation> <{BASE}{name}/t> , <{BASE}{name}/a> .",
        f"<{BASE}{name}/t> <{KG}indicator> {indicator} .",
        target.replace("@", f"{name}/t"),
        actual.replace("@", f"{name}/a"),
    ]
    return "\n".join(lines)


CASES = {  # indicator -> (target, actual, direction, expected outcome; None: not judged)
    "plain-below": (observation("@", "target", "6", "6"), observation("@", "actual", "4", "4"), "higher", "missed"),
    "plain-above": (observation("@", "target", "6", "6"), observation("@", "actual", "7", "7"), "higher", "met"),
    "equal": (observation("@", "target", "6", "6"), observation("@", "actual", "6", "6"), "higher", "met"),
    "at-least": (observation("@", "target", "6以上", "6", "以上"), observation("@", "actual", "5.9", "5.9"),
                 None, "missed"),
    "at-most-over": (observation("@", "target", "3以内", "3", "以内"), observation("@", "actual", "3.5", "3.5"),
                     None, "missed"),
    "at-most-under": (observation("@", "target", "3以内", "3", "以内"), observation("@", "actual", "2", "2"),
                      None, "met"),
    "lower-better": (observation("@", "target", "10", "10"), observation("@", "actual", "12", "12"),
                     "lower", "missed"),
    "lower-better-but-at-least": (observation("@", "target", "10以上", "10", "以上"),
                                  observation("@", "actual", "12", "12"), "lower", "met"),
    "about-within": (observation("@", "target", "10左右", "10", "左右"), observation("@", "actual", "9.6", "9.6"),
                     "higher", "met"),
    "about-beyond": (observation("@", "target", "10左右", "10", "左右"), observation("@", "actual", "9.4", "9.4"),
                     "higher", "missed"),
    "range-upper-end": (observation("@", "target", "9", "9"), observation("@", "actual", "8-9", low="8", high="9"),
                        "higher", "met"),
    "range-lower-end": (observation("@", "target", "8", "8", "以内"),
                        observation("@", "actual", "8-9", low="8", high="9"), None, "met"),
    "textual-target": (observation("@", "target", "稳步增长"), observation("@", "actual", "4", "4"), "higher", None),
    "textual-actual": (observation("@", "target", "6", "6"), observation("@", "actual", "可完成"), "higher", None),
    "no-direction": (observation("@", "target", "6", "6"), observation("@", "actual", "4", "4"), None, None),
    "no-direction-at-most": (observation("@", "target", "3以内", "3", "以内"), observation("@", "actual", "4", "4"),
                             None, "missed"),
}


def summarized(names: list[str]) -> ox.Store:
    """A store of the named cases' slices in one district (某区), with the summaries derived."""
    store = ox.Store()
    store.load("\n".join(case(name, *CASES[name][:3]) for name in names).encode("utf-8"), format=ox.RdfFormat.TURTLE)
    store.add(ox.Quad(ox.NamedNode(f"{BASE}area"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                      ox.Literal("某区", language="zh")))
    summarize(store, f"{BASE}graph/summaries", BASE)
    return store


@pytest.fixture(scope="module")
def outcomes() -> dict[str, str]:
    rows = run_query(summarized(list(CASES)), """SELECT ?i ?outcome WHERE {
        ?o a kg:TargetOutcome ; kg:indicator ?i ; kg:outcome ?outcome }""")
    return {row["i"].value.rsplit("/", 1)[1]: row["outcome"].value.rsplit("-", 1)[1] for row in rows}


@pytest.mark.parametrize("name", CASES)
def test_each_rule(outcomes: dict[str, str], name: str) -> None:
    assert outcomes.get(name) == CASES[name][3]


def test_an_outcome_names_both_values_and_is_in_the_summaries_graph() -> None:
    rows = list(run_query(summarized(["about-beyond"]), f"""SELECT ?o ?label WHERE {{ GRAPH <{BASE}graph/summaries> {{
        ?o a kg:TargetOutcome ; rdfs:label ?label ; kg:target <{BASE}about-beyond/t> ;
           kg:actual <{BASE}about-beyond/a> ; kg:refYear "2022"^^xsd:gYear ; kg:refArea <{BASE}area> }} }}"""))
    assert len(rows) == 1
    assert rows[0]["o"].value.startswith(f"{BASE}id/outcome/")
    assert rows[0]["label"].value == "某区 · about-beyond 2022：目标 10左右，实际 9.4（未完成）"


def test_a_summary_that_breaks_the_shapes_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The summaries' graph is validated before the store is swapped in: an outcome without its outcome
    fails the build, names the node, and leaves no store behind."""
    settings = make_home(tmp_path / "home")
    broken = f"""INSERT DATA {{ GRAPH ?summaries {{ <{settings.base_iri}id/outcome/broken> a kg:TargetOutcome ;
        rdfs:label "坏"@zh ; kg:target <{BASE}t> ; kg:actual <{BASE}a> ; kg:indicator <{BASE}i> ;
        kg:refArea <{BASE}area> ; kg:refYear "2022"^^xsd:gYear }} }}"""
    monkeypatch.setattr(kg.summaries, "UPDATES", (*kg.summaries.UPDATES, broken))
    with pytest.raises(ValidationFailed) as caught:
        build(settings)
    assert "summaries" in str(caught.value) and "id/outcome/broken" in caught.value.report
    assert StoreLayout(settings.store_dir).current_build() is None
