"""Remove conversion debris from a report while keeping every kept character's original offset.

What is removed (nothing is ever replaced or normalised in place, so that for every ``i``
``original[offsets[i]] == text[i]``):

* a byte-order mark and zero-width spaces anywhere; the ``\\r`` of ``\\r\\n`` line ends
  (a lone ``\\r`` is kept: the structure stage treats it as a line end);
* Word bookmarks ``[bookmark: _GoBack]``, ``[bookmark: _Hlk…]``;
* Word footnotes: markers ``[footnoteRef:N]`` and the inline bodies ``[N:  …]`` (only for labels
  that have a marker); each body becomes a :class:`Footnote`;
* bracketed footnotes ``…文字[1]…`` whose body is a line ``[1] …`` (only when both exist);
* web-page chrome: leading non-Chinese lines such as ``Logo`` and known navigation words before the
  first line of Chinese text; a trailing run of short site-navigation lines after the last prose,
  recognised by shape (short lines without sentence punctuation, repeated on adjacent lines, or
  carrying a known chrome word such as 官方微信, 客服, 版权所有, ICP).
"""

from __future__ import annotations

import re

from kg.model import CleanText, Footnote

# Words that are typical of site chrome; only a hint, shape decides most cases.
CHROME_WORDS = (
    "官方微信",
    "微信",
    "微博",
    "客服",
    "公众号",
    "二维码",
    "扫一扫",
    "版权所有",
    "主办",
    "承办",
    "网站地图",
    "联系我们",
    "ICP",
    "备案",
    "返回顶部",
    "技术支持",
    "关于我们",
    "隐私",
    "无障碍",
    "手机版",
    "分享到",
    "打印本页",
    "关闭窗口",
    "Copyright",
    "©",
    "首页",
    "登录",
    "注册",
)
TOP_CHROME = frozenset(
    w.lower()
    for w in (
        "Logo",
        "LOGO",
        "首页",
        "无障碍",
        "关怀版",
        "English",
        "登录",
        "注册",
        "搜索",
        "打印",
        "关闭",
        "分享",
    )
)
SENTENCE_PUNCT = set("。，,；;！？!?、")

_BOOKMARK = re.compile(r"\[bookmark:[^\]\n]{0,200}\]")
_FOOTREF = re.compile(r"\[footnoteRef:\s*(\d{1,4})\]")
_FOOTBODY_START = re.compile(r"\[(\d{1,4}):")
_BRACKET_BODY_LINE = re.compile(r"(?m)^[ \t\u3000]*\[(\d{1,3})\][ \t\u3000]*(\S[^\n]*)$")
_BRACKET_MARK = re.compile(r"\[(\d{1,3})\]")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, end excluding the line break."""
    out = []
    pos = 0
    n = len(text)
    while pos <= n:
        j = text.find("\n", pos)
        if j < 0:
            out.append((pos, n))
            break
        out.append((pos, j))
        pos = j + 1
    return out


def _matching_bracket(text: str, i: int, limit: int = 4000) -> int:
    """Index of the ``]`` matching ``[`` at ``i`` (nesting aware), or -1."""
    depth = 0
    stop = min(len(text), i + limit)
    for j in range(i, stop):
        ch = text[j]
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return j
    return -1


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _chrome_line(s: str) -> bool:
    """Could this (stripped) line be site navigation? Short, no sentence punctuation."""
    if not s or len(s) > 60:
        return False
    if len(s) <= 40 and any(w.lower() in s.lower() for w in CHROME_WORDS):
        return True
    if len(s) > 16 or any(ch in SENTENCE_PUNCT for ch in s) or any(ch.isdigit() for ch in s):
        return False
    return not re.match(r"^[（(]?[一二三四五六七八九十]+[、）)]", s)


def _leading_chrome(original: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a, b in lines:
        s = original[a:b].strip()
        if not s:
            continue
        if _CJK.search(s) and s.lower() not in TOP_CHROME:
            break
        if s.lower() in TOP_CHROME or (len(s) <= 30 and re.search(r"[A-Za-z]", s) and not _CJK.search(s)):
            out.append((a, min(b + 1, len(original))))
            continue
        break
    return out


def _trailing_chrome(original: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    run: list[int] = []  # indices of lines in the trailing run, from the end
    for k in range(len(lines) - 1, -1, -1):
        a, b = lines[k]
        raw = original[a:b]
        s = raw.strip()
        if not s:
            run.append(k)
            continue
        if raw.startswith("\t") or not _chrome_line(s):
            break
        run.append(k)
    if not run:
        return []
    run.reverse()
    texts = {k: original[lines[k][0] : lines[k][1]].strip() for k in run}
    nonblank = [k for k in run if texts[k]]
    if not nonblank:
        return []
    evidence = set()
    pairs = [(x, y) for x, y in zip(nonblank, nonblank[1:], strict=False) if texts[x] == texts[y]]
    if len(pairs) >= 2:
        for x, y in pairs:
            evidence.update((x, y))
    for k in nonblank:
        if any(w.lower() in texts[k].lower() for w in CHROME_WORDS):
            evidence.add(k)
    if not evidence:
        return []
    first = min(evidence)
    # the chrome run must be mostly chrome-like from its first evidence line on
    tail = [k for k in nonblank if k >= first]
    if len([k for k in tail if k in evidence]) * 2 < len(tail):
        return []
    a = lines[first][0]
    # remove from the line break before the run, so the kept text does not end in chrome blank lines
    return [(a, len(original))]


def clean(original: str) -> tuple[CleanText, list[Footnote]]:
    """Return the cleaned text (with offsets into ``original``) and the footnotes cut out of it."""
    removed: list[tuple[int, int]] = []
    footnotes: list[Footnote] = []

    for m in re.finditer("[\ufeff\u200b]", original):
        removed.append((m.start(), m.end()))
    for m in re.finditer("\r\n", original):
        removed.append((m.start(), m.start() + 1))
    for m in _BOOKMARK.finditer(original):
        removed.append((m.start(), m.end()))

    # Word footnotes
    refs: dict[str, tuple[int, int]] = {}
    for m in _FOOTREF.finditer(original):
        removed.append((m.start(), m.end()))
        refs.setdefault(m.group(1), (m.start(), m.end()))
    if refs:
        for m in _FOOTBODY_START.finditer(original):
            label = m.group(1)
            if label not in refs:
                continue
            close = _matching_bracket(original, m.start())
            if close < 0:
                continue
            if any(a <= m.start() < b for a, b in removed):
                continue
            ba, bb = _trim(original, m.end(), close)
            removed.append((m.start(), close + 1))
            ra, rb = refs[label]
            footnotes.append(Footnote(label, ba, bb, original[ba:bb], ra, rb))

    # bracketed footnotes: marker [N] in the text, body line "[N] …"
    bodies: dict[str, re.Match[str]] = {}
    for m in _BRACKET_BODY_LINE.finditer(original):
        bodies.setdefault(m.group(1), m)
    if bodies:
        body_spans = [(m.start(), m.end()) for m in bodies.values()]
        seen: set[str] = set()
        for m in _BRACKET_MARK.finditer(original):
            label = m.group(1)
            if label not in bodies or label in seen:
                continue
            if any(a <= m.start() < b for a, b in body_spans):
                continue
            body = bodies[label]
            seen.add(label)
            removed.append((m.start(), m.end()))
            end = (
                body.end() + 1 if body.end() < len(original) and original[body.end()] == "\n" else body.end()
            )
            removed.append((body.start(), end))
            ba, bb = body.start(2), body.end(2)
            ba, bb = _trim(original, ba, bb)
            footnotes.append(Footnote(label, ba, bb, original[ba:bb], m.start(), m.end()))

    lines = _lines(original)
    removed.extend(_leading_chrome(original, lines))
    removed.extend(_trailing_chrome(original, lines))

    # merge removed ranges and build the kept text with offsets
    removed.sort()
    text_parts: list[str] = []
    offsets: list[int] = []
    pos = 0
    for a, b in removed:
        if b <= pos:
            continue
        if a > pos:
            text_parts.append(original[pos:a])
            offsets.extend(range(pos, a))
        pos = max(pos, b)
    if pos < len(original):
        text_parts.append(original[pos:])
        offsets.extend(range(pos, len(original)))
    footnotes.sort(key=lambda f: (f.ref_start, f.start))
    return CleanText("".join(text_parts), offsets, len(original)), footnotes
