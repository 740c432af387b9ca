"""Shared helpers for the extractors of boxes (专栏) and annex tables.

Tables are found by their header cells, not by box number, so that a new report of the same kind
(where the canteen list may be 专栏6) needs no code change. Every entity an extractor emits gets a
mention at the exact span of its name inside the cell (``name_span``), and every fact a
``prov:wasDerivedFrom`` link to the cell or row it was read from (``derived``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF

from kg.extract import ExtractionContext
from kg.gazetteer import Gazetteer, load_gazetteer
from kg.model import Node
from kg.places import district_of
from kg.rdf.document import Triple
from kg.rdf.namespaces import KG
from kg.rdf.provenance import mention_triples
from kg.registers import UNREGISTERED, Register, load_register
from kg.resolve import Resolver, Scope

PROJECT_DATA = Path(__file__).resolve().parents[2] / "data"
_UNIT_SEP = re.compile(r"[、，,；;]")


def data_dir(ctx: ExtractionContext) -> Path:
    """The build's data/ directory (a project home's), else the one beside the sources, else ours."""
    settings = getattr(ctx, "settings", None)
    if settings is not None and (settings.data_dir / "registers").is_dir():
        return settings.data_dir
    candidate = ctx.source.path.parent.parent
    return candidate if (candidate / "registers").is_dir() else PROJECT_DATA


@lru_cache(maxsize=8)
def _gazetteer(directory: str) -> Gazetteer:
    return load_gazetteer(Path(directory))


def gazetteer(ctx: ExtractionContext) -> Gazetteer:
    d = data_dir(ctx) / "gazetteer"
    return _gazetteer(str(d if d.is_dir() else PROJECT_DATA / "gazetteer"))


def register(ctx: ExtractionContext) -> Register:
    """The organization register, one per document context (its ``unknown`` collects new units)."""
    cached = getattr(ctx, "_register", None)
    if cached is None:
        cached = load_register(data_dir(ctx) / "registers" / "departments.csv")
        ctx._register = cached  # type: ignore[attr-defined]  # a per-document cache on the context
    return cached


def resolver(ctx: ExtractionContext) -> Resolver:
    """The document's resolver, made once and kept on the context for every extractor."""
    if ctx.resolver is None:
        gaz = gazetteer(ctx)
        district = district_of(gaz, ctx.source.district)
        city = gaz.ancestors(district.id)[-1] if district is not None and gaz.ancestors(district.id) else None
        ctx.resolver = Resolver(ctx.minter, gaz, register(ctx), Scope.of(district, city, ctx.source.district))
    return ctx.resolver  # type: ignore[return-value]


def cell_value(cell: Node) -> str:
    """A cell's normalised value: wrapped lines joined, bullet lines joined with a newline."""
    return (cell.title if cell.title is not None else cell.text).strip()


def cells(row: Node) -> list[Node]:
    return [c for c in row.children if c.kind == "cell"]


def header(table: Node) -> list[str]:
    rows = [r for r in table.children if r.kind == "row"]
    return [re.sub(r"\s+", "", cell_value(c)) for c in cells(rows[0])] if rows else []


def tables_with_header(ctx: ExtractionContext, *required: str) -> Iterator[tuple[Node, Node]]:
    """(container, table) for every table whose header row holds every required cell text."""
    containers = [n for n in ctx.parsed.root.walk() if n.kind in ("box", "annex")]
    for container in containers:
        for table in container.find("table"):
            head = header(table)
            if all(any(req in h for h in head) for req in required):
                yield container, table


def body_rows(table: Node) -> list[Node]:
    return [r for r in table.children if r.kind == "row"][1:]


def name_span(ctx: ExtractionContext, node: Node, name: str, after: int | None = None) -> tuple[int, int]:
    """The span of ``name`` inside ``node`` in the original text (the node's span if it wraps)."""
    start = node.start if after is None else max(node.start, after)
    at = ctx.parsed.original.find(name, start, node.end)
    return (at, at + len(name)) if at >= 0 else (node.start, node.end)


def derived(ctx: ExtractionContext, subject: URIRef, node: Node) -> Triple:
    return subject, PROV.wasDerivedFrom, ctx.iri(node)


def mention(ctx: ExtractionContext, entity: URIRef, node: Node, name: str,
            after: int | None = None) -> Iterator[Triple]:
    start, end = name_span(ctx, node, name, after)
    yield from mention_triples(ctx, entity, start, end)


def split_units(text: str) -> list[str]:
    """Split a list of units (区北部办、区住房城乡建设委、海融达公司) outside brackets."""
    units, depth, current = [], 0, []
    for ch in text:
        depth += ch in "（("
        depth -= ch in "）)"
        if depth == 0 and _UNIT_SEP.match(ch):
            units.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    units.append("".join(current).strip())
    return [u for u in units if u]


def org_triples(ctx: ExtractionContext, surface: str) -> tuple[URIRef, list[Triple]]:
    """The organization a unit string names (through the document's resolver, as in the running text),
    and its triples the first time this document names it."""
    resolved = resolver(ctx).organization(surface, "unregistered")
    described: set[URIRef] = ctx.__dict__.setdefault("_described_orgs", set())
    if resolved.iri in described:
        return resolved.iri, []
    described.add(resolved.iri)
    if (resolved.iri, KG.orgType, UNREGISTERED) in resolved.triples:  # the build reports them all at once
        ctx.unregistered.add(surface)
    return resolved.iri, resolved.triples


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def typed(subject: URIRef, classes: Iterable[URIRef]) -> Iterator[Triple]:
    for cls in classes:
        yield subject, RDF.type, cls
