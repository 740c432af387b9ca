"""The search index: its one-character postings give the same answer as finding and ranking every match, a
match found among a character's holders equals one found by scanning every key, and its pinyin keys from one
conversion equal those of two."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypinyin import Style, lazy_pinyin

from kg.build import BuildResult
from kg.config import Settings
from kg.store import StoreLayout, open_store
from web import create_app
from web.search import CANDIDATE_SHARE, SearchIndex, _saved_or_built, normalise, pinyin_keys


@pytest.fixture(scope="module")
def index(built_home: tuple[Settings, BuildResult]) -> SearchIndex:
    settings, _ = built_home
    with create_app(settings).app_context():
        return SearchIndex.build(open_store(settings.store_dir))


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


def test_a_saved_index_is_read_back_equal_and_a_broken_one_rebuilt(built_home: tuple[Settings, BuildResult],
                                                                    tmp_path: Path) -> None:
    settings, _ = built_home
    build = StoreLayout(settings.store_dir).current_build()
    with create_app(settings).app_context():
        built = _saved_or_built(build, tmp_path)
        saved = tmp_path / f"{build.name}.json"
        assert saved.exists() and not list(tmp_path.glob("*.partial"))
        read = _saved_or_built(build, tmp_path)
        assert read.entries == built.entries
        assert [e.iri for e in read.search("海淀")[0]] == [e.iri for e in built.search("海淀")[0]]
        saved.write_text("[{", encoding="utf-8")  # cut short
        assert _saved_or_built(build, tmp_path).entries == built.entries
        (tmp_path / "older-build.json").write_text("[]", encoding="utf-8")
        saved.unlink()
        _saved_or_built(build, tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == [saved.name, "pinyin.json"]  # another build's gone


def test_the_pinyin_of_the_last_build_is_reused_and_only_its_names_kept(built_home: tuple[Settings, BuildResult],
                                                                       tmp_path: Path) -> None:
    """A name whose pinyin the last build kept is not converted again (here a planted key proves it was
    read), and the file keeps the names of this build only."""
    settings, _ = built_home
    build = StoreLayout(settings.store_dir).current_build()
    (tmp_path / "pinyin.json").write_text(json.dumps({"海淀区": ["planted"], "不在图中的名字": ["x"],
                                                       "上庄镇": "not a list"}), encoding="utf-8")
    with create_app(settings).app_context():
        index = _saved_or_built(build, tmp_path)
    keys = {k for e in index.entries.values() if "海淀区" in e.names.values() for k in e.keys}
    assert "planted" in keys and "hdq" not in keys
    shangzhuang = {k for e in index.entries.values() if "上庄镇" in (*e.names.values(), *e.alt) for k in e.keys}
    assert "szz" in shangzhuang  # a damaged entry is converted again
    kept = json.loads((tmp_path / "pinyin.json").read_text(encoding="utf-8"))
    assert "不在图中的名字" not in kept and kept["海淀区"] == ["planted"] and kept["上庄镇"] == pinyin_keys("上庄镇")
    named = {n for e in index.entries.values() for n in (*e.names.values(), *e.alt)}
    assert set(kept) == named
