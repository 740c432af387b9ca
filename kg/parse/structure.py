"""Recover the structure tree of a report from its cleaned text.

The tree (every node's ``start``/``end`` is a span of the ORIGINAL text; ``text`` is the cleaned
text of that span, trimmed)::

    document
      title                     the title block before the first part (``title`` = the report
                                title, the 《…》 of a "关于印发《…》的通知" line when there is one)
      paragraph …               text before the first part, if any
      part  (一、…)             ``number`` "一", ``ordinal`` 1, ``title`` the heading text
        paragraph | box | table | section
        section ((一)/（一）)   ``number`` as written, ``ordinal``, ``title``
          paragraph | box | table
      annex                     ``number``/``ordinal`` N, ``title`` its own heading (may wrap);
        table | paragraph …     parts and sections inside an annex nest under it
      footnote …                bodies cut out of the running text, attached to the document
                                (always the LAST children of the root, in marker order)

Paragraphs: one line of prose is one paragraph. A paragraph's children are, in order, the
sentences before its first numbered measure, then one ``measure`` node per (1)/（1） marker
(numbers must run 1, 2, 3 … to count). **Rule: the sentences of a measure are children of the
measure, not of the paragraph**; a measure spans from its marker to the next marker or the end
of the paragraph, and its sentences exclude the marker. ``measure.title`` is its first sentence
without the marker and final punctuation.

Boxes (专栏N：title / 专栏N:title): ``ordinal`` N, ``title`` the full title even when it wraps
onto a second line; children: one ``table`` (rows of cells) when one is found, otherwise nothing.
Table layouts recognised, inside boxes or anywhere:

* tab-indented (Word): a line starting with a tab starts a cell, a following line without a tab
  continues (wraps) the cell, a blank line ends a row;
* tab-separated rows on one line; pipe tables ``| a | b |`` (separator rows skipped);
* one cell per line (web pages, only after a 专栏 title): the header row gives the column count;
  bullet lines (Ø, ·, • …) are merged into one cell; rows that end in a bullet cell delimit
  themselves; rows whose first column is a sequence number start at that number; otherwise cells
  are taken column-count at a time. A row shorter than the others lacks its leading cells (they
  span from the row above). Wrapped cells are merged when the row has too many lines; the box ends
  where running prose resumes (a prose line where a first-column label is expected);
* numbered key-value lists "1. 名称：…；地址：…" (one row per item, one cell per ；-segment).

A cell's ``title`` holds its normalised value: each line stripped, wrapped lines joined without a
separator, list lines (bullets) joined with "\\n". The first row of a table is its header when
it has one. Sentences are children of paragraphs (or measures) and of cells.

Text the parser cannot place with confidence is reported in ``unplaced`` with a reason.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kg.errors import ParseError
from kg.model import CleanText, Footnote, Node
from kg.parse.sentences import BULLETS, SPACE_BULLETS, split_sentences

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_NUM = "一二三四五六七八九十百零〇两"

PART_RE = re.compile(rf"^([{CN_NUM}]+)、\s*(.*)$|^第([{CN_NUM}]+)部分\s*[：:]?\s*(.*)$")
SECTION_RE = re.compile(rf"^([（(]([{CN_NUM}]+)[）)])\s*(.*)$")
BOX_RE = re.compile(rf"^专栏\s*([0-9０-９]+|[{CN_NUM}]+)\s*(?:[:：.．、]\s*|\s+|$)(.*)$")
ANNEX_RE = re.compile(r"^附\s*件\s*([0-9０-９]+)?\s*[:：]?\s*(.*)$")
LIST_ITEM_RE = re.compile(r"^([0-9０-９]{1,3})\s*[.．、]\s*(\S.*)$")
MEASURE_RE = re.compile(r"[（(]([0-9０-９]{1,2})[）)]")
NUM_CELL_RE = re.compile(r"^([0-9０-９]{1,4})(?:\s*[-—–~～至]\s*([0-9０-９]{1,4}))?[.．、]?$")
TOPIC_RE = re.compile(r"^[^，,；;：:。！？\n]{2,30}[。！？]")
KV_ITEM_RE = re.compile(r"^([0-9０-９]{1,3})\s*[.．、]\s*[^：:]{1,12}[：:].+[；;].+$")
HEADER_WORDS = (
    "序号",
    "编号",
    "名称",
    "地址",
    "时间",
    "类别",
    "内容",
    "举措",
    "措施",
    "安排",
    "进展",
    "单位",
    "部门",
    "指标",
    "属性",
    "目标",
    "数值",
    "领域",
    "政策",
    "效果",
    "备注",
    "年份",
    "情况",
    "项目",
    "金额",
    "规模",
    "类型",
    "区域",
    "位置",
    "街道",
    "所属",
    "成员",
    "任务",
    "责任",
    "主要",
    "重点",
    "详细",
    "点位",
    "计划",
    "工作",
    "成果",
    "完成",
    "预计",
    "合计",
    "总计",
    "文件",
)
TERMINAL_ENDINGS = (
    "中学",
    "小学",
    "学校",
    "大学",
    "学院",
    "集团",
    "医院",
    "中心",
    "公司",
    "街道",
    "幼儿园",
    "研究院",
)
TERMINAL_CHARS = set("局委办院所站馆园店厅部会号层楼室村镇区路街年月日项个）)」》”。；;，,、%")
MAX_HEADING = 60


def cn_to_int(s: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23; digits (also full-width) → int; None when not a number."""
    s = s.strip()
    if not s:
        return None
    if s.isdigit():
        try:
            return int(s)
        except ValueError:
            return None
    total = 0
    cur = 0
    for ch in s:
        if ch in CN_DIGITS:
            cur = CN_DIGITS[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur


def _is_bullet_line(s: str) -> bool:
    return bool(s) and (s[0] in BULLETS or (s[0] in SPACE_BULLETS and len(s) > 1 and s[1].isspace()))


@dataclass
class Line:
    idx: int
    start: int  # clean offset of the line start
    end: int  # clean offset of the line end (before the line break)
    raw: str
    s: str  # stripped

    @property
    def blank(self) -> bool:
        return not self.s

    @property
    def tab(self) -> bool:
        return self.raw.startswith("\t")


@dataclass
class Item:
    """One cell candidate of a one-cell-per-line table: one line, or a run of bullet lines."""

    lines: list[Line]
    bullet: bool = False
    empty: bool = False

    @property
    def text(self) -> str:
        return "\n".join(ln.s for ln in self.lines)

    @property
    def start(self) -> int:
        return self.lines[0].start

    @property
    def end(self) -> int:
        return self.lines[-1].end


def split_lines(text: str) -> list[Line]:
    out: list[Line] = []
    pos = 0
    n = len(text)
    idx = 0
    while True:
        j = pos
        while j < n and text[j] not in "\n\r":
            j += 1
        raw = text[pos:j]
        out.append(Line(idx, pos, j, raw, raw.strip()))
        idx += 1
        if j >= n:
            break
        pos = j + 1
    return out


def _is_prose(it: Item) -> bool:
    if it.bullet or it.empty:
        return False
    t = it.lines[0].s
    return len(t) >= 40 and bool(TOPIC_RE.match(t))


def _ends_table(it: Item, col0: list[str]) -> bool:
    """Does running prose resume at ``it``, where a first-column value (``col0`` so far) is expected?"""
    if it.bullet or it.empty:
        return False
    t = it.lines[0].s
    if len(t) >= 40 and TOPIC_RE.match(t):
        return True
    if not any(ch in "。！？" for ch in t) or any("。" in v for v in col0):
        return False
    longest = max((len(v) for v in col0), default=10)
    return len(t) >= max(20, 2 * longest)


def _label_like(it: Item) -> bool:
    t = it.text
    if it.bullet or it.empty or "\n" in t or not t or len(t) > 10:
        return False
    if any(ch.isdigit() for ch in t):
        return False
    return not any(ch in "，,。；;：:、（）()《》“”！？" for ch in t)


def _wrap_score(a: Item, b: Item) -> int:
    """1 when ``b`` plausibly continues ``a`` (a name wrapped onto a second line)."""
    if a.bullet or b.bullet or a.empty or b.empty:
        return 0
    ta, tb = a.text, b.text
    if len(ta) > 40 or len(tb) > 40 or NUM_CELL_RE.match(ta):
        return 0
    if ta.endswith(TERMINAL_ENDINGS) or ta[-1] in TERMINAL_CHARS or ta[-1].isdigit():
        return 0
    return 1


def _complete_name(it: Item) -> bool:
    t = it.text
    return bool(t) and not it.bullet and (t.endswith(TERMINAL_ENDINGS) or t[-1] in TERMINAL_CHARS)


class Builder:
    def __init__(self, source_id: str, original: str, ct: CleanText, footnotes: list[Footnote]):
        self.source_id = source_id
        self.original = original
        self.ct = ct
        self.text = ct.text
        self.footnotes = footnotes
        self.lines = split_lines(ct.text)
        self.unplaced: list[tuple[int, int, str]] = []
        self.clean_range: dict[int, tuple[int, int]] = {}
        self.annex_at: dict[int, tuple[str | None, list[Line]]] = {}
        self.listing_lines: set[int] = set()

    # ---------------------------------------------------------------- helpers
    def line_no(self, clean_pos: int) -> int:
        """1-based line number in the original text of a clean offset."""
        if not self.ct.offsets:
            return 1
        clean_pos = min(max(clean_pos, 0), len(self.ct.offsets) - 1)
        return self.original.count("\n", 0, self.ct.offsets[clean_pos]) + 1

    def trim(self, a: int, b: int) -> tuple[int, int]:
        t = self.text
        while a < b and t[a].isspace():
            a += 1
        while b > a and t[b - 1].isspace():
            b -= 1
        return a, b

    def node(self, kind: str, a: int, b: int, **kw: object) -> Node:
        a, b = self.trim(a, b)
        start, end = self.ct.span(a, b)
        n = Node(kind, start, end, self.text[a:b], **kw)  # type: ignore[arg-type]
        self.clean_range[id(n)] = (a, b)
        return n

    def extend(self, n: Node, b: int) -> None:
        """Extend a container node to clean offset ``b`` (its end) and refresh its span and text."""
        a, old_b = self.clean_range[id(n)]
        a2, b2 = self.trim(a, max(old_b, b))
        n.start, n.end = self.ct.span(a2, b2)
        n.text = self.text[a2:b2]
        self.clean_range[id(n)] = (a2, b2)

    def place_fail(self, a: int, b: int, why: str) -> None:
        a, b = self.trim(a, b)
        if a >= b:
            return
        s, e = self.ct.span(a, b)
        self.unplaced.append((s, e, f"line {self.line_no(a)}: {why}"))

    def sentences(self, parent: Node, a: int, b: int) -> None:
        for s, e in split_sentences(self.text, a, b):
            parent.children.append(self.node("sentence", s, e))

    # ---------------------------------------------------------------- classification
    def heading_kind(self, ln: Line) -> str | None:
        s = ln.s
        if not s or ln.tab or len(s) > MAX_HEADING * 2:
            return None
        if BOX_RE.match(s) and len(s) <= 80:
            return "box"
        if ln.idx in self.annex_at:
            return "annex"
        m = PART_RE.match(s)
        if m and len(s) <= MAX_HEADING and "。" not in s[:-1]:
            return "part"
        m = SECTION_RE.match(s)
        if m and m.group(3) and len(s) <= MAX_HEADING and "。" not in s[:-1]:
            return "section"
        return None

    def table_kind(self, ln: Line) -> str | None:
        raw = ln.raw
        if raw.startswith("\t"):
            return "tsv" if "\t" in raw.strip() else "tab"
        s = ln.s
        if s.startswith("|") and s.count("|") >= 2:
            return "pipe"
        if "\t" in s:
            return "tsv"
        return None

    # ---------------------------------------------------------------- annexes
    def scan_annexes(self) -> None:
        lines = self.lines
        listed: list[tuple[int, str, int]] = []  # (number, title, line idx)
        listing_end = -1
        i = 0
        while i < len(lines):
            ln = lines[i]
            m = ANNEX_RE.match(ln.s) if ln.s and not ln.tab and len(ln.s) <= 80 else None
            if not m:
                i += 1
                continue
            num, rest = m.group(1), m.group(2).strip()
            lm = LIST_ITEM_RE.match(rest)
            if num is None and (not rest or lm):
                # a listing of annexes: 附件：1.… / 2.…
                self.listing_lines.add(i)
                if lm:
                    listed.append((int(lm.group(1)), lm.group(2).strip(), i))
                j = i + 1
                while j < len(lines) and not lines[j].tab:
                    lm2 = LIST_ITEM_RE.match(lines[j].s)
                    if not lm2:
                        break
                    listed.append((int(lm2.group(1)), lm2.group(2).strip(), j))
                    self.listing_lines.add(j)
                    j += 1
                listing_end = max(listing_end, j)
                i = j
                continue
            title_lines: list[Line] = []
            if not rest:
                title_lines = self._title_lines(i + 1, skip_blank=True)
            self.annex_at[i] = (str(int(num)) if num else None, title_lines)
            i += 1
        # listed annexes without their own 附件N heading: find their title line after the listing
        explicit = {int(v[0]) for v in self.annex_at.values() if v[0]}
        for number, title, _at in listed:
            if number in explicit:
                continue
            key = re.sub(r"\s+", "", title)
            for j in range(max(listing_end, 0), len(lines)):
                ln = lines[j]
                if j in self.annex_at or ln.tab or not ln.s:
                    continue
                if re.sub(r"\s+", "", ln.s) == key:
                    self.annex_at[j] = (str(number), self._title_lines(j, skip_blank=False))
                    break

    def _title_lines(self, j: int, skip_blank: bool) -> list[Line]:
        lines = self.lines
        if skip_blank:
            while j < len(lines) and lines[j].blank:
                j += 1
        out = []
        while j < len(lines) and len(out) < 3:
            ln = lines[j]
            if ln.blank or ln.tab or self.table_kind(ln) or len(ln.s) > 50 or "。" in ln.s:
                break
            if out and (BOX_RE.match(ln.s) or PART_RE.match(ln.s) or SECTION_RE.match(ln.s)):
                break
            out.append(ln)
            j += 1
        return out

    # ---------------------------------------------------------------- main
    def build(self) -> Node:
        lines = self.lines
        root = self.node("document", 0, len(self.text))
        root.start, root.end = 0, len(self.original)  # the document is the whole source
        self.scan_annexes()
        i = self.title_block(root)
        stack: list[Node] = [root]  # root / annex / part / section
        while i < len(lines):
            ln = lines[i]
            if ln.blank and not (ln.tab and i + 1 < len(lines) and lines[i + 1].tab):
                i += 1
                continue
            kind = self.heading_kind(ln)
            if kind == "annex" and i not in self.listing_lines:
                i = self.open_annex(root, stack, i)
                continue
            if kind == "part":
                m = PART_RE.match(ln.s)
                assert m
                number = m.group(1) or m.group(3)
                title = (m.group(2) if m.group(1) else m.group(4)) or ""
                node = self.node(
                    "part", ln.start, ln.end, number=number, ordinal=cn_to_int(number), title=title.strip()
                )
                while stack[-1].kind in ("part", "section"):
                    stack.pop()
                stack[-1].children.append(node)
                stack.append(node)
                i += 1
                continue
            if kind == "section":
                m = SECTION_RE.match(ln.s)
                assert m
                node = self.node(
                    "section",
                    ln.start,
                    ln.end,
                    number=m.group(1),
                    ordinal=cn_to_int(m.group(2)),
                    title=m.group(3).strip(),
                )
                while stack[-1].kind == "section":
                    stack.pop()
                stack[-1].children.append(node)
                stack.append(node)
                i += 1
                continue
            if kind == "box":
                box, i = self.parse_box(i)
                stack[-1].children.append(box)
                continue
            tk = self.table_kind(ln)
            if tk:
                table, i = self.parse_table(i, tk)
                if table is not None:
                    stack[-1].children.append(table)
                    continue
            stack[-1].children.append(self.paragraph(ln))
            i += 1
        # close containers: extend every container to its last descendant
        self.close(root)
        _clamp_empty(root)
        for fn in self.footnotes:
            root.children.append(
                Node("footnote", fn.start, fn.end, fn.text, number=fn.label, ordinal=cn_to_int(fn.label))
            )
        return root

    def close(self, n: Node) -> int:
        a, b = self.clean_range.get(id(n), (0, 0))
        for c in n.children:
            b = max(b, self.close(c))
        if n.kind in ("part", "section", "annex", "box", "table", "row") and id(n) in self.clean_range:
            self.extend(n, b)
        return b

    def title_block(self, root: Node) -> int:
        """Detect the title block at the top; return the index of the next line to parse."""
        lines = self.lines
        i = 0
        while i < len(lines) and lines[i].blank:
            i += 1
        block: list[Line] = []
        j = i
        while j < len(lines) and len(block) < 4:
            ln = lines[j]
            if ln.blank or self.heading_kind(ln) or self.table_kind(ln) or len(ln.s) > 100:
                break
            if "。" in ln.s[:-1] or _is_bullet_line(ln.s):
                break
            block.append(ln)
            j += 1
        if not block:
            return i
        if j < len(lines) and not lines[j].blank and not self.heading_kind(lines[j]) and len(block[0].s) > 40:
            return i  # a long line running straight into more text: prose, not a title
        title = "".join(ln.s for ln in block)
        m = re.search(r"印发《(.+)》的?通知", title)
        node = self.node("title", block[0].start, block[-1].end, title=m.group(1) if m else title)
        root.children.append(node)
        root.title = node.title
        return j

    def open_annex(self, root: Node, stack: list[Node], i: int) -> int:
        number, title_lines = self.annex_at[i]
        ln = self.lines[i]
        m = ANNEX_RE.match(ln.s)
        rest = m.group(2).strip() if (m and m.group(1)) else ""
        if title_lines and title_lines[0].idx == i:
            title = "".join(t.s for t in title_lines)
        elif rest:
            title = rest
        else:
            title = "".join(t.s for t in title_lines)
        end_line = title_lines[-1] if title_lines else ln
        node = self.node(
            "annex",
            ln.start,
            end_line.end,
            number=number,
            ordinal=int(number) if number else None,
            title=title,
        )
        del stack[1:]
        root.children.append(node)
        stack.append(node)
        return (end_line.idx if title_lines else i) + 1

    # ---------------------------------------------------------------- paragraphs
    def paragraph(self, ln: Line) -> Node:
        para = self.node("paragraph", ln.start, ln.end)
        a, b = self.clean_range[id(para)]
        seg = self.text[a:b]
        marks: list[re.Match[str]] = []
        want = 1
        for m in MEASURE_RE.finditer(seg):
            if cn_to_int(m.group(1)) == want:
                marks.append(m)
                want += 1
        if not marks:
            self.sentences(para, a, b)
            return para
        self.sentences(para, a, a + marks[0].start())
        for k, m in enumerate(marks):
            ma = a + m.start()
            mb = a + marks[k + 1].start() if k + 1 < len(marks) else b
            body = a + m.end()
            measure = self.node("measure", ma, mb, number=m.group(0), ordinal=int(m.group(1)))
            self.sentences(measure, body, mb)
            first = measure.children[0].text if measure.children else ""
            measure.title = first.rstrip("。；;，,！？") or None
            para.children.append(measure)
        return para

    # ---------------------------------------------------------------- boxes
    def parse_box(self, i: int) -> tuple[Node, int]:
        lines = self.lines
        ln = lines[i]
        m = BOX_RE.match(ln.s)
        assert m
        number = m.group(1)
        title_parts = [m.group(2).strip()]
        last = ln
        j = i + 1
        if not title_parts[0]:
            t = self._title_lines(j, skip_blank=True)[:1]
            if t:
                title_parts = [t[0].s]
                last = t[0]
                j = t[0].idx + 1
        # a title wrapping onto the next line: directly below, short, then a break or a table
        if j < len(lines):
            nx = lines[j]
            after = lines[j + 1] if j + 1 < len(lines) else None
            if (
                not nx.blank
                and not nx.tab
                and not self.table_kind(nx)
                and not _is_bullet_line(nx.s)
                and not self.heading_kind(nx)
                and len(nx.s) <= 40
                and "。" not in nx.s
                and not title_parts[-1].endswith(("。", "）", ")", "》", "”"))
                and (after is None or after.blank or after.tab or self.table_kind(after) is not None)
            ):
                title_parts.append(nx.s)
                last = nx
                j += 1
        title = "".join(title_parts)
        box = self.node("box", ln.start, last.end, number=number, ordinal=cn_to_int(number), title=title)
        k = j
        while k < len(lines) and lines[k].blank:
            k += 1
        if k >= len(lines) or self.heading_kind(lines[k]):
            return box, k
        tk = self.table_kind(lines[k])
        table: Node | None = None
        nxt = k
        if tk:
            table, nxt = self.parse_table(k, tk)
        elif KV_ITEM_RE.match(lines[k].s):
            table, nxt = self.parse_kv(k)
        else:
            table, nxt = self.parse_ocpl(k)
        if table is not None:
            box.children.append(table)
            return box, nxt
        return box, k

    # ---------------------------------------------------------------- tables
    def cell(self, parts: list[tuple[int, int]], value: str) -> Node:
        """A cell spanning the clean ranges ``parts`` (first to last), with normalised value."""
        a = parts[0][0]
        b = parts[-1][1]
        c = self.node("cell", a, b, title=value)
        ca, cb = self.clean_range[id(c)]
        if ca < cb:
            self.sentences(c, ca, cb)
        return c

    def row(self, cells: list[Node], a: int, b: int) -> Node:
        """A row spanning its cells (empty cells included), or ``[a, b)`` when it has none."""
        r = self.node("row", a, b)
        r.children = cells
        if cells:
            ranges = [self.clean_range[id(c)] for c in cells]
            filled = [(x, y) for x, y in ranges if x < y] or ranges
            ra, rb = min(x for x, _ in filled), max(y for _, y in filled)
            r.start, r.end = self.ct.span(ra, rb)
            r.text = self.text[ra:rb]
            self.clean_range[id(r)] = (ra, rb)
            # empty cells are zero-width; keep them inside the row (at its start or end)
            for c, (x, y) in zip(cells, ranges, strict=True):
                if x == y and not ra <= x <= rb:
                    at = ra if x < ra else rb
                    c.start = c.end = r.start if x < ra else r.end
                    self.clean_range[id(c)] = (at, at)
        return r

    def table(self, rows: list[Node]) -> Node | None:
        if not rows:
            return None
        ranges = [self.clean_range[id(r)] for r in rows]
        t = self.node("table", ranges[0][0], max(rb for _, rb in ranges))
        t.children = rows
        return t

    def parse_table(self, i: int, kind: str) -> tuple[Node | None, int]:
        if kind == "tab":
            return self.parse_tab(i)
        if kind == "pipe":
            return self.parse_pipe(i)
        return self.parse_tsv(i)

    def _join_value(self, lines: list[str]) -> str:
        out = ""
        for k, s in enumerate(lines):
            if k and _is_bullet_line(s):
                out += "\n" + s
            else:
                out += s
        return out

    def parse_tab(self, i: int) -> tuple[Node | None, int]:
        """Word layout: a tab starts a cell, a line without a tab wraps, a blank line ends a row."""
        lines = self.lines
        rows: list[Node] = []
        cells: list[list[Line]] = []
        j = i

        def flush_row() -> None:
            if not cells:
                return
            nodes = []
            for cl in cells:
                first = cl[0]
                a = first.start + 1  # after the tab
                parts = [(a, first.end)] + [(x.start, x.end) for x in cl[1:]]
                value = self._join_value([first.raw[1:].strip()] + [x.s for x in cl[1:]])
                nodes.append(self.cell(parts, value))
            if all(self.clean_range[id(c)][0] == self.clean_range[id(c)][1] for c in nodes):
                cells.clear()  # a stray tab line, no text in any cell: not a row (at the end of the text its
                return  # zero-width span fell outside the table's; found by benchmarks/fuzz.py)
            rows.append(self.row(nodes, cells[0][0].start, cells[-1][-1].end))
            cells.clear()

        while j < len(lines):
            ln = lines[j]
            if ln.tab:
                if "\t" in ln.raw.strip():
                    break  # a tab-separated row: another layout
                cells.append([ln])
                j += 1
                continue
            if ln.blank:
                flush_row()
                k = j
                while k < len(lines) and lines[k].blank and not lines[k].tab:
                    k += 1
                if k < len(lines) and lines[k].tab and "\t" not in lines[k].raw.strip():
                    j = k
                    continue
                j = k
                break
            # a line without a tab: continuation of the current cell, unless a heading
            if cells and not self.heading_kind(ln):
                cells[-1].append(ln)
                j += 1
                continue
            break
        flush_row()
        return self.table(rows), j

    def parse_tsv(self, i: int) -> tuple[Node | None, int]:
        lines = self.lines
        rows: list[Node] = []
        j = i
        while j < len(lines):
            ln = lines[j]
            if ln.blank or "\t" not in ln.s and not ln.tab:
                break
            if self.heading_kind(ln) and "\t" not in ln.s:
                break
            cells = []
            pos = ln.start
            raw = ln.raw
            lead = len(raw) - len(raw.lstrip("\t "))
            pieces = raw[lead:].split("\t")
            off = ln.start + lead
            for p in pieces:
                cells.append(self.cell([(off, off + len(p))], p.strip()))
                off += len(p) + 1
            rows.append(self.row(cells, pos, ln.end))
            j += 1
        if not rows:
            # not really a table: let the caller treat the line as a paragraph
            return None, i
        return self.table(rows), j

    def parse_pipe(self, i: int) -> tuple[Node | None, int]:
        lines = self.lines
        rows: list[Node] = []
        j = i
        while j < len(lines):
            ln = lines[j]
            s = ln.s
            if not (s.startswith("|") and s.count("|") >= 2):
                break
            raw = ln.raw
            lead = raw.index("|")
            inner = raw[lead + 1 :]
            body = inner.rstrip()
            if body.endswith("|"):
                body = body[:-1]
            pieces = body.split("|")
            if all(re.fullmatch(r"\s*:?-{2,}:?\s*", p) for p in pieces):
                j += 1
                continue
            off = ln.start + lead + 1
            cells = []
            for p in pieces:
                cells.append(self.cell([(off, off + len(p))], p.strip()))
                off += len(p) + 1
            rows.append(self.row(cells, ln.start, ln.end))
            j += 1
        if not rows:
            return None, i if j == i else j
        return self.table(rows), j

    def parse_kv(self, i: int) -> tuple[Node | None, int]:
        """Numbered key-value lists: "1. 名称：…；地址：…" → one row per item."""
        lines = self.lines
        rows: list[Node] = []
        j = i
        while j < len(lines):
            ln = lines[j]
            if ln.blank:
                j += 1
                continue
            m = KV_ITEM_RE.match(ln.s)
            if not m:
                break
            lead = ln.raw.index(ln.s[0])
            body_start = ln.start + lead + m.end(1)
            # skip the separator after the number
            while body_start < ln.end and self.text[body_start] in ".．、 \t":
                body_start += 1
            cells = []
            off = body_start
            seg = self.text[body_start : ln.end]
            for p in re.split(r"[；;]", seg):
                if p.strip():
                    cells.append(self.cell([(off, off + len(p))], p.strip().rstrip("。")))
                off += len(p) + 1
            r = self.row(cells, ln.start, ln.end)
            r.number = m.group(1)
            r.ordinal = cn_to_int(m.group(1))
            rows.append(r)
            j += 1
        while j > i and lines[j - 1].blank:
            j -= 1
        return self.table(rows), j

    # ---------------------------------------------------------------- one cell per line
    def gather_items(self, k: int) -> list[Item]:
        lines = self.lines
        items: list[Item] = []
        j = k
        while j < len(lines):
            ln = lines[j]
            if ln.blank:
                if ln.raw and all(ch.isspace() and ch not in " \t" for ch in ln.raw):
                    # a line holding only a no-break / ideographic space: an empty cell
                    items.append(Item([ln], empty=True))
                j += 1
                continue
            if self.heading_kind(ln) or self.table_kind(ln):
                break
            if _is_bullet_line(ln.s):
                if items and items[-1].bullet:
                    items[-1].lines.append(ln)
                else:
                    items.append(Item([ln], bullet=True))
            else:
                items.append(Item([ln]))
            j += 1
        return items

    def parse_ocpl(self, k: int) -> tuple[Node | None, int]:
        items = self.gather_items(k)
        while items and items[0].empty:
            items.pop(0)
        if not items or _ends_table(items[0], []):
            return None, k
        rows_items: list[list[list[Item]]] = []  # rows → cells → items merged into the cell
        consumed = 0
        header_len = 0
        run = 0
        counts = Counter(it.text for it in items)
        for it in items:
            if _label_like(it) and counts[it.text] == 1:
                run += 1
            else:
                break
        if (
            run >= 3
            and not any(w in items[run - 1].text for w in HEADER_WORDS)
            and all(any(w in items[x].text for w in HEADER_WORDS) for x in range(run - 1))
        ):
            run -= 1  # the last label-like line is the first data cell, not a header
        if run >= 2:
            header_len = run
        bullets = any(it.bullet for it in items)
        if bullets:
            rows_items, consumed = self._rows_by_bullets(items, header_len)
        else:
            first = items[header_len] if header_len < len(items) else None
            numbered = first is not None and bool(NUM_CELL_RE.match(first.text)) and header_len >= 2
            if numbered:
                rows_items, consumed = self._rows_by_number(items, header_len)
            else:
                rows_items, consumed = self._rows_by_chunks(items, max(header_len, 1), header_len)
        if not rows_items:
            return None, k
        rows: list[Node] = []
        for cells_items in rows_items:
            cell_nodes = []
            for group in cells_items:
                parts = [(ln.start, ln.end) for it in group for ln in it.lines]
                values: list[str] = []
                for gi, it in enumerate(group):
                    if it.empty:
                        continue
                    if it.bullet:
                        values.append("\n".join(ln.s for ln in it.lines))
                    elif gi and values and _complete_name(group[gi - 1]):
                        values.append("\n" + it.text)
                    else:
                        values.append(it.text)
                value = ""
                for v in values:
                    value = (
                        value + ("\n" if value and not v.startswith("\n") and (v[:1] in BULLETS) else "") + v
                    )
                cell_nodes.append(self.cell(parts, value.strip("\n")))
            a = cells_items[0][0].start
            b = cells_items[-1][-1].end
            rows.append(self.row(cell_nodes, a, b))
        last_line = items[consumed - 1].lines[-1].idx if consumed else k - 1
        return self.table(rows), last_line + 1

    def _rows_by_bullets(self, items: list[Item], header_len: int) -> tuple[list[list[list[Item]]], int]:
        rows: list[list[Item]] = []
        cur: list[Item] = []
        consumed = 0
        for idx, it in enumerate(items):
            if not cur and _ends_table(it, [r[0].text for r in rows[-20:]]):
                break
            cur.append(it)
            if it.bullet:
                rows.append(cur)
                cur = []
                consumed = idx + 1
        if not rows:
            return [], 0
        k = max(len(r) for r in rows[1:]) if len(rows) > 1 else len(rows[0])
        if header_len and header_len < len(rows[0]) and len(rows[0]) - header_len <= k:
            head = rows[0][:header_len]
            rows[0] = rows[0][header_len:]
            rows.insert(0, head)
        elif len(rows[0]) > k:
            extra = len(rows[0]) - k
            if all(_label_like(x) for x in rows[0][:extra]):
                head = rows[0][:extra]
                rows[0] = rows[0][extra:]
                rows.insert(0, head)
        if cur and len(cur) <= k and not any(_is_prose(x) for x in cur) and idx == len(items) - 1:
            rows.append(cur)
            consumed = len(items)
        out = []
        for r in rows:
            out.append(self._fit(r, k))
        return out, consumed

    def _rows_by_number(self, items: list[Item], header_len: int) -> tuple[list[list[list[Item]]], int]:
        k = header_len
        rows: list[list[Item]] = [items[:header_len]]
        cur: list[Item] = []
        last_no = -1
        consumed = header_len
        for idx in range(header_len, len(items)):
            it = items[idx]
            m = NUM_CELL_RE.match(it.text) if not it.bullet else None
            if m and (not cur or len(cur) >= k - 1) and cn_to_int(m.group(1)) is not None:
                no = cn_to_int(m.group(1)) or 0
                if no > last_no:
                    if cur:
                        rows.append(cur)
                    cur = [it]
                    last_no = cn_to_int(m.group(2)) if m.group(2) else no
                    last_no = last_no or no
                    consumed = idx + 1
                    continue
            if len(cur) >= k and _ends_table(it, [r[0].text for r in rows[1:][-20:]]):
                break
            cur.append(it)
            consumed = idx + 1
        if cur:
            rows.append(cur)
        return [self._fit(r, k) for r in rows], consumed

    def _rows_by_chunks(
        self, items: list[Item], k: int, header_len: int
    ) -> tuple[list[list[list[Item]]], int]:
        rows: list[list[Item]] = []
        if header_len:
            rows.append(items[:header_len])
        pos = header_len
        data_from = 1 if header_len else 0
        while pos < len(items):
            it = items[pos]
            col0 = [r[0].text for r in rows[data_from:][-20:]] or [r[0].text for r in rows[:1]]
            if _ends_table(it, col0):
                break
            chunk = items[pos : pos + k]
            bad = next((c for c in range(1, len(chunk)) if _is_prose(chunk[c])), None)
            if bad is not None and not any(
                _is_prose(r[bad]) for r in rows[1 if header_len else 0 :] if len(r) > bad
            ):
                self._unplace_items(chunk[:bad], f"incomplete table row ({bad} of {k} cells) before prose")
                pos += bad
                break
            if len(chunk) < k and len(rows) > (1 if header_len else 0):
                self._unplace_items(chunk, f"incomplete table row ({len(chunk)} of {k} cells)")
                pos += len(chunk)
                break
            rows.append(chunk)
            pos += len(chunk)
        return [self._fit(r, k) for r in rows], pos

    def _unplace_items(self, items: list[Item], why: str) -> None:
        if items:
            self.place_fail(items[0].start, items[-1].end, why)

    def _fit(self, row: list[Item], k: int) -> list[list[Item]]:
        """Group a row's items into at most ``k`` cells, merging wrapped lines."""
        cells: list[list[Item]] = [[it] for it in row]
        while len(cells) > k:
            best = None
            for c in range(1, len(cells)):
                a, b = cells[c - 1][-1], cells[c][0]
                if c - 1 == 0 and NUM_CELL_RE.match(a.text):
                    continue  # never merge into a row number
                if _wrap_score(a, b):
                    best = c
                    break
            if best is None:
                break
            cells[best - 1].extend(cells.pop(best))
        if len(cells) > k:
            extra = cells[k:]
            if all(_complete_name(it) for grp in extra for it in grp) and _complete_name(cells[k - 1][-1]):
                # a list column: the extra complete names belong to the last cell
                for grp in extra:
                    cells[k - 1].extend(grp)
                del cells[k:]
            else:
                first_extra, last_extra = extra[0][0], extra[-1][-1]
                self.place_fail(
                    first_extra.start,
                    last_extra.end,
                    f"row has {len(cells)} cells, table has {k} columns; extra cells kept as found",
                )
        return cells


def build_structure(
    source_id: str, original: str, ct: CleanText, footnotes: list[Footnote]
) -> tuple[Node, list]:
    if not any(ch.isalnum() for ch in ct.text):
        raise ParseError("empty after cleaning: no text left", path=source_id, where="line 1")
    b = Builder(source_id, original, ct, footnotes)
    root = b.build()
    return root, b.unplaced


def _clamp_empty(n: Node) -> None:
    """Zero-width nodes (an empty row or cell) have no text, only a nominal place; the offset map can put that
    place just past the parent's end (after trailing debris). Pull it inside, so every node nests in its parent."""
    for c in n.children:
        if c.start == c.end and not n.start <= c.start <= n.end:
            c.start = c.end = min(max(c.start, n.start), n.end)
        _clamp_empty(c)
