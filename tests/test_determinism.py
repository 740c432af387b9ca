"""Determinism of every export: a second build, with the sources in reverse order, gives the same bytes.

tests/test_build.py checks the canonical N-Triples export; this checks Turtle, TriG, N-Quads and JSON-LD
too (the formats with prefixes, named graphs and blank-node labels), against the session's built home.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.build
from kg.build import BuildResult, build
from kg.config import Settings
from kg.export import FORMATS, export
from kg.sources import load_sources
from kg.store import open_store
from tests.conftest import make_home


@pytest.fixture(scope="module")
def reversed_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_home(tmp_path_factory.mktemp("reversed"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kg.build, "load_sources", lambda *a: list(reversed(load_sources(*a))))
        build(settings)
    return settings


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_export_is_byte_identical_across_builds_and_source_order(
    fmt: str, built_home: tuple[Settings, BuildResult], reversed_home: Settings, tmp_path: Path
) -> None:
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    count = export(open_store(built_home[0].store_dir), fmt, first)
    assert export(open_store(reversed_home.store_dir), fmt, second) == count > 10_000
    assert first.read_bytes() == second.read_bytes()


def test_blank_nodes_get_the_same_labels_in_every_build(
    built_home: tuple[Settings, BuildResult], reversed_home: Settings, tmp_path: Path
) -> None:
    """The store labels blank nodes at random on each load; the exports must not show it."""
    store = open_store(built_home[0].store_dir)
    other = open_store(reversed_home.store_dir)
    raw, raw_other = (
        {str(q.subject) for q in s.quads_for_pattern(None, None, None, None) if isinstance(q.subject, ox.BlankNode)}
        for s in (store, other)
    )
    if not raw:
        pytest.skip("no blank nodes in the graph")
    assert raw != raw_other  # the stores differ …
    a, b = tmp_path / "a.trig", tmp_path / "b.trig"
    export(store, "trig", a)
    export(other, "trig", b)
    assert a.read_bytes() == b.read_bytes()  # … the exports do not
