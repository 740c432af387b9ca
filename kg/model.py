"""The data passed between pipeline stages: parsed documents and extracted facts.

Every span is a half-open range ``[start, end)`` of character (code point) offsets into the
*original* text of a source file, as decoded from UTF-8, so that ``original[start:end]`` is exactly
the quoted text. The cleaned text exists only to make parsing easy; it never leaks into offsets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

NodeKind = Literal[
    "document",
    "title",  # the report's title block
    "part",  # 一、…
    "section",  # （一）… / (一)…
    "measure",  # (1)… / （1）… numbered measure inside a paragraph
    "box",  # 专栏N：title, with its table
    "annex",  # 附件N / 附件：… and its content
    "table",
    "row",
    "cell",
    "paragraph",
    "sentence",
    "footnote",  # body of a footnote, moved out of the running text
]


@dataclass
class Node:
    """One node of a document's structure tree."""

    kind: NodeKind
    start: int
    end: int
    text: str = ""  # cleaned text of the node (debris removed, whitespace trimmed)
    title: str | None = None  # heading text without its number, for part/section/box/annex/measure
    number: str | None = None  # the number as written: "一", "（一）", "(1)", "5", "1"
    ordinal: int | None = None  # the number as an integer (一 → 1, 专栏5 → 5)
    children: list[Node] = field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        """This node and all its descendants, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, kind: NodeKind) -> list[Node]:
        return [n for n in self.walk() if n.kind == kind]


@dataclass
class Footnote:
    """A footnote body cut out of the running text; ``ref_start`` is where its marker stood."""

    label: str  # "1"
    start: int  # span of the body in the original text
    end: int
    text: str
    ref_start: int  # span of the marker ([footnoteRef:1]) in the original text
    ref_end: int


@dataclass
class CleanText:
    """Text with conversion debris removed, and for each kept character its original offset."""

    text: str
    offsets: list[int]  # offsets[i] is the original offset of text[i]; len(offsets) == len(text)
    original_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a clean-text range ``[start, end)`` to its original range."""
        if start >= end:
            at = self.offsets[start] if start < len(self.offsets) else self.original_length
            return at, at
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass
class ParsedDocument:
    source_id: str
    original: str  # the full original text
    root: Node  # kind "document"
    footnotes: list[Footnote] = field(default_factory=list)
    unplaced: list[tuple[int, int, str]] = field(
        default_factory=list
    )  # spans the parser could not place, with why

    def quote(self, start: int, end: int) -> str:
        return self.original[start:end]
