"""The HTML face of an entity IRI (the linked-data route calls ``render_entity_page`` for browsers).

Shows the label, classes and other names; facts grouped by property, each with the sentences it came
from (the mentions of subject and object highlighted); incoming links; mentions in the sources; a small
neighbourhood graph; and, by class, an indicator chart, a project's status timeline, a place's contents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import pyoxigraph as ox
from flask import Blueprint, abort, render_template, request

from kg.config import ONTOLOGY_NS
from kg.query import iri_values, run_query
from web.charts import Chart, indicator_chart
from web.i18n import current_lang
from web.rdfutil import Term, class_key, is_entity, labels, local_path, term
from web.storeholder import PerBuild, store

KG = ONTOLOGY_NS
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
NAMED_IN = KG + "namedIn"
# Shown in the header, not among the facts: an indicator is kg:namedIn 125 districts at 1,000 reports.
HEADER_PROPS = {RDF + "type", RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", NAMED_IN}
MAX_DISTRICTS_NAMED = 3  # in the header; past that, their number
MAX_FACTS, MAX_IN, MAX_MENTIONS, MAX_CONTAINED, MAX_SOURCES_PER_FACT, MAX_SEGMENTS = 1000, 100, 30, 300, 3, 80
# Table rows and cells an entity was read from, other than its mentions: an indicator every district
# reports has one per report (1,000 at 1,000 reports; listing and labelling them took 34 ms of its page).
MAX_DERIVED = 100

# An entity named in many reports has thousands of mentions, statements and status records: each query
# below is bounded, and leaves the provenance plumbing out by comparing predicates only. Oxigraph compares
# IRIs without reading their text, but a FILTER on STR() or isIRI() reads every candidate's text
# (the page of an entity with 1,700 links took 40 ms per such query at 100 reports, 1 ms without).
OUT = f"""
SELECT ?s ?p ?o WHERE {{
  ?s ?p ?o FILTER(?p NOT IN (prov:wasDerivedFrom, kg:statusRecord))
}} LIMIT {MAX_FACTS + 1}
"""
# Its derivations other than its mentions (table rows and cells), looked for only when there are more
# derivations than mentions: every mention is one derivation.
DERIVATIONS = """
SELECT ?s ?derived ?mentions WHERE {
  { SELECT ?s (COUNT(*) AS ?derived) WHERE { ?s prov:wasDerivedFrom ?o } GROUP BY ?s }
  OPTIONAL { SELECT ?s (COUNT(*) AS ?mentions) WHERE { ?m kg:mentionOf ?s } GROUP BY ?s }
}
"""
DERIVED = f"""
SELECT ?s ?o WHERE {{
  ?s prov:wasDerivedFrom ?o FILTER NOT EXISTS {{ ?o a kg:Mention }}
}} LIMIT {MAX_DERIVED}
"""
# Incoming links are read property by property, through the properties the store uses (listed once per
# build; 9 s at 1,000 reports, in the server's warm-up): those the page shows in a section of its own are
# never read (an indicator's 6,125 observations at 1,000 reports), and a property with thousands of links
# (a district's observations) does not crowd out the others. Every group says how many links it has.
PREDICATES = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
IN_OWN_SECTION = {KG + "mentionOf", RDF + "subject", RDF + "object", NAMED_IN}
IN_COUNTS = ("SELECT ?p (COUNT(?x) AS ?n) WHERE {{ VALUES ?p {{ {properties} }} ?x ?p {subject} FILTER(isIRI(?x)) }}"
             " GROUP BY ?p")
# Each property's first links in index order: sorting them by IRI would read the text of every one.
IN_FIRST = "{{ SELECT ?x ?p WHERE {{ BIND({p} AS ?p) ?x {p} {subject} FILTER(isIRI(?x)) }} LIMIT {n} }}"
STATEMENTS = """
SELECT ?s ?p ?o ?seg WHERE {
  ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?seg
  FILTER(?p != kg:statusRecord)
} LIMIT 500
"""
MENTIONS = f"""
SELECT ?s ?seg ?ms ?me WHERE {{
  ?m kg:mentionOf ?s ; kg:sentence ?seg ; oa:hasSelector ?pos . ?pos oa:start ?ms ; oa:end ?me .
}} LIMIT {MAX_MENTIONS}
"""
SEGMENTS = """
SELECT ?seg ?start ?end ?exact ?docid WHERE {
  VALUES ?seg { %s }
  ?seg kg:document ?doc . ?doc dcterms:identifier ?docid .
  ?seg oa:hasSelector ?pos . ?pos oa:start ?start ; oa:end ?end .
  ?seg oa:hasSelector ?quote . ?quote oa:exact ?exact .
}
"""
MENTIONS_IN = """
SELECT ?seg ?e ?ms ?me WHERE {
  VALUES ?seg { %s }
  ?m kg:sentence ?seg ; kg:mentionOf ?e ; oa:hasSelector ?pos . ?pos oa:start ?ms ; oa:end ?me .
}
"""
# The latest records, by year (a number, sorted without reading text); the shapes give each record one
# year, a status and the sentence or cell it comes from, so nothing here is OPTIONAL.
STATUS = """
SELECT ?s ?r ?year ?status ?seg WHERE {
  ?s kg:statusRecord ?r . ?r kg:year ?year ; kg:status ?status ; prov:wasDerivedFrom ?seg .
} ORDER BY DESC(?year) LIMIT 60
"""
CONTAINED = f"SELECT ?s ?x WHERE {{ ?x kg:locatedIn ?s }} LIMIT {MAX_CONTAINED}"


@dataclass
class Snippet:
    """A source sentence cut into pieces, the highlighted ones marked, with a link into the source view."""

    pieces: list[tuple[str, bool]]
    href: str
    doc: str


@dataclass
class Fact:
    value: Term
    sources: list[Snippet] = field(default_factory=list)
    total: int = 0  # sources of the fact, of which the first MAX_SOURCES_PER_FACT are shown


@dataclass
class Group:
    prop: Term
    facts: list[Fact]
    more: int = 0  # links of this property not listed


def _predicates(_build: object) -> list[str]:
    return sorted(r["p"].value for r in run_query(store(), PREDICATES) if isinstance(r["p"], ox.NamedNode))


predicates: PerBuild[list[str]] = PerBuild(_predicates)


def _incoming(iri: str, hidden: set[str]) -> tuple[list[tuple[ox.NamedNode, ox.NamedNode]], dict[str, int]]:
    """The first MAX_IN links into ``iri`` of each property but ``hidden``, and how many each has."""
    subject, left_out = str(ox.NamedNode(iri)), hidden | IN_OWN_SECTION
    wanted = iri_values(p for p in predicates.get() if p not in left_out)
    counts = {r["p"].value: int(r["n"].value)
              for r in run_query(store(), IN_COUNTS.format(properties=wanted, subject=subject))}
    if not counts:
        return [], {}
    firsts = " UNION ".join(IN_FIRST.format(p=f"<{p}>", subject=subject, n=MAX_IN) for p in sorted(counts))
    rows = run_query(store(), f"SELECT ?x ?p WHERE {{ {firsts} }}")
    return [(r["x"], r["p"]) for r in rows], counts


def _q(sparql: str, iri: str) -> list:
    return list(run_query(store(), sparql, substitutions={ox.Variable("s"): ox.NamedNode(iri)}))


def anchor(segment_iri: str) -> str:
    """The element id of a segment in the source view: ``seg-`` + its path in the document."""
    tail = segment_iri.split("/id/doc/", 1)[-1]
    return "seg-" + "-".join(tail.split("/")[1:]).replace("#", "-")


def pieces(text: str, offset: int, spans: Iterable[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Cut ``text`` (which starts at original ``offset``) at the given original spans."""
    cuts = sorted((max(s - offset, 0), min(e - offset, len(text))) for s, e in spans)
    out: list[tuple[str, bool]] = []
    at = 0
    for start, end in cuts:
        if end <= at or start >= len(text):
            continue
        start = max(start, at)
        if start > at:
            out.append((text[at:start], False))
        out.append((text[start:end], True))
        at = end
    if at < len(text):
        out.append((text[at:], False))
    return out


class Sources:
    """Fetches the text of source segments, and which entities are mentioned where, in a few queries."""

    def __init__(self, segments: Iterable[str]) -> None:
        self.segments: dict[str, tuple[int, int, str, str]] = {}
        self.mentions: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        values = iri_values(segments)
        if not values:
            return
        for r in run_query(store(), SEGMENTS % values):
            self.segments[r["seg"].value] = (
                int(r["start"].value),
                int(r["end"].value),
                r["exact"].value,
                r["docid"].value,
            )
        for r in run_query(store(), MENTIONS_IN % values):
            self.mentions[r["seg"].value].append((r["e"].value, int(r["ms"].value), int(r["me"].value)))

    def snippet(self, segment: str, spans: list[tuple[int, int]]) -> Snippet | None:
        if segment not in self.segments:
            return None
        start, _end, exact, doc = self.segments[segment]
        hl = f"?hl={spans[0][0]}-{spans[0][1]}" if spans else ""
        return Snippet(pieces(exact, start, spans), f"/source/{doc}{hl}#{anchor(segment)}", doc)

    def for_fact(self, segment: str, entities: set[str]) -> Snippet | None:
        spans = [(s, e) for ent, s, e in self.mentions.get(segment, []) if ent in entities]
        return self.snippet(segment, sorted(spans))


def _groups(rows: list, names: dict[str, str], sources: dict[tuple[str, str], list[Snippet]],
            totals: dict[tuple[str, str], int] | None = None) -> list[Group]:
    grouped: dict[str, list[Fact]] = defaultdict(list)
    for p, o in rows:
        key = (p.value, o.value if isinstance(o, ox.NamedNode | ox.Literal) else str(o))
        grouped[p.value].append(Fact(term(o, names), sources.get(key, []), (totals or {}).get(key, 0)))
    ordered = sorted(grouped.items(), key=lambda kv: (kv[0].startswith(RDF), names.get(kv[0], kv[0])))
    return [Group(term(ox.NamedNode(p), names), facts) for p, facts in ordered]


def _shown_statements(statements: list) -> tuple[list, dict[tuple[str, str], int]]:
    """The first few statements of each fact (their sentences are fetched and shown), and each fact's count:
    a department named in a thousand reports has thousands, and fetching them all made the page slow."""
    shown, totals = [], defaultdict(int)
    for r in statements:
        key = (r["p"].value, r["o"].value)
        totals[key] += 1
        if totals[key] <= MAX_SOURCES_PER_FACT:
            shown.append(r)
    return shown, totals


def _fact_sources(iri: str, src: Sources, statements: list) -> dict[tuple[str, str], list[Snippet]]:
    found: dict[tuple[str, str], list[Snippet]] = defaultdict(list)
    for r in statements:
        o = r["o"].value
        snippet = src.for_fact(r["seg"].value, {iri, o})
        if snippet:
            found[(r["p"].value, o)].append(snippet)
    return found


def _timeline(rows: list, names: dict[str, str], src: Sources) -> list[dict]:
    timeline = []
    for r in rows:
        seg = r["seg"].value if r["seg"] else None
        timeline.append(
            {
                "year": r["year"].value if r["year"] else "",
                "status": term(r["status"], names) if r["status"] else None,
                "record": term(r["r"], names),
                "source": src.snippet(seg, []) if seg else None,
            }
        )
    return timeline


def _contained(
    rows: list, names: dict[str, str], types: dict[str, list[str]]
) -> list[tuple[Term, list[Term]]]:
    by_class: dict[str, list[Term]] = defaultdict(list)
    for r in rows:
        x = r["x"].value
        for t in types.get(x) or ["-"]:
            by_class[t].append(term(r["x"], names))
    return [
        (term(ox.NamedNode(t), names) if t != "-" else Term("—"), sorted(items, key=lambda t: t.text))
        for t, items in sorted(by_class.items())
    ]


TYPES_OF = "SELECT ?x ?t WHERE { VALUES ?x { %s } ?x a ?t }"


def _types_of(iris: Iterable[str]) -> dict[str, list[str]]:
    values = iri_values(iris)
    found: dict[str, list[str]] = defaultdict(list)
    if values:
        for r in run_query(store(), TYPES_OF % values):
            found[r["x"].value].append(r["t"].value)
    return found


def render_entity_page(iri: str) -> str | None:
    """The page of one entity, or None when the graph says nothing about it."""
    lang = current_lang()
    derivations, derived_total = _derivations(iri)
    out = [(r["p"], r["o"]) for r in _q(OUT, iri)] + derivations
    types = [o.value for p, o in out if p.value == RDF + "type" and isinstance(o, ox.NamedNode)]
    contained = _q(CONTAINED, iri)
    is_indicator = any(t == KG + "Indicator" for t in types)
    # What the page shows in a section of its own is not listed again among the incoming links: the places
    # it contains, and an indicator's observations, slices and outcomes (its chart, one district at a time).
    hidden_in = ({KG + "locatedIn"} if contained else set()) | ({KG + "indicator"} if is_indicator else set())
    incoming, in_counts = _incoming(iri, hidden_in)
    if not out and not incoming:
        return None
    statements, totals = _shown_statements(_q(STATEMENTS, iri))
    mentions = sorted(_q(MENTIONS, iri), key=lambda r: (r["seg"].value, int(r["ms"].value)))
    status_rows = sorted(_q(STATUS, iri), key=lambda r: (r["year"].value, r["r"].value))  # oldest first
    is_place = bool(contained) or any(t.endswith(("#Place", "#AdministrativeArea")) for t in types)
    # The sentences to quote, mentions first: at most MAX_SEGMENTS (each costs a few store look-ups).
    segments = [r["seg"].value for r in mentions] + [r["seg"].value for r in status_rows if r["seg"]]
    src = Sources(list(dict.fromkeys(segments + [r["seg"].value for r in statements]))[:MAX_SEGMENTS])
    shown = [(p, o) for p, o in out if p.value not in HEADER_PROPS]
    chart: Chart | None = indicator_chart(iri, lang, request.args.get("district")) if is_indicator else None
    contained_types = _types_of(r["x"].value for r in contained)
    districts = sorted(o.value for p, o in out if p.value == NAMED_IN and isinstance(o, ox.NamedNode))
    wanted = {p.value for p, o in shown} | {o.value for _, o in shown if isinstance(o, ox.NamedNode)}
    wanted |= {RDF + "type", *types, *districts[:MAX_DISTRICTS_NAMED]}
    wanted |= {x.value for x, _ in incoming} | {p.value for _, p in incoming} | {iri}
    wanted |= {r["status"].value for r in status_rows if r["status"]} | {r["r"].value for r in status_rows}
    wanted |= {r["x"].value for r in contained} | {t for ts in contained_types.values() for t in ts}
    names = labels(wanted, lang)
    return render_template(
        "entity.html",
        iri=iri,
        label=names.get(iri, iri),
        types=[term(ox.NamedNode(t), names) for t in types],
        type_keys=[class_key(t) for t in types],
        alt=[o.value for p, o in out if p.value == SKOS + "altLabel"],
        districts=[term(ox.NamedNode(d), names) for d in districts[:MAX_DISTRICTS_NAMED]],
        district_count=len(districts),
        groups=_groups(shown[:MAX_FACTS], names, _fact_sources(iri, src, statements), totals),
        truncated=len(out) > MAX_FACTS,
        derived_more=derived_total - len(derivations),
        incoming=[replace(g, more=in_counts.get(g.prop.iri, 0) - len(g.facts))
                  for g in _groups([(p, x) for x, p in incoming], names, {})],
        mentions=[
            s
            for s in (
                src.snippet(r["seg"].value, [(int(r["ms"].value), int(r["me"].value))]) for r in mentions
            )
            if s
        ],
        timeline=_timeline(status_rows, names, src),
        contained=_contained(contained, names, contained_types),
        chart=chart,
        is_place=is_place,
        local=is_entity(iri),
        path=local_path(iri),
    )


def _derivations(iri: str) -> tuple[list[tuple[ox.NamedNode, object]], int]:
    """``entity prov:wasDerivedFrom`` links other than to its mentions (shown in their own section): the
    first MAX_DERIVED, and how many there are."""
    counts = _q(DERIVATIONS, iri)
    if not counts:
        return [], 0
    total = int(counts[0]["derived"].value) - int(getattr(counts[0]["mentions"], "value", 0))
    if total <= 0:
        return [], 0
    return [(ox.NamedNode(PROV_DERIVED), r["o"]) for r in _q(DERIVED, iri)], total


bp = Blueprint("entity", __name__)


@bp.get("/resource")
def resource() -> str:
    """The page of any IRI, ours or not (classes, properties, concepts of other vocabularies)."""
    iri = request.args.get("iri", "")
    if not iri or any(c in iri for c in '<>"{}|\\^` \n'):
        abort(404)
    page = render_entity_page(iri)
    if page is None:
        abort(404)
    return page
