"""Parsing stage: clean a report's text and recover its structure.

``parse_document(source_id, original)`` is the single entry point. It raises
:class:`kg.errors.ParseError` (and nothing else) for input without recognisable structure.
See :mod:`kg.parse.clean` for what is removed and :mod:`kg.parse.structure` for the tree.
"""

from __future__ import annotations

from kg.errors import ParseError
from kg.model import ParsedDocument
from kg.parse.clean import clean
from kg.parse.structure import build_structure

__all__ = ["parse_document", "clean", "ParseError"]


def parse_document(source_id: str, original: str) -> ParsedDocument:
    """Parse the original text of one report into a :class:`ParsedDocument`."""
    if not isinstance(original, str):
        raise ParseError(f"expected text, got {type(original).__name__}", path=source_id)
    nul = original.find("\x00")
    if nul >= 0:
        line = original.count("\n", 0, nul) + 1
        raise ParseError(
            "binary content (NUL character): not a text report", path=source_id, where=f"line {line}"
        )
    try:
        ct, footnotes = clean(original)
        root, unplaced = build_structure(source_id, original, ct, footnotes)
    except ParseError:
        raise
    except RecursionError as exc:  # pragma: no cover - defensive
        raise ParseError(f"structure too deep to parse: {exc}", path=source_id) from exc
    except Exception as exc:  # pragma: no cover - a parser bug; the fuzz test fails on this message
        raise ParseError(f"internal parser error: {exc!r}", path=source_id) from exc
    return ParsedDocument(source_id, original, root, footnotes, unplaced)
