"""The prose extractor: entities and relations of the running text, with provenance to the span.

``document_mentions`` finds the mentions of every prose sentence (see :mod:`kg.extract.prose_spans`
for the rules); ``extract_prose`` resolves them (:mod:`kg.resolve`) and writes the triples through
the small units of :mod:`kg.extract.prose_units`. Boxes, tables and annexes are left to the table
extractors: only sentences outside them are read here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.extract import ExtractionContext
from kg.extract import prose_lexicon as lex
from kg.extract import prose_spans as sp
from kg.extract.tables import data_dir, resolver
from kg.gazetteer import Gazetteer
from kg.model import Node, ParsedDocument
from kg.rdf.document import Triple
from kg.registers import Register

SKIP_KINDS = ("box", "annex", "table", "title")
DEFAULT_CACHE = Path(__file__).resolve().parents[2] / "var" / "cache"


@dataclass
class ProseSentence:
    node: Node
    text: str  # the sentence's cleaned text
    offsets: list[int]  # offsets[i]: original offset of text[i]
    plan: bool  # in the part about the plan year (promises, not results)
    year: int
    row: bool = False  # a table row outside boxes: its cells joined by tabs, one clause


@dataclass
class Found:
    sentence: ProseSentence
    mention: sp.Mention
    start: int  # original offsets
    end: int
    clause: tuple[int, int]  # the clause, in sentence-text offsets


def align(original: str, start: int, end: int, text: str) -> list[int]:
    """Original offsets of each character of a cleaned text taken from ``original[start:end]``."""
    out: list[int] = []
    pos = start
    for ch in text:
        at = original.find(ch, pos, end)
        if at < 0:  # a character the cleaner changed: keep the last position
            at = max(pos - 1, start)
        else:
            pos = at + 1
        out.append(at)
    return out


def prose_sentences(parsed: ParsedDocument, plan_year: int, execution_year: int) -> Iterator[ProseSentence]:
    """Sentences and footnotes outside boxes and annexes, and the body rows of tables outside them."""
    def walk(node: Node, plan: bool) -> Iterator[ProseSentence]:
        if node.kind in SKIP_KINDS and node.kind != "table":
            return
        if node.kind == "part":
            plan = str(plan_year) in (node.title or "") and str(execution_year) not in (node.title or "")
        year = plan_year if plan else execution_year
        if node.kind == "table":
            yield from (_row(parsed, row, plan, year) for row in [r for r in node.children if r.kind == "row"][1:])
            return
        if node.kind in ("sentence", "footnote") and node.text.strip() and not node.find("sentence")[1:]:
            offsets = align(parsed.original, node.start, node.end, node.text)
            yield ProseSentence(node, node.text, offsets, plan, year)
            return
        for child in node.children:
            yield from walk(child, plan)

    yield from walk(parsed.root, False)


def _row(parsed: ParsedDocument, row: Node, plan: bool, year: int) -> ProseSentence:
    text, offsets = "", []
    for cell in (c for c in row.children if c.kind == "cell"):
        if text:
            text, offsets = text + "\t", offsets + [offsets[-1]]
        text += cell.text
        offsets += align(parsed.original, cell.start, cell.end, cell.text)
    return ProseSentence(row, text, offsets, plan, year, row=True)


Dictionary = tuple[re.Pattern[str] | None, dict[str, tuple[str, str]], tuple[str, ...]]


@functools.lru_cache(maxsize=4)
def dictionary(gaz: Gazetteer, reg: Register) -> Dictionary:
    """A longest-first pattern over gazetteer and register names, with the kind and type of each."""
    kinds: dict[str, tuple[str, str]] = {}
    for place in gaz.places():
        is_org = place.type == "campus"
        for name in gaz.surface_forms(place):
            if len(name) >= 2 and not name.isdigit() and not re.fullmatch(r"[0-9]+号线", name):
                kinds.setdefault(name, ("organization", "university") if is_org else ("place", place.type))
        if place.type in ("city", "district") and place.short_name and len(place.short_name) >= 2:
            kinds.setdefault(place.short_name, ("place", place.type))
    for org in reg.orgs.values():
        for name in (org.name, *org.short_names):
            if len(name) >= 3:
                governing = "department" in org.type or "government" in org.type
                kinds.setdefault(name, ("organization", "government" if governing else "other"))
    for name, typ in lex.WELL_KNOWN_PLACES.items():
        kinds.setdefault(name, ("place", typ))
    for name, typ in lex.WELL_KNOWN_ORGS.items():
        kinds.setdefault(name, ("organization", typ))
    for place in gaz.places():  # a division's short name alone names its area (中关村, 西北旺)
        if place.type in ("street", "town", "area", "township") and place.short_name and len(place.short_name) >= 2:
            kinds.setdefault(place.short_name, ("place", "named-area"))
    sp.KNOWN_NAMES.update(kinds)
    names = sorted(kinds, key=lambda n: (-len(n), n))
    pattern = re.compile("|".join(re.escape(n) for n in names)) if names else None
    return pattern, kinds, tuple(names)


def _tokenizer(ctx: ExtractionContext | None, words: tuple[str, ...]):  # noqa: ANN202 - jieba type
    settings = getattr(ctx, "settings", None) if ctx is not None else None
    cache = settings.cache_dir / "jieba" if settings is not None else DEFAULT_CACHE / "jieba"
    return lex.tokenizer(str(cache), words)


def sentence_mentions(tk, pattern, kinds, s: ProseSentence) -> list[Found]:  # noqa: ANN001
    text = s.text
    # a suffix candidate that is itself a dictionary name, or two written together (市委市政府), is left to the
    # dictionary's filters (中关村|论坛)
    cands = [c for c in sp.candidates(tk, text) if c[0].surface not in kinds and not _two_names(c[0].surface, kinds)]
    clause_of = {id(m): (a, b) for m, a, b in cands}
    bounds = _token_bounds(tk, text)
    dict_ms = [m for m in sp.dictionary_mentions(pattern, kinds, text)
               if m.start in bounds and m.end in bounds and not _inside_longer(tk, m, text)]
    for m in dict_ms:
        clause_of[id(m)] = _clause_around(text, m.start)
    mentions = sp.flat_longest([m for m, _, _ in cands] + dict_ms)
    for m in mentions:
        a, b = clause_of[id(m)]
        sp.settle_kind(m, text, a, b)
    mentions = _join_coded_lists(sp.propagate_lists(mentions, text), text)
    masked = _masked(text, mentions)
    out = []
    for m in mentions:
        if m.kind not in ("place", "organization", "policy", "project") or _honour(m, text):
            continue
        if m.kind == "project" and m.status is None:
            a, b = clause_of.get(id(m)) or _clause_around(text, m.start)
            near = sp.status_near(masked[a:b], m.start - a, m.end - a)
            if near:
                m.status, m.cue = near
        if m.kind == "project" and s.plan:
            a, b = clause_of.get(id(m)) or _clause_around(text, m.start)
            m.status = sp.plan_status(masked[a:b], m.start - a, m.end - a, m.status)
        start, end = s.offsets[m.start], s.offsets[m.end - 1] + 1
        out.append(Found(s, m, start, end, clause_of.get(id(m)) or _clause_around(text, m.start)))
    return out


CODE = r"(?:[A-Z][0-9]{0,2}|[一二三四五六七八九十]期)"
CODE_LIST = re.compile(f"{CODE}(?:、{CODE})+")


def _join_coded_lists(mentions: list[sp.Mention], text: str) -> list[sp.Mention]:
    """Plots and phases listed by their codes are one mention: 创新园A、B地块, 温泉F、C地块安置房,
    冷泉北沟一期、二期 (the name is written once, around the codes)."""
    for codes in CODE_LIST.finditer(text):
        a, b = codes.span()
        around = [m for m in mentions if m.start <= b and a <= m.end and m.kind in ("project", "place")]
        if not around or not any(m.start < a or m.end > b for m in around):
            continue
        last = max(around, key=lambda m: m.end)
        start, end = min(m.start for m in around), max(last.end, b)
        joined = sp.Mention(start, end, text[start:end], "project", last.type if last.kind == "project"
                            else sp.project_type(text[start:end], "other"), last.source, last.status, last.cue)
        mentions = sorted([m for m in mentions if m not in around] + [joined], key=lambda m: m.start)
    return mentions


def _masked(text: str, mentions: list[sp.Mention]) -> str:
    """The text with every mention blanked out: a status word inside a name (数据运营平台) states nothing."""
    chars = list(text)
    for m in mentions:
        chars[m.start:m.end] = "□" * (m.end - m.start)
    return "".join(chars)


HONOURED = re.compile(r"(?:获评|评为|荣获|授予|命名为|获批为)[^，,；;。]{0,6}$")


def _honour(m: sp.Mention, text: str) -> bool:
    """A title a place or a sector was awarded (获评全国首批文物保护利用示范区) names no programme."""
    return m.kind == "policy" and m.type == "programme" and HONOURED.search(text, 0, m.start) is not None


def _two_names(surface: str, kinds: dict[str, tuple[str, str]]) -> bool:
    return any(surface[:i] in kinds and surface[i:] in kinds for i in range(2, len(surface) - 1))


QUOTED_NAME = 16  # a quotation longer than this is a quoted statement (“举全市之力以海淀为核心…”), not a brand


def _inside_longer(tk, m: sp.Mention, text: str) -> bool:  # noqa: ANN001
    """A short place name that only begins a longer unknown name (中关村论坛) or sits in a quotation."""
    opened = text.rfind("“", 0, m.start)
    if opened > text.rfind("”", 0, m.start):
        closed = text.find("”", m.end)
        return closed < 0 or closed - opened <= QUOTED_NAME  # a longer quotation is a statement, not a name
    if m.kind == "place" and m.type in ("district", "city") and (_in_event(text, m.end) or _attribute(text, m.end)):
        return True  # 北京国际青年创新发展论坛, 海淀之夜: an event is not annotated, nor its place; 海淀特色
    if m.kind == "place" and m.type in ("district", "city") and m.surface[-1] not in "区市县":
        return _modifies(tk, m, text)
    if m.kind != "place" or len(m.surface) > 3 or m.type in ("district", "city"):
        return False  # 海淀区机器人产业: a district or city name before a noun is still the district
    after = text[m.end:m.end + 6]
    if not after or sp.CLAUSE_SEP.match(after[0]) or after[0] in "、等和与及的”）)":
        return False
    first = next(iter(tk.cut(after, HMM=False)), "")
    if first in lex.BOUNDARY_WORDS or any(first.startswith(c) for c, _ in lex.STATUS_CUES):
        return False
    return _heads_a_name(tk, text, m.end)


def _heads_a_name(tk, text: str, end: int) -> bool:  # noqa: ANN001
    """Whether the words after a short place name, up to the next boundary, end a longer name (中关村|论坛,
    五道口|先导区, 中关村|精神); 京津冀|协同领域 and 京津冀|三地 leave the place alone."""
    words: list[str] = []
    for word in tk.cut(QUOTED_REST.match(text, end).group(), HMM=False):
        if word in lex.BOUNDARY_WORDS:
            break
        words.append(word)
    return any(lex.classify_suffix("".join(words[:i + 1])) is not None
               or words[i].endswith(lex.EVENT_ENDS + lex.CONCEPT_HEADS) for i in range(len(words)))


NAME_REST = re.compile(r"[^，,；;。：:、“”《》\s]{0,12}")
QUOTED_REST = re.compile(r"[^，,；;。：:、《》\s]{0,16}")  # a name may hold a quotation (中关村“番钛客”…大赛)


def _attribute(text: str, end: int) -> bool:
    """Whether a place name qualifies what it is known for (海淀特色生态产品, 海淀生态名片), not a place."""
    rest = NAME_REST.match(text, end).group()
    return any(rest[:i].endswith(("特色", "名片")) for i in range(2, min(len(rest), 6) + 1))


def _in_event(text: str, end: int) -> bool:
    """Whether the words after a place name, up to the next punctuation, end in an event word with no verb."""
    rest = NAME_REST.match(text, end).group()
    return rest.endswith(lex.EVENT_ENDS) and not any(w in rest for w in lex.BOUNDARY_WORDS if len(w) > 1)


def _modifies(tk, m: sp.Mention, text: str) -> bool:  # noqa: ANN001
    """A district's short name that is qualified (平安海淀) or begins a listed name (、海淀文化季): a brand or a
    slogan, not the place; 以海淀为核心, 扩展至海淀 and 依托海淀文化资源 name the place."""
    after = next(iter(tk.cut(text[m.end:m.end + 6], HMM=False)), "")
    before = list(tk.cut(text[max(0, m.start - 6):m.start], HMM=False))
    prev = before[-1] if before else ""

    if len(prev) >= 2 and sp.CJK.match(prev[-1]) and prev not in lex.BOUNDARY_WORDS:
        return True  # 平安海淀, 悦动海淀
    if prev in lex.BOUNDARY_WORDS or len(prev) == 1 and sp.CJK.match(prev):
        return False  # 依托海淀…, 落户海淀, 访迪拜: the object of a verb is the place
    listed = prev[-1:] in ("、", "“", "·", "（", "(")  # 、海淀文化季, “北京消费季: a name that begins with it
    return listed and bool(after) and sp.CJK.match(after[0]) is not None and after not in lex.BOUNDARY_WORDS


def _clause_around(text: str, at: int) -> tuple[int, int]:
    start = max((m.end() for m in sp.CLAUSE_SEP.finditer(text, 0, at)), default=0)
    nxt = sp.CLAUSE_SEP.search(text, at)
    return start, nxt.start() if nxt else len(text)


def _token_bounds(tk, text: str) -> set[int]:  # noqa: ANN001
    bounds, pos = {0}, 0
    for word in tk.cut(text, HMM=False):
        pos += len(word)
        bounds.add(pos)
    return bounds


def document_mentions(parsed: ParsedDocument, plan_year: int, execution_year: int, gaz: Gazetteer,
                      reg: Register, ctx: ExtractionContext | None = None) -> list[Found]:
    pattern, kinds, tk = _prepared(ctx, gaz, reg)
    found: list[Found] = []
    sentences = list(prose_sentences(parsed, plan_year, execution_year))
    for s in sentences:
        found += sentence_mentions(tk, pattern, kinds, s)
    _one_kind_per_name(found)
    return found + _repeated_programmes(sentences, found)


PHASE_END = re.compile(r"[(（]?(?:[一二三四五六七八九十0-9]+期|[A-Z]组团)[)）]?$")
FIXED_PLACES = frozenset({"road", "metro-line", "district", "city", "street", "town", "township", "village"})


def _base_name(surface: str) -> str:
    """A name without its quotes and its phase, when what is left still ends in a suffix (京张铁路遗址公园(二期))."""
    name = surface.strip("“”")
    base = PHASE_END.sub("", name)
    return base if base != name and len(base) >= 4 and lex.classify_suffix(base) else name


def _one_kind_per_name(found: list[Found]) -> None:
    """One kind per name in a document: a park or a centre the document builds somewhere (a project with a
    status) is a project where it only stands as a setting too (…等新晋“网红打卡地”). Roads and divisions keep
    their place sense, and platforms stay organizations."""
    built = {_base_name(f.mention.surface) for f in found
             if f.mention.kind == "project" and f.mention.status and f.mention.source != "list"}
    for f in found:
        m = f.mention
        movable = (m.kind == "place" and m.type not in FIXED_PLACES
                   or m.kind == "organization" and m.type in ("research-institute", "hospital"))
        name = _base_name(m.surface)
        if movable and (name in built or len(name) >= 5 and any(b.endswith(name) or name.endswith(b)
                                                                  for b in built if len(b) >= 5)):
            m.kind, m.type = "project", sp.project_type(m.surface, "other")
            a, b = f.clause
            near = sp.status_near(f.sentence.text[a:b], m.start - a, m.end - a)
            m.status, m.cue = near if near else (None, None)
            if f.sentence.plan:
                m.status = sp.plan_status(f.sentence.text[a:b], m.start - a, m.end - a, m.status)


QUOTE = re.compile(r"“[^“”]{1,12}”")


def _repeated_programmes(sentences: list[ProseSentence], found: list[Found]) -> list[Found]:
    """One sense per document: a quotation or a building programme read as a named programme once (落地“一业一证”,
    推进美丽乡村建设) names it wherever else it stands alone in the document (“一业一证”变更案例)."""
    named = {q.group() for f in found if f.mention.kind == "policy" and f.mention.type in ("programme", "reform")
             for q in QUOTE.finditer(f.mention.surface)}
    named |= {f.mention.surface for f in found if f.mention.source == "programme" and len(f.mention.surface) >= 6}
    if not named:
        return []
    pattern = re.compile("|".join(re.escape(n) for n in sorted(named, key=len, reverse=True)))  # once per document
    taken: dict[int, list[Found]] = {}
    for f in found:
        taken.setdefault(id(f.sentence), []).append(f)
    out: list[Found] = []
    for s in sentences:
        spans = [(f.mention.start, f.mention.end) for f in taken.get(id(s), [])]
        for q in pattern.finditer(s.text):
            if all(q.end() <= a or q.start() >= b for a, b in spans):
                m = sp.Mention(q.start(), q.end(), q.group(), "policy", "programme", "repeat")
                out.append(Found(s, m, s.offsets[m.start], s.offsets[m.end - 1] + 1, _clause_around(s.text, m.start)))
    return out


def _prepared(ctx: ExtractionContext | None, gaz: Gazetteer, reg: Register):  # noqa: ANN202 - jieba type
    """The name pattern, the kinds of the names, and the tokenizer that knows them (both cached per process)."""
    pattern, kinds, words = dictionary(gaz, reg)
    tk = _tokenizer(ctx, words)
    if not sp.FREQ:
        sp.FREQ.update(tk.FREQ)
        sp.VOCABULARY.update(tk.vocabulary)
        sp.PLACE_WORDS.update(tk.place_words)
    return pattern, kinds, tk


def warm_up(ctx: ExtractionContext) -> None:
    """Build the name dictionary and the tokenizer now (about 1 s, mostly jieba's dictionary): a build does
    this once before it forks its workers, which then share them instead of each loading its own."""
    res = resolver(ctx)
    _prepared(ctx, res.gazetteer, res.register)


def extract_prose(ctx: ExtractionContext) -> Iterator[Triple]:
    from kg.extract.prose_units import emit  # the units import this module's types

    res = resolver(ctx)
    found = document_mentions(ctx.parsed, ctx.source.plan_year, ctx.source.execution_year,
                              res.gazetteer, res.register, ctx)
    yield from emit(ctx, res, found)


__all__ = ["extract_prose", "document_mentions", "data_dir", "warm_up"]
