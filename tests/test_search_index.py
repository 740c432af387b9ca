"""The search index: its one-character postings give the same answer as finding and ranking every match, a
match found among a character's holders equals one found by scanning every key, and its pinyin keys from one
conversion equal those of two; the index a build saves is the one the server reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypinyin import Style, lazy_pinyin

from kg.build import BuildResult
from kg.config import Settings
from kg.search_index import (
    CANDIDATE_SHARE,
    INDEX_FILE,
    PINYIN_FILE,
    SearchIndex,
    normalise,
    pinyin_keys,
    read_index,
    write_index,
)
from kg.store import StoreLayout, open_store
from web import create_app, search


@pytest.fixture(scope="module")
def index(built_home: tuple[Settings, BuildResult]) -> SearchIndex:
    settings, _ = built_home
    return SearchIndex.build(open_store(settings.store_dir), settings.base_iri)


def slow_search(index: SearchIndex, q: str, type_iri: str | None, limit: int) -> tuple[list[str], dict[str, int]]:
    """The general path: every match found in the key string, ranked and counted."""
    matched = ((tier, index.entry(place)) for place, tier in index.matches(q).items())
    found = sorted(((tier, -e.degree, len(e.label("zh")), e.iri, e) for tier, e in matched), key=lambda r: r[:4])
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


def test_matches_among_a_characters_holders_equal_a_scan_of_every_key(index: SearchIndex) -> None:
    """Both ways of finding a multi-character query's matches give the same entries and tiers."""
    names = sorted({n for e in index.entries.values() for n in e.names.values()})
    queries = {q for n in names[::7] for q in (n[:2], n[1:4], n[-2:], n)} | {"hd", "zgc", "海淀区", "养老", "zz"}
    some_rare = 0
    for q in sorted(normalise(q) for q in queries if len(normalise(q)) > 1):
        rarest = min(q, key=index._holding)
        among = index._matches_among(q, [place for tier in index._by_char.get(rarest, ([],))[0] for place in tier])
        assert among == index._matches_in_keys(q), q
        some_rare += index._holding(rarest) * CANDIDATE_SHARE < len(index.entries)
    assert some_rare > 50  # the postings path is the one taken for most Chinese queries


def test_pinyin_keys_from_one_conversion_equal_two(index: SearchIndex) -> None:
    names = {n for e in index.entries.values() for n in (*e.names.values(), *e.alt)}
    names |= {"AI大模型", "RISC-V芯片", "第一〇一中学", "3GPP标准", "abc海淀", "ＡＢＣ公司", "𠀀字", "重庆银行"}
    for name in sorted(names):
        initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
        assert pinyin_keys(name) == [normalise(initials), normalise("".join(lazy_pinyin(name)))], name
    assert pinyin_keys("海淀区") == ["hdq", "haidianqu"]


def test_the_build_saves_its_index_and_the_server_reads_it(built_home: tuple[Settings, BuildResult],
                                                           index: SearchIndex) -> None:
    settings, _ = built_home
    build = StoreLayout(settings.store_dir).current_build()
    saved = read_index(build)
    assert saved is not None and saved.entries == index.entries
    with create_app(settings).app_context():
        assert search.get_index().entries == index.entries
        assert [e.iri for e in search.get_index().search("海淀")[0]] == [e.iri for e in index.search("海淀")[0]]


def test_an_unreadable_index_is_none_and_the_server_builds_one(built_home: tuple[Settings, BuildResult],
                                                               index: SearchIndex, tmp_path: Path) -> None:
    """A build made before builds saved their index (or a damaged file) is still searchable."""
    settings, _ = built_home
    assert read_index(tmp_path) is None
    for text in ("[{", '{"a": 1}', '[{"iri": 1}]', "[1]", '[{"iri": "x", "types": [], "other": 1}]'):
        (tmp_path / INDEX_FILE).write_text(text, encoding="utf-8")
        assert read_index(tmp_path) is None, text
    (tmp_path / INDEX_FILE).write_text("[]", encoding="utf-8")  # a store that names nothing
    empty = read_index(tmp_path)
    assert empty is not None and not empty.entries
    (tmp_path / INDEX_FILE).unlink()
    with create_app(settings).app_context():
        assert search._current_index(tmp_path).entries == index.entries


def test_the_pinyin_of_the_last_build_is_reused_and_only_its_names_kept(built_home: tuple[Settings, BuildResult],
                                                                       tmp_path: Path) -> None:
    """A name whose pinyin the last build kept is not converted again (here a planted key proves it was
    read), and the file keeps the names of this build only; indexes kept by earlier versions are removed."""
    settings, _ = built_home
    cache, build = tmp_path / "cache", tmp_path / "build"
    cache.mkdir()
    build.mkdir()
    (cache / PINYIN_FILE).write_text(json.dumps({"海淀区": ["planted"], "不在图中的名字": ["x"],
                                                  "上庄镇": "not a list"}), encoding="utf-8")
    (cache / "20261206T000000-1-1.json").write_text("[]", encoding="utf-8")  # as servers of earlier versions kept
    write_index(open_store(settings.store_dir), build, cache, settings.base_iri)
    index = read_index(build)
    assert index is not None and sorted(p.name for p in cache.iterdir()) == [PINYIN_FILE]
    keys = {k for e in index.entries.values() if "海淀区" in e.names.values() for k in e.keys}
    assert "planted" in keys and "hdq" not in keys
    shangzhuang = {k for e in index.entries.values() if "上庄镇" in (*e.names.values(), *e.alt) for k in e.keys}
    assert "szz" in shangzhuang  # a damaged entry is converted again
    kept = json.loads((cache / PINYIN_FILE).read_text(encoding="utf-8"))
    assert "不在图中的名字" not in kept and kept["海淀区"] == ["planted"] and kept["上庄镇"] == pinyin_keys("上庄镇")
    named = {n for e in index.entries.values() for n in (*e.names.values(), *e.alt)}
    assert set(kept) == named
