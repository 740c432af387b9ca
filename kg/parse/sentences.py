"""Sentence splitting for Chinese report text.

Rules (all positions are offsets into the string passed in, usually the cleaned text):

* a sentence ends after 。！？ (and after a run of them, e.g. "？！");
* closing quotes and brackets that follow the terminator stay with the sentence (“…。” / （…。）);
* never split inside a *matched* pair of 《》, “”, ‘’, 「」, 『』, （）, () — unmatched openers are ignored,
  so one stray quote cannot swallow the rest of a paragraph;
* every line end ends a sentence;
* a leading bullet marker (Ø, ·, •, -, * …) at the start of a line is not part of the sentence;
* sentences are trimmed of surrounding whitespace; empty sentences are dropped.
"""

from __future__ import annotations

TERMINATORS = frozenset("。！？")
CLOSERS = frozenset("”’」』）)】》〉\"'")
PAIRS = {"《": "》", "“": "”", "‘": "’", "「": "」", "『": "』", "（": "）", "(": ")", "〈": "〉"}
CLOSE_TO_OPEN = {v: k for k, v in PAIRS.items()}
BULLETS = frozenset("•·Ø●▪◆■○►◇□◦‣⁃")
SPACE_BULLETS = frozenset("-*+")  # bullets only when followed by whitespace
LINE_BREAKS = frozenset("\n\r")


def is_space(ch: str) -> bool:
    return ch.isspace()


def bullet_length(text: str, i: int, end: int) -> int:
    """Length of a bullet marker (plus following spaces) at ``text[i]``, or 0."""
    if i >= end:
        return 0
    ch = text[i]
    j = i
    if ch in BULLETS or ch in SPACE_BULLETS and i + 1 < end and text[i + 1] in " \t\u3000\xa0":
        j = i + 1
    else:
        return 0
    while j < end and text[j] in " \t\u3000\xa0":
        j += 1
    return j - i


def _protected(text: str, start: int, end: int) -> list[bool]:
    """For each position in [start, end): True when inside a matched bracket/quote pair."""
    n = end - start
    inside = [False] * n
    # depth-stack matching of pairs on one line at a time
    stack: list[tuple[str, int]] = []
    for i in range(start, end):
        ch = text[i]
        if ch in LINE_BREAKS:
            stack.clear()
            continue
        if ch in CLOSE_TO_OPEN:
            opener = CLOSE_TO_OPEN[ch]
            # find the nearest matching opener on the stack
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == opener:
                    o = stack[k][1]
                    for p in range(o + 1 - start, i - start):
                        inside[p] = True
                    del stack[k:]
                    break
            continue
        if ch in PAIRS:
            stack.append((ch, i))
    return inside


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence ranges ``[s, e)`` within ``text[start:end]``, trimmed, in order."""
    if end is None:
        end = len(text)
    if start >= end:
        return []
    inside = _protected(text, start, end)
    out: list[tuple[int, int]] = []

    def emit(s: int, e: int) -> None:
        while s < e and is_space(text[s]):
            s += 1
        # skip a bullet at the start of the sentence when it begins a line
        if s < e and (s == start or text[s - 1] in LINE_BREAKS or _line_prefix_blank(text, start, s)):
            s += bullet_length(text, s, e)
        while e > s and is_space(text[e - 1]):
            e -= 1
        if s < e:
            out.append((s, e))

    def extend(j: int) -> int:
        while j < end and (text[j] in TERMINATORS or text[j] in CLOSERS):
            j += 1
        return j

    s = start
    i = start
    while i < end:
        ch = text[i]
        if ch in LINE_BREAKS:
            emit(s, i)
            s = i = i + 1
            continue
        if ch in TERMINATORS and not inside[i - start]:
            j = extend(i + 1)
            emit(s, j)
            s = i = j
            continue
        if (
            ch in CLOSERS
            and not inside[i - start]
            and i > start
            and text[i - 1] in TERMINATORS
            and inside[i - 1 - start]
        ):
            # a quotation / bracket that itself ends with 。！？ closes the sentence: “…。”
            j = extend(i + 1)
            emit(s, j)
            s = i = j
            continue
        i += 1
    emit(s, end)
    return out


def _line_prefix_blank(text: str, start: int, s: int) -> bool:
    """True when everything between the line start (or ``start``) and ``s`` is whitespace."""
    k = s - 1
    while k >= start and text[k] not in LINE_BREAKS:
        if not is_space(text[k]):
            return False
        k -= 1
    return True
