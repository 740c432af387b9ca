"""Tests of kg.parse.clean: debris removal with exact offsets into the original text."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.parse.clean import clean

SOURCES = Path(__file__).parents[1] / "data" / "sources"


def read(name: str) -> str:
    return (SOURCES / f"{name}.txt").read_text(encoding="utf-8")


def assert_offsets(original: str, text: str, offsets: list[int]) -> None:
    assert len(offsets) == len(text)
    assert all(b > a for a, b in zip(offsets, offsets[1:], strict=False)), "offsets must increase"
    for i, ch in enumerate(text):
        assert original[offsets[i]] == ch, (i, ch)


@pytest.mark.parametrize("name", ["haidian-2024", "haidian-2022"])
def test_offsets_map_every_kept_character(name: str) -> None:
    original = read(name)
    ct, _ = clean(original)
    assert ct.original_length == len(original)
    assert_offsets(original, ct.text, ct.offsets)


def test_2024_web_chrome_removed() -> None:
    original = read("haidian-2024")
    ct, footnotes = clean(original)
    assert footnotes == []
    for word in ("官方微信", "产业客服", "商业客服", "公寓客服"):
        assert original.count(word) == 2
        assert word not in ct.text
    assert not ct.text.lstrip().startswith("Logo")
    assert "Logo" not in ct.text
    # the notice title line and the last measure are kept
    assert ct.text.lstrip().startswith("北京市海淀区人民政府办公室关于印发《关于海淀区2024年")
    assert ct.text.rstrip().endswith("发挥好财政资金聚力增效作用。")


def test_2022_word_debris_removed() -> None:
    original = read("haidian-2022")
    ct, _ = clean(original)
    assert original.count("[bookmark:") == 2
    assert "[bookmark:" not in ct.text
    assert "[footnoteRef:" not in ct.text
    for label in "0123":
        assert f"[{label}:" not in ct.text
    # tab-indented annex rows at the very end are not mistaken for chrome
    assert ct.text.rstrip().endswith("\t区城管指挥中心")
    assert ct.text.lstrip().startswith("关于海淀区2022年国民经济和社会发展")


def test_2022_footnotes() -> None:
    original = read("haidian-2022")
    _, footnotes = clean(original)
    assert [f.label for f in footnotes] == ["0", "1", "2", "3"]
    first = footnotes[0]
    assert first.text == (
        "即7个现有商圈（公主坟、五棵松、五道口、中关村、世纪城、万柳、清河商圈）和2个待培育商圈（西北旺和永丰商圈）。"
    )
    assert footnotes[1].text == (
        "政策清单、目标企业清单、空间资源清单、企业诉求清单、政策建议清单、政策及项目收获清单。"
    )
    assert footnotes[2].text == "即东升镇、海淀镇、四季青镇。"
    assert footnotes[3].text == "历史账、规划账、时间账、效果账。"
    for f in footnotes:
        assert original[f.start : f.end] == f.text
        assert original[f.ref_start : f.ref_end] == f"[footnoteRef:{f.label}]"
        assert f.ref_end <= f.start  # the marker comes before its body
    # the markers stood after 商圈 (line 90) and 管理平台 (line 93)
    assert original[first.ref_start - 2 : first.ref_start] == "商圈"
    assert original.count("\n", 0, first.ref_start) + 1 == 90
    assert original.count("\n", 0, footnotes[1].ref_start) + 1 == 93


def test_bom_and_crlf() -> None:
    original = "\ufeff一、总体情况\r\n经济平稳。\r\n"
    ct, _ = clean(original)
    assert ct.text == "一、总体情况\n经济平稳。\n"
    assert_offsets(original, ct.text, ct.offsets)
    assert ct.span(0, 2) == (1, 3)


def test_bracket_footnotes() -> None:
    original = (
        "一、情况\n建设三个商圈[1]，推进改革[2]。\n\n[1] 即五棵松、公主坟、中关村。\n[2] 指两区建设。\n"
    )
    ct, footnotes = clean(original)
    assert [f.label for f in footnotes] == ["1", "2"]
    assert footnotes[0].text == "即五棵松、公主坟、中关村。"
    assert original[footnotes[0].ref_start : footnotes[0].ref_end] == "[1]"
    assert "[1]" not in ct.text and "即五棵松" not in ct.text
    assert "建设三个商圈，推进改革。" in ct.text
    assert_offsets(original, ct.text, ct.offsets)


def test_bracket_numbers_without_body_are_kept() -> None:
    original = "一、情况\n见文件[1]。\n"
    ct, footnotes = clean(original)
    assert footnotes == []
    assert ct.text == original


def test_other_site_chrome_by_shape() -> None:
    body = "一、总体情况\n全区经济平稳运行。\n"
    chrome = "\n返回顶部\n\n网站地图\n网站地图\n\n联系我们\n联系我们\n"
    original = "LOGO\n\n" + body + chrome
    ct, _ = clean(original)
    assert ct.text.strip() == body.strip()
    assert_offsets(original, ct.text, ct.offsets)


def test_repeated_short_lines_without_chrome_words() -> None:
    original = "一、情况\n全区经济平稳运行。\n\n友情链接\n友情链接\n\n办事指南\n办事指南\n"
    ct, _ = clean(original)
    assert ct.text.strip() == "一、情况\n全区经济平稳运行。"


def test_short_closing_lines_are_not_chrome() -> None:
    original = "一、情况\n全区经济平稳运行。\n\n北京市海淀区人民政府\n2024年12月\n"
    ct, _ = clean(original)
    assert ct.text == original


def test_clean_never_invents_characters() -> None:
    original = "[bookmark: _GoBack]标题\n正文[footnoteRef:1]内容。 [1:  注释[嵌套]内容。] \n"
    ct, footnotes = clean(original)
    assert_offsets(original, ct.text, ct.offsets)
    assert footnotes[0].text == "注释[嵌套]内容。"
    assert ct.text == "标题\n正文内容。  \n"
