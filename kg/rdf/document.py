"""RDF for a report, its structure and the provenance selectors of every segment.

Each structural node becomes a ``kg:TextSegment`` subclass instance, part of its parent, with a
``oa:TextPositionSelector`` (start/end offsets into the original text) and a ``oa:TextQuoteSelector``
(the original text at that span, exactly). Selectors get IRIs (``#pos``, ``#quote``), not blank
nodes, so that the canonical N-Triples export is byte-stable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from kg.model import Node, ParsedDocument
from kg.rdf.iris import Minter
from kg.rdf.namespaces import KG, OA
from kg.sources import Source

Triple = tuple[URIRef, URIRef, URIRef | Literal]

SEGMENT_CLASS = {
    "title": KG.TitleBlock,
    "part": KG.Part,
    "section": KG.Section,
    "measure": KG.Measure,
    "box": KG.Box,
    "annex": KG.Annex,
    "table": KG.Table,
    "row": KG.TableRow,
    "cell": KG.TableCell,
    "paragraph": KG.Paragraph,
    "sentence": KG.Sentence,
    "footnote": KG.Footnote,
}
HEADED = {"part", "section", "box", "annex", "measure"}  # nodes that carry a heading as rdfs:label
TEXT_KINDS = {"sentence", "footnote", "title"}  # leaves whose cleaned text is stored (others derive it)
GLOBAL_COUNTED = {"paragraph", "sentence", "footnote"}  # numbered through the whole document
LABEL_CHARS = 60


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def short_label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


class SegmentPaths:
    """Deterministic, readable paths for the nodes of one document (``part/1/section/2``, ``sentence/17``)."""

    def __init__(self) -> None:
        self.global_counts: Counter[str] = Counter()
        self.used: set[str] = set()

    def path(self, node: Node, parent_path: str, position: int) -> str:
        kind = node.kind
        if kind in GLOBAL_COUNTED:
            self.global_counts[kind] += 1
            path = f"{kind}/{self.global_counts[kind]}"
        elif kind == "title":
            path = "title"
        elif kind in ("part", "box", "annex"):
            path = f"{kind}/{node.ordinal or position}"
        elif kind == "table":
            path = f"{parent_path}/table" if parent_path else "table"
        else:  # section, measure, row, cell: numbered within the parent
            number = node.ordinal if kind in ("section", "measure") and node.ordinal else position
            path = f"{parent_path}/{kind}/{number}" if parent_path else f"{kind}/{number}"
        return self._unique(path)

    def _unique(self, path: str) -> str:
        candidate, n = path, 1
        while candidate in self.used:
            n += 1
            candidate = f"{path}-{n}"
        self.used.add(candidate)
        return candidate


def report_triples(source: Source, parsed: ParsedDocument, minter: Minter) -> Iterator[Triple]:
    doc = minter.document(source.id)
    yield doc, RDF.type, KG.Report
    yield doc, RDFS.label, zh(source.title)
    yield doc, DCTERMS.title, zh(source.title)
    yield doc, DCTERMS.identifier, Literal(source.id)
    yield doc, DCTERMS.language, Literal(source.language)
    yield doc, KG.executionYear, Literal(str(source.execution_year), datatype=XSD.gYear)
    yield doc, KG.planYear, Literal(str(source.plan_year), datatype=XSD.gYear)
    yield doc, KG.contentHash, Literal(source.content_hash())
    yield doc, KG.characterCount, Literal(len(parsed.original))
    # The publisher and the district are resolved against the register and gazetteer by
    # kg.extract.report, so that they are the same entities as in the tables and the text.
    if source.published:
        yield doc, DCTERMS.issued, Literal(source.published, datatype=XSD.date)


def selector_triples(segment: URIRef, doc: URIRef, start: int, end: int, exact: str) -> Iterator[Triple]:
    position, quote = URIRef(f"{segment}#pos"), URIRef(f"{segment}#quote")
    yield segment, OA.hasSource, doc
    yield segment, OA.hasSelector, position
    yield segment, OA.hasSelector, quote
    yield position, RDF.type, OA.TextPositionSelector
    yield position, OA.start, Literal(start)
    yield position, OA.end, Literal(end)
    yield quote, RDF.type, OA.TextQuoteSelector
    yield quote, OA.exact, Literal(exact)


def segment_triples(
    source: Source, parsed: ParsedDocument, minter: Minter, index: dict[int, URIRef] | None = None
) -> Iterator[Triple]:
    """Triples for every node of the structure tree, parents before children.

    ``index``, when given, receives ``id(node) -> IRI`` for every node, so that later stages can
    point at the segment a fact came from.
    """
    doc = minter.document(source.id)
    if index is not None:
        index[id(parsed.root)] = doc
    paths = SegmentPaths()
    stack: list[tuple[Node, URIRef, str]] = [(parsed.root, doc, "")]
    while stack:
        parent, parent_iri, parent_path = stack.pop()
        pending = []
        for position, child in enumerate(parent.children, start=1):
            cls = SEGMENT_CLASS.get(child.kind)
            if cls is None:
                continue
            path = paths.path(child, parent_path, position)
            iri = minter.node(source.id, path)
            if index is not None:
                index[id(child)] = iri
            yield iri, RDF.type, cls
            yield iri, KG.document, doc
            yield iri, DCTERMS.isPartOf, parent_iri
            yield iri, KG.order, Literal(position)
            if child.kind in HEADED:
                heading = child.title or child.text
                yield iri, RDFS.label, zh(short_label(heading) if heading else f"{child.kind} {position}")
                if child.number:
                    yield iri, KG.number, Literal(child.number)
            if child.kind in TEXT_KINDS and child.text:
                yield iri, KG.text, zh(child.text)
            yield from selector_triples(
                iri, doc, child.start, child.end, parsed.quote(child.start, child.end)
            )
            pending.append((child, iri, path))
        stack.extend(reversed(pending))  # keep document order for the global counters


def document_triples(
    source: Source, parsed: ParsedDocument, minter: Minter, index: dict[int, URIRef] | None = None
) -> Iterator[Triple]:
    yield from report_triples(source, parsed, minter)
    yield from segment_triples(source, parsed, minter, index)
