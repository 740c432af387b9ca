"""Relations stated in one sentence (or one table row), as records the units turn into triples.

- has-status: a project and the status its clause states (``Mention.status``);
- addresses-sector: the sector named in the entity's own name (人工智能大模型产业集聚区 → 人工智能), stated once
  per entity and document, where it is first named;
- located-in: X 落地/落户/位于/扩区至/扩展至/迁至 P; 在 P … 启动/建设 X; 依托 P1、P2…建设 X (across the list);
  名称：X；地址：P …; a table row that holds a project and a place;
- led-by: O 牵头组建/牵头成立 X; responsible-for: O 建成/建设/筹建/设立/发起设立 X, O1、O2 开展 <pilot>, and
  across clauses 支持 O …，并建设 X; a table row that holds an organization and a project or programme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract import prose_lexicon as lex
from kg.extract.prose import Found

LOCATED = re.compile(r"^(?:正式)?(?:落地|落户|位于|扩区至|扩展至|迁至|入驻|地址[：:]|[；;]地址[：:])$")
IN_PLACE = re.compile(r"^在$")
LED_BY = re.compile(r"^牵头(?:组建|成立|建设)$")
RESPONSIBLE = re.compile(r"^(?:并)?(?:建成|建设|筹建|发起设立|设立并运行|设立|运营|组建)$")
ACTORS = ("project", "organization", "policy")
# between the last member of a list and the programme it joins: 等19个项目纳入, 等七个商业中心成为北京市, 入选
JOINS = re.compile(r"^(?:等[0-9一二三四五六七八九十百余多]*[个项处家所座条]?[^，,；;。、“”]{0,6}?)?"
                   r"(?:纳入|成为|入选|列入)?(?:北京市|市级|全市|国家|市)?$")
LIST_LINK = re.compile(r"^(?:、|和|及|以及|与)$")
MEMBERS = ("place", "project", "organization")


@dataclass
class Relation:
    kind: str
    subject: Found
    obj: Found | str
    start: int  # evidence span in the original text
    end: int


def relations(found: list[Found]) -> list[Relation]:
    out: list[Relation] = []
    stated: set[tuple[str, str]] = set()  # a document states an entity's sector once, where it first names it
    for f in sorted(found, key=lambda f: f.start):
        if f.mention.kind == "project" and f.mention.status:
            out.append(Relation("has-status", f, f.mention.status, f.start, f.end))
        if f.mention.kind in ACTORS:
            name = f.mention.surface.strip("“”")
            sectors = [s for s in lex.sectors_in(f.mention.surface) if not _stated(name, s, stated)]
            stated.update((name, s) for s in sectors)
            out += [Relation("addresses-sector", f, s, f.start, f.end) for s in sectors]
    by_sentence: dict[int, list[Found]] = {}
    for f in found:
        by_sentence.setdefault(id(f.sentence), []).append(f)
    for items in by_sentence.values():
        items.sort(key=lambda f: f.mention.start)
        out += _pairs(items)
        out += _members(items)
        out += _hosts(items) + _continued(items)
        if items and items[0].sentence.row:
            out += _row(items)
    return out


def _listed(items: list[Found], last: Found) -> list[Found]:
    """The items of the 、 list that ``last`` closes, of its kind (A、B、C → A, B, C)."""
    text, kind = last.sentence.text, last.mention.kind
    out = [last]
    for f in reversed(items[:items.index(last)]):
        if f.mention.kind != kind or not LIST_LINK.match(text[f.mention.end:out[-1].mention.start]):
            break
        out.append(f)
    return out[::-1]


def _stated(name: str, sector: str, stated: set[tuple[str, str]]) -> bool:
    """Whether the sector was stated for this name, or for a longer or shorter form of it (量子科技孵化器 and
    中关村量子科技孵化器, “人工智能+”行动 and “人工智能+”行动计划)."""
    return any(s == sector and (n == name or min(len(n), len(name)) >= 5 and (
        n.endswith(name) or name.endswith(n) or n.startswith(name) or name.startswith(n))) for n, s in stated)


def _pairs(items: list[Found]) -> list[Relation]:
    out: list[Relation] = []
    for f, g in zip(items, items[1:], strict=False):
        between = f.sentence.text[f.mention.end:g.mention.start].strip()
        fk, gk = f.mention.kind, g.mention.kind
        if gk == "place" and fk in (*ACTORS, "place") and LOCATED.match(between):
            out.append(Relation("located-in", f, g, f.start, g.end))
        elif fk == "organization" and gk in ACTORS and LED_BY.match(between):
            out.append(Relation("led-by", g, f, f.start, g.end))
        elif fk == "organization" and gk in ("project", "organization") and RESPONSIBLE.match(between):
            out.append(Relation("responsible-for", f, g, f.start, g.end))
        elif fk == "organization" and gk == "policy" and between == "开展":  # A、B医院开展…试点: each carries it out
            out += [Relation("responsible-for", o, g, o.start, g.end) for o in _listed(items, f)]
        elif (fk == "place" and gk in ACTORS
              and IN_PLACE.match(f.sentence.text[max(0, f.mention.start - 1):f.mention.start])
              and re.fullmatch(r"(?:启动|建设|开工建设|打造|落地建设)?[“]?", between)):
            out.append(Relation("located-in", g, f, f.start, g.end))
    return out


CONTINUES = re.compile(r"^并(?:建设|建成|筹建|设立|运营|组建)$")


def _hosts(items: list[Found]) -> list[Relation]:
    """located-in: a list of places a clause builds on (依托中关村、知春路、学院路等周边地区…建设 X) hosts the
    first project the clause then builds."""
    out: list[Relation] = []
    text = items[0].sentence.text if items else ""
    for at, f in enumerate(items):
        if f.mention.kind != "place" or not text[:f.mention.start].endswith("依托"):
            continue
        places = [f]
        for g in items[at + 1:]:
            if g.mention.kind != "place" or not LIST_LINK.match(text[places[-1].mention.end:g.mention.start]):
                break
            places.append(g)
        target = next((g for g in items[at + len(places):] if g.clause == f.clause), None)
        if target is not None and target.mention.kind == "project":
            out += [Relation("located-in", target, p, p.start, target.end) for p in places]
    return out


def _continued(items: list[Found]) -> list[Relation]:
    """responsible-for across clauses: 支持 O 研发…，并建设 X — the one organization of the clause before is the
    subject that goes on to build X."""
    out: list[Relation] = []
    text = items[0].sentence.text if items else ""
    for g in items:
        a, _b = g.clause
        if g.mention.kind not in ("project", "organization") or not CONTINUES.match(text[a:g.mention.start]):
            continue
        before = [f for f in items if f.clause[1] == a - 1 and f.mention.kind == "organization"]
        if len(before) == 1:
            out.append(Relation("responsible-for", before[0], g, before[0].start, g.end))
    return out


def _members(items: list[Found]) -> list[Relation]:
    """part-of: the items of a list written right before the programme they join (东马坊村、车耳营村美丽乡村建设,
    A、B等19个项目纳入“3个100”重点工程, …等七个商业中心成为北京市“夜京城”打卡地)."""
    out: list[Relation] = []
    text = items[0].sentence.text if items else ""
    for at, g in enumerate(items):
        if g.mention.kind != "policy" or g.mention.type != "programme":
            continue
        before = [f for f in items[:at] if not (f.mention.kind == "place" and f.mention.type == "city")]
        if not before or not JOINS.match(text[before[-1].mention.end:g.mention.start].replace("北京市", "")):
            continue
        members = [before[-1]]
        for f in reversed(before[:-1]):
            if not LIST_LINK.match(text[f.mention.end:members[-1].mention.start]):
                break
            members.append(f)
        out += [Relation("part-of", f, g, f.start, g.end) for f in members
                if f.mention.kind in MEMBERS and f.mention.type not in ("district", "city")]
    return out


def _row(items: list[Found]) -> list[Relation]:
    """A table row: its project is in its place, and its organization answers for its project."""
    places = [f for f in items if f.mention.kind == "place"]
    orgs = [f for f in items if f.mention.kind == "organization"]
    targets = [f for f in items if f.mention.kind in ("project", "policy")]
    out: list[Relation] = []
    if len(targets) == 1 and len(places) == 1 and targets[0].mention.kind == "project":
        out.append(Relation("located-in", targets[0], places[0], targets[0].start, targets[0].end))
    if len(targets) == 1 and len(orgs) == 1:
        out.append(Relation("responsible-for", orgs[0], targets[0], orgs[0].start, orgs[0].end))
    return out
