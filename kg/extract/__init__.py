"""The extract stage: extractors turn a parsed document into entity and fact triples with provenance.

An extractor is a function ``(ctx: ExtractionContext) -> Iterable[Triple]``. It reads the parsed
structure (``ctx.parsed``), names entities through the resolver (``ctx.resolver``) so that the same
thing gets the same IRI in every document, and records where each fact came from with
``kg.rdf.provenance``. Extractors are listed in ``EXTRACTORS``, run in that order.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rdflib import URIRef

from kg.model import Node, ParsedDocument
from kg.rdf.document import Triple
from kg.rdf.iris import Minter
from kg.sources import Source


@dataclass
class ExtractionContext:
    source: Source
    parsed: ParsedDocument
    minter: Minter
    segment_iris: dict[int, URIRef]  # id(node) -> IRI of that structural node
    resolver: object | None = None  # kg.resolve.Resolver once built; typed loosely to keep stages apart
    settings: object | None = None  # kg.config.Settings of the build (cache paths), when there is one
    unregistered: set[str] = field(default_factory=set)  # table units the register knows no form of
    _leaves: list[tuple[int, int, Node]] = field(default_factory=list, init=False)

    @property
    def document(self) -> URIRef:
        return self.minter.document(self.source.id)

    def iri(self, node: Node) -> URIRef:
        return self.segment_iris[id(node)]

    def segment_at(self, offset: int) -> tuple[Node, URIRef] | None:
        """The sentence (or, failing that, the cell or footnote) that holds an original offset."""
        if not self._leaves:
            kinds = ("sentence", "footnote")
            self._leaves = sorted((n.start, n.end, n) for n in self.parsed.root.walk() if n.kind in kinds)
        i = bisect.bisect_right(self._leaves, offset, key=lambda leaf: leaf[0]) - 1
        if i >= 0:
            start, end, node = self._leaves[i]
            if start <= offset < end:
                return node, self.iri(node)
        return None


Extractor = Callable[[ExtractionContext], Iterable[Triple]]

EXTRACTORS: list[Extractor] = []


def warm_up(ctx: ExtractionContext) -> None:
    """Load what every document's extraction needs (dictionaries, the tokenizer) into this process."""
    from kg.extract.prose import warm_up as warm_prose

    warm_prose(ctx)


def extract(ctx: ExtractionContext) -> list[Triple]:
    triples: list[Triple] = []
    for extractor in EXTRACTORS:
        triples.extend(extractor(ctx))
    triples.extend(named_in(ctx, triples))
    return triples


from kg.extract.report import extract_report_entities, named_in  # noqa: E402

EXTRACTORS.append(extract_report_entities)

# Boxes and annex tables (issue 3). Imported here, after ExtractionContext, to avoid an import cycle.
from kg.extract.canteens import extract_canteens  # noqa: E402
from kg.extract.headlines import extract_headlines  # noqa: E402
from kg.extract.indicators import extract_indicators  # noqa: E402
from kg.extract.investment import extract_investment  # noqa: E402
from kg.extract.policies import extract_policies  # noqa: E402
from kg.extract.schools import extract_school_groups  # noqa: E402
from kg.extract.tasks import extract_tasks  # noqa: E402

EXTRACTORS += [
    extract_canteens, extract_school_groups, extract_indicators, extract_headlines, extract_tasks,
    extract_investment, extract_policies,
]

# Entities and relations of the running text (issue 4), after the tables so boxes are read first.
from kg.extract.prose import extract_prose  # noqa: E402

EXTRACTORS += [extract_prose]
