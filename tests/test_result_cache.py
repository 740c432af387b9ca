"""The result cache: an answer is kept per build, read back whole, and never served for another build."""

from __future__ import annotations

from pathlib import Path

from kg.store import StoreLayout
from web.result_cache import ResultCache

JOB = {"query": "SELECT * WHERE { ?s ?p ?o }", "table": "json", "graph": "ttl", "cap": 10}
OK = {"status": 200, "content_type": "application/sparql-results+json", "count": 3}


def layout_with_build(tmp_path: Path, name: str) -> StoreLayout:
    """A store root whose ``current`` points at build ``name`` (what StoreLayout.current_build reads)."""
    layout = StoreLayout(tmp_path / "store")
    build = layout.builds / name
    (build / "oxigraph").mkdir(parents=True, exist_ok=True)
    if layout.current.is_symlink():
        layout.current.unlink()
    layout.current.symlink_to(build)
    return layout


def test_a_slow_answer_is_kept_for_its_build_and_read_back(tmp_path: Path) -> None:
    layout = layout_with_build(tmp_path, "b1")
    cache = ResultCache(tmp_path / "results", layout, min_seconds=0.1)
    assert cache.get(JOB) is None
    assert cache.put(JOB, OK | {"build": "b1"}, b'{"rows": 3}', seconds=0.5)
    header, body = cache.get(JOB)
    assert body == b'{"rows": 3}' and header["count"] == 3 and header["cached"] is True
    assert cache.get(JOB | {"cap": 11}) is None  # another job (here its row cap) is another answer


def test_fast_failed_or_unattributed_answers_are_not_kept(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "results", layout_with_build(tmp_path, "b1"), min_seconds=0.1)
    assert not cache.put(JOB, OK | {"build": "b1"}, b"x", seconds=0.01)
    assert not cache.put(JOB, {"status": 400, "error": "bad", "build": "b1"}, b"", seconds=1.0)
    assert not cache.put(JOB, OK | {"build": None}, b"x", seconds=1.0)
    assert cache.get(JOB) is None


def test_an_answer_is_never_served_for_another_build(tmp_path: Path) -> None:
    layout = layout_with_build(tmp_path, "b1")
    cache = ResultCache(tmp_path / "results", layout, min_seconds=0)
    cache.put(JOB, OK | {"build": "b1"}, b"old", seconds=1.0)
    layout_with_build(tmp_path, "b2")  # a new build swaps current
    assert cache.get(JOB) is None
    # a worker that still read b1 files its answer under b1, which the current build never reads
    cache.put(JOB, OK | {"build": "b1"}, b"old", seconds=1.0)
    assert cache.get(JOB) is None
    cache.put(JOB, OK | {"build": "b2"}, b"new", seconds=1.0)
    assert cache.get(JOB)[1] == b"new"
    assert [p.name for p in (tmp_path / "results").iterdir()] == ["b2"]  # other builds' answers removed


def test_a_body_cut_short_is_not_read_and_the_size_is_bounded(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "results", layout_with_build(tmp_path, "b1"), min_seconds=0, max_bytes=100)
    cache.put(JOB, OK | {"build": "b1"}, b"0123456789", seconds=1.0)
    body = tmp_path / "results" / "b1" / f"{cache.key(JOB)}.body"
    body.write_bytes(b"01234")  # as a crash between writes could leave it
    assert cache.get(JOB) is None
    assert not cache.put(JOB | {"cap": 2}, OK | {"build": "b1"}, b"y" * 200, seconds=1.0)
