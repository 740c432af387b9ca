"""A small SPARQL lexer: what kind of request a text is, before any engine sees it.

The endpoint must refuse updates (403) and SERVICE (400) whatever the engine behind it, so this
looks at the text itself: strings, IRIs and comments are skipped exactly as the SPARQL grammar
tokenizes them, so that ``"SERVICE"`` in a literal or ``<http://x/SERVICE>`` never counts, while a
keyword in any letter case does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040\u00C0-\uFFFF]+)
    | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:(?:[\w\-.:%\\\u00B7\u00C0-\uFFFF]*))
    | (?P<word>[A-Za-z_][\w]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_FORMS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokens(text: str) -> list[Token]:
    """Significant tokens (no whitespace, no comments); an unterminated string ends the scan."""
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            found.append(Token(kind, match.group(), match.start()))
    return found


@dataclass(frozen=True)
class Shape:
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE, an update keyword, or None (unrecognised)
    uses_service: bool
    prefixes: frozenset[str]  # prefixes the text declares itself

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_FORMS


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(text: str) -> str:
    """SPARQL 1.1 §19.2 codepoint escapes, which some engines apply before parsing (Oxigraph does not)."""
    return _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _words(text: str) -> list[str]:
    return [t.text.upper() for t in tokens(text) if t.kind == "word"]


def shape(text: str) -> Shape:
    """The query form (first keyword after the prologue), whether SERVICE occurs, declared prefixes.

    SERVICE is looked for in the text as written and with codepoint escapes applied, so that an
    engine which unescapes (``\\u0053ERVICE``) cannot be reached by an escaped keyword either.
    """
    toks = tokens(text)
    words = [t.text.upper() for t in toks if t.kind == "word"]
    form = next((w for w in words if w in QUERY_FORMS | UPDATE_FORMS), None)
    unescaped = unescape_codepoints(text)
    service = "SERVICE" in words or (unescaped != text and "SERVICE" in _words(unescaped))
    declared = {
        toks[i + 1].text.split(":", 1)[0]
        for i, t in enumerate(toks[:-1])
        if t.kind == "word" and t.text.upper() == "PREFIX" and toks[i + 1].kind == "pname"
    }
    return Shape(form, service, frozenset(declared))


def with_prefixes(text: str, prefixes: dict[str, str]) -> str:
    """The query with PREFIX lines for our predeclared prefixes it does not declare (for remote stores)."""
    declared = shape(text).prefixes
    lines = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items() if p not in declared)
    return lines + text


def with_values(text: str, bindings: dict[str, str]) -> str:
    """Bind variables by an inline VALUES at the start of the outermost WHERE group.

    For every store (the embedded one and a remote SPARQL service alike): the values are serialized RDF
    terms (N-Triples syntax, escaped by the serializer), never raw user text, and the store plans the
    query knowing them. Variables used in the outermost group see the binding.
    """
    if not bindings:
        return text
    toks = tokens(text)
    brace = _where_brace(toks)
    if brace is None:
        raise ValueError("cannot find the WHERE group of the query")
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(bindings.values())
    clause = f" VALUES ({names}) {{ ({values}) }} "
    return text[: brace + 1] + clause + text[brace + 1 :]


def _where_brace(toks: list[Token]) -> int | None:
    """Offset of the '{' opening the outermost WHERE group (after WHERE, or the first top-level one)."""
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.text.upper() == "WHERE":
            following = toks[i + 1] if i + 1 < len(toks) else None
            return following.start if following and following.text == "{" else None
    # SELECT * {…} / ASK {…}: the first brace after the query form (CONSTRUCT has a template first)
    form_seen = False
    for tok in toks:
        if tok.kind == "word" and tok.text.upper() in QUERY_FORMS:
            if tok.text.upper() == "CONSTRUCT":
                return None
            form_seen = True
        elif form_seen and tok.text == "{":
            return tok.start
    return None


_POSITION = re.compile(r"error at (\d+):(\d+)")


def error_position(message: str) -> tuple[int, int] | None:
    """(line, column) from an Oxigraph parser message ("error at 2:27: expected …")."""
    match = _POSITION.search(message)
    return (int(match.group(1)), int(match.group(2))) if match else None


def values_block(text: str, name: str) -> tuple[int, int] | None:
    """Span of a one-variable ``VALUES ?name { … }`` block (a saved query's default), if any."""
    toks = tokens(text)
    for i, tok in enumerate(toks[:-2]):
        if (tok.kind == "word" and tok.text.upper() == "VALUES" and toks[i + 1].kind == "var"
                and toks[i + 1].text[1:] == name and toks[i + 2].text == "{"):
            for end in toks[i + 3:]:
                if end.text == "}":
                    return tok.start, end.start + 1
    return None


def variables(text: str) -> set[str]:
    return {t.text[1:] for t in tokens(text) if t.kind == "var"}
