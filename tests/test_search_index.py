"""The search index's one-character postings give the same answer as finding and ranking every match."""

from __future__ import annotations

import pytest

from kg.build import BuildResult
from kg.config import Settings
from kg.store import open_store
from web import create_app
from web.search import SearchIndex


@pytest.fixture(scope="module")
def index(built_home: tuple[Settings, BuildResult]) -> SearchIndex:
    settings, _ = built_home
    with create_app(settings).app_context():
        return SearchIndex.build(open_store(settings.store_dir))


def slow_search(index: SearchIndex, q: str, type_iri: str | None, limit: int) -> tuple[list[str], dict[str, int]]:
    """The general path: every match found in the key string, ranked and counted."""
    found = sorted(((tier, -e.degree, len(e.label("zh")), e.iri, e) for tier, e in index.matches(q).values()),
                   key=lambda r: r[:4])
    facets: dict[str, int] = {}
    for *_, e in found:
        for t in e.types:
            facets[t] = facets.get(t, 0) + 1
    return [r[3] for r in found if not type_iri or type_iri in r[4].types][:limit], facets


def test_one_character_searches_equal_the_general_path(index: SearchIndex) -> None:
    chars = sorted({ch for e in index.entries.values() for k in e.keys for ch in k})
    types = sorted({t for e in index.entries.values() for t in e.types})
    assert len(chars) > 500
    for i, ch in enumerate(chars):
        type_iri = types[i % len(types)] if i % 3 == 0 else None
        results, facets = index.search(ch, type_iri, 20)
        assert ([e.iri for e in results], facets) == slow_search(index, ch, type_iri, 20), ch
    assert index.search("区")[0] and index.search("h")[0]  # a Chinese character and a pinyin initial
