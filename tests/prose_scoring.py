"""Scoring of the prose extractor against hand-annotated gold (see tests/gold/PROSE_README.md).

Matching rule, entities: a predicted mention and a gold mention match when they are on the same line,
have the same kind (place, organization, policy, project) and their spans overlap; each gold mention
matches at most one prediction (greedy, in text order). A prediction that lies strictly inside a gold
span without matching it is *nested* and not scored (the gold is flat, longest-span). Only the lines of
the coverage file are scored. The exact-boundary rate of the matches is reported beside.

Relations: the gold has-status relations are those of the relations file together with the status
column of the entity file (the same annotation; the entity file states a few more). A predicted
relation is mapped to gold canonicals through the gold mentions its subject and
object matched (status and sector values as they are), then compared with the gold relations of the
same line as a multiset. A relation whose subject or object matched no gold mention is a false positive.
"""

from __future__ import annotations

import bisect
import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.extract.prose import Found, document_mentions
from kg.extract.prose_relations import relations
from kg.gazetteer import Gazetteer
from kg.parse import parse_document
from kg.registers import Register
from kg.sources import Source

KINDS = ("place", "organization", "policy", "project")
RELATIONS = ("has-status", "addresses-sector", "located-in", "part-of", "responsible-for", "led-by")


@dataclass
class Score:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    exact: Counter = field(default_factory=Counter)
    errors: list[tuple] = field(default_factory=list)

    def precision(self, k: str) -> float:
        return self.tp[k] / (self.tp[k] + self.fp[k]) if self.tp[k] + self.fp[k] else 1.0

    def recall(self, k: str) -> float:
        return self.tp[k] / (self.tp[k] + self.fn[k]) if self.tp[k] + self.fn[k] else 1.0

    def total_precision(self, keys: tuple[str, ...]) -> float:
        tp, fp = sum(self.tp[k] for k in keys), sum(self.fp[k] for k in keys)
        return tp / (tp + fp) if tp + fp else 1.0

    def table(self, keys: tuple[str, ...], title: str) -> str:
        lines = [f"{title:18} precision  recall   tp   fp   fn  exact"]
        for k in keys:
            if self.tp[k] + self.fp[k] + self.fn[k]:
                lines.append(f"{k:18} {self.precision(k):9.2f} {self.recall(k):7.2f} {self.tp[k]:4} {self.fp[k]:4} "
                             f"{self.fn[k]:4} {self.exact[k]:6}")
        return "\n".join(lines)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]


def predictions(source: Source, gaz: Gazetteer, reg: Register) -> tuple[str, list[Found]]:
    original = source.read_text()
    parsed = parse_document(source.id, original)
    return original, document_mentions(parsed, source.plan_year, source.execution_year, gaz, reg)


def _place(text: str, golds: list[dict[str, str]], base: int, tag: str, line: int) -> list[tuple]:
    """Spans of the gold surfaces in a line: longest first, never inside one already placed."""
    spans: list[tuple] = []
    for g in sorted(golds, key=lambda g: -len(g["surface"])):
        at = text.find(g["surface"])
        while at >= 0 and any(a < base + at + len(g["surface"]) and base + at < b for a, b, _ in spans):
            at = text.find(g["surface"], at + 1)
        assert at >= 0, (tag, line, g["surface"])
        spans.append((base + at, base + at + len(g["surface"]), g))
    return sorted(spans, key=lambda s: s[0])


def score(original: str, found: list[Found], gold: list[dict[str, str]], gold_rel: list[dict[str, str]],
          covered: set[int], ents: Score, rels: Score, tag: str = "") -> None:
    starts = line_starts(original)

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset)

    by_line: dict[int, list[Found]] = defaultdict(list)
    for f in found:
        if line_of(f.start) in covered:
            by_line[line_of(f.start)].append(f)
    gold_by_line: dict[int, list[dict[str, str]]] = defaultdict(list)
    for g in gold:
        gold_by_line[int(g["line"])].append(g)
    canonical_of: dict[int, str] = {}  # id(Found) -> gold canonical
    for line in sorted(covered):
        end = starts[line] if line < len(starts) else len(original)
        text = original[starts[line - 1]:end]
        spans = _place(text, gold_by_line[line], starts[line - 1], tag, line)
        matched: set[int] = set()
        for f in sorted(by_line[line], key=lambda f: f.start):
            hit = next((i for i, (a, b, g) in enumerate(spans) if i not in matched and f.start < b and a < f.end
                        and g["kind"] == f.mention.kind), None)
            if hit is not None:
                matched.add(hit)
                a, b, g = spans[hit]
                ents.tp[f.mention.kind] += 1
                ents.exact[f.mention.kind] += (a, b) == (f.start, f.end)
                canonical_of[id(f)] = g["canonical"]
            elif not any(a <= f.start and f.end <= b for a, b, _ in spans):
                ents.fp[f.mention.kind] += 1
                ents.errors.append(("FP", tag, line, f.mention.kind, f.mention.type, f.mention.surface))
        for i, (_a, _b, g) in enumerate(spans):
            if i not in matched:
                ents.fn[g["kind"]] += 1
                ents.errors.append(("FN", tag, line, g["kind"], g["type"], g["surface"]))
    gold_rels: dict[int, Counter] = defaultdict(Counter)
    for r in gold_rel:
        gold_rels[int(r["line"])][(r["subject"], r["relation"], r["object"])] += 1
    for g in gold:  # statuses the entity file states and the relations file leaves out
        key = (g["canonical"], "has-status", g.get("status", ""))
        if g["kind"] == "project" and key[2] and not gold_rels[int(g["line"])][key]:
            gold_rels[int(g["line"])][key] += 1
    for rel in relations(found):
        line = line_of(rel.subject.start)
        if line not in covered:
            continue
        subject = canonical_of.get(id(rel.subject))
        obj = rel.obj if isinstance(rel.obj, str) else canonical_of.get(id(rel.obj))
        key = (subject, rel.kind, obj)
        if subject is not None and obj is not None and gold_rels[line][key] > 0:
            gold_rels[line][key] -= 1
            rels.tp[rel.kind] += 1
        else:
            rels.fp[rel.kind] += 1
            rels.errors.append(("FP", tag, line, rel.kind, subject or rel.subject.mention.surface,
                                obj or getattr(rel.obj, "mention", rel.obj)))
    for line, left in gold_rels.items():
        if line in covered:
            for (s, k, o), n in left.items():
                rels.fn[k] += n
                rels.errors.extend([("FN", tag, line, k, s, o)] * n)
