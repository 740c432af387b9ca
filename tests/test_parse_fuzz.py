"""Fuzz tests of the parser: any str input gives a document or a ParseError, and the invariants hold."""

from __future__ import annotations

from bisect import bisect_left
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import ParseError
from kg.model import Node, ParsedDocument
from kg.parse import parse_document
from kg.parse.clean import clean

SOURCES = Path(__file__).parents[1] / "data" / "sources"
CORPUS = "".join((SOURCES / f"{n}.txt").read_text(encoding="utf-8") for n in ("haidian-2024", "haidian-2022"))

TOKENS = [
    "\n", "\n\n", "\t", "\r\n", "\r", "\ufeff", "\xa0", " ", "\u3000",
    "一、", "二、", "（一）", "(二)", "(1)", "（2）", "（3）",
    "专栏1：", "专栏2:", "专栏", "附件：", "附件1", "附件2",
    "1.", "2.", "1、", "Ø ", "· ", "• ", "- ", "* ", "| a | b |", "|---|---|", "|", "a\tb\tc",
    "[footnoteRef:1]", "[1:  注释。]", "[1]", "[bookmark: _GoBack]", "[", "]", "Logo", "官方微信", "产业客服",
    "。", "！", "？", "“", "”", "《", "》", "（", "）", "，", "：", "；",
    "海淀区", "文字", "序号", "名称", "地址", "八里庄街道", "1-42", "43", "2024年", "名称：甲；地址：乙",
    "推进改革。", "经济平稳运行，增长6%。",
]  # fmt: skip

pieces = st.one_of(
    st.sampled_from(TOKENS),
    st.text(max_size=6),
    st.text(alphabet=st.sampled_from("专栏附件一二三（）()\t\n 12:：。Ø|"), max_size=8),
)
documents = st.one_of(
    st.lists(pieces, max_size=60).map("".join),
    st.tuples(st.integers(0, len(CORPUS)), st.integers(0, 4000)).map(lambda t: CORPUS[t[0] : t[0] + t[1]]),
    st.text(max_size=200),
)


def clean_projection(doc: ParsedDocument, offsets: list[int], text: str, n: Node) -> str:
    """The cleaned characters whose original offsets fall in the node's span."""
    a = bisect_left(offsets, n.start)
    b = bisect_left(offsets, n.end)
    return text[a:b].strip()


def check_document(original: str, doc: ParsedDocument) -> None:
    ct, _ = clean(original)
    root = doc.root
    assert root.kind == "document"
    assert doc.original == original

    def visit(n: Node) -> None:
        assert 0 <= n.start <= n.end <= len(original), n
        for c in n.children:
            if c.kind != "footnote":
                assert n.start <= c.start <= c.end <= n.end, (n.kind, c.kind)
            visit(c)
        if n.kind in ("paragraph", "sentence", "measure"):
            assert clean_projection(doc, ct.offsets, ct.text, n) == n.text, (n.kind, n.text)
        if n.kind == "sentence":
            assert n.text and "\n" not in n.text and "\r" not in n.text

    visit(root)
    for f in doc.footnotes:
        assert original[f.start : f.end] == f.text
    for start, end, why in doc.unplaced:
        assert 0 <= start <= end <= len(original) and why


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_clean_keeps_offsets(original: str) -> None:
    ct, footnotes = clean(original)
    assert len(ct.offsets) == len(ct.text)
    for i, ch in enumerate(ct.text):
        assert original[ct.offsets[i]] == ch
    for f in footnotes:
        assert original[f.start : f.end] == f.text
        assert 0 <= f.ref_start <= f.ref_end <= len(original)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_parse_never_raises_anything_but_parse_error(original: str) -> None:
    try:
        doc = parse_document("fuzz", original)
    except ParseError as err:
        assert "internal" not in err.message  # a parser bug shows up as an internal error
        return
    check_document(original, doc)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 30), st.integers(1, 5))
def test_tables_of_any_shape(rows: int, cols: int) -> None:
    """One-cell-per-line boxes of any size parse to rows of at most the header's width."""
    header = ["名称", "地址", "类别", "时间", "单位"][:cols]
    body = [f"值{r}x{c}" for r in range(rows) for c in range(cols)]
    text = (
        "一、情况\n专栏1：测试\n\n"
        + "\n\n".join(header + body)
        + "\n\n全区经济平稳运行，各项工作有序推进，成效明显。继续努力。\n"
    )
    doc = parse_document("t", text)
    check_document(text, doc)
    (box,) = doc.root.find("box")
    if cols >= 2:
        table = box.find("table")[0]
        assert len(table.children) == rows + 1
        assert all(len(r.children) == cols for r in table.children)
    assert doc.root.find("paragraph")[-1].text.startswith("全区经济平稳运行")
