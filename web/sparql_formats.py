"""Result formats of the endpoint: content negotiation and serialization with a result cap.

Two families: tables (SELECT, ASK) in SPARQL JSON/XML/CSV/TSV and graphs (CONSTRUCT, DESCRIBE, and
RDF documents such as the service description) in Turtle/N-Triples/RDF-XML/JSON-LD. The form of a
query is only known once it has run, so negotiation picks one format of each family up front.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from kg.export import PREFIX_MAP

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# format key -> media types; the first is the one we answer with
TABLE_TYPES: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/json", "text/javascript", "application/javascript"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
}
GRAPH_TYPES: dict[str, tuple[str, ...]] = {
    "ttl": ("text/turtle", "application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3", "application/n3"),
    "nt": ("application/n-triples", "text/plain"),
    "rdfxml": ("application/rdf+xml", "application/xml", "text/xml"),
    "jsonld": ("application/ld+json", "application/x-json+ld", "application/json"),
}
TABLE_OX = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
GRAPH_OX = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
            "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}
# ?format= values (also what SPARQLWrapper sends) -> (table format, graph format)
FORMAT_ALIASES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"), "srj": ("json", None), "xml": ("xml", "rdfxml"), "srx": ("xml", None),
    "csv": ("csv", None), "tsv": ("tsv", None),
    "ttl": (None, "ttl"), "turtle": (None, "ttl"), "n3": (None, "ttl"),
    "nt": (None, "nt"), "ntriples": (None, "nt"), "n-triples": (None, "nt"),
    "rdf": (None, "rdfxml"), "rdfxml": (None, "rdfxml"), "rdf+xml": (None, "rdfxml"), "rdf xml": (None, "rdfxml"),
    "rdf-xml": (None, "rdfxml"), "owl": (None, "rdfxml"),
    "jsonld": (None, "jsonld"), "json-ld": (None, "jsonld"),
}
DEFAULT_TABLE, DEFAULT_GRAPH = "json", "ttl"


class UnknownFormat(ValueError):
    """A ?format= value we do not serve (406)."""


@dataclass(frozen=True)
class Choice:
    table: str
    graph: str
    html: bool = False  # the client prefers a web page over any RDF/result format


def content_type(fmt: str, *, graph: bool) -> str:
    media = (GRAPH_TYPES if graph else TABLE_TYPES)[fmt][0]
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


def _ranges(accept: str) -> list[tuple[str, float]]:
    """(media range, q) in the order the client wrote them; malformed q values count as 1."""
    found = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 1.0
        found.append((pieces[0].lower(), q))
    return found


def _score(media_types: Iterable[str], ranges: Sequence[tuple[str, float]]) -> tuple[float, int, int]:
    """(q, specificity, -position) of the best range matching any of the types; q 0 if none does."""
    best = (0.0, -1, 0)
    for media in media_types:
        major = media.split("/")[0]
        for position, (rng, q) in enumerate(ranges):
            if rng == media:
                spec = 2
            elif rng == f"{major}/*":
                spec = 1
            elif rng == "*/*":
                spec = 0
            else:
                continue
            best = max(best, (q, spec, -position)) if q > 0 else best
    return best


def _pick(table: dict[str, tuple[str, ...]], ranges: Sequence[tuple[str, float]], default: str) -> str:
    """The best-scored format; ties go to our order. Nothing acceptable: the default rather than a 406
    (RFC 9110 allows it, and clients such as rdflib's SPARQLStore then still get a parseable answer)."""
    score, _, key = max((_score(types, ranges), -i, key) for i, (key, types) in enumerate(table.items()))
    return key if score[0] > 0 else default


def negotiate(accept: str | None, formats: Sequence[str] = ()) -> Choice:
    """Formats for a table and for a graph from ?format= values (first known wins), else Accept."""
    ranges = _ranges(accept or "*/*")
    chosen_table, chosen_graph = _from_format_params(formats)
    return Choice(
        chosen_table or _pick(TABLE_TYPES, ranges, DEFAULT_TABLE),
        chosen_graph or _pick(GRAPH_TYPES, ranges, DEFAULT_GRAPH),
        html=not (chosen_table or chosen_graph) and _prefers_html(ranges),
    )


def _prefers_html(ranges: Sequence[tuple[str, float]]) -> bool:
    html = _score(("text/html", "application/xhtml+xml"), ranges)
    rdf = max(_score(types, ranges) for types in (*TABLE_TYPES.values(), *GRAPH_TYPES.values()))
    return html[1] == 2 and (html[0], html[1]) >= (rdf[0], rdf[1])


def _from_format_params(values: Sequence[str]) -> tuple[str | None, str | None]:
    for raw in values:
        value = raw.strip().lower()
        if not value:
            continue
        if value in FORMAT_ALIASES:
            return FORMAT_ALIASES[value]
        media = value.split(";")[0].strip().replace(" ", "+")  # "+" arrives as a space from URLs
        table = next((k for k, types in TABLE_TYPES.items() if media in types), None)
        graph = next((k for k, types in GRAPH_TYPES.items() if media in types), None)
        if table or graph:
            return table, graph
    if any(v.strip() for v in values):
        raise UnknownFormat(f"unknown format {values[0]!r}; known: {', '.join(sorted(FORMAT_ALIASES))}")
    return None, None


# --- serialization -------------------------------------------------------------------------------

def term_json(term: object) -> dict:
    """A term in the SPARQL 1.1 JSON results encoding (with the SPARQL 1.2 'triple' type)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        found: dict = {"type": "literal", "value": term.value}
        if term.language:
            found["xml:lang"] = term.language
        elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            found["datatype"] = term.datatype.value
        return found
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def solutions_json(variables: list[str], rows: Iterable[ox.QuerySolution]) -> dict:
    bindings = []
    for row in rows:
        binding = {}
        for name in variables:
            value = row[name]
            if value is not None:
                binding[name] = term_json(value)
        bindings.append(binding)
    return {"head": {"vars": variables}, "results": {"bindings": bindings}}


def truncation_note(cap: int) -> str:
    return f"truncated: the result has more than {cap} rows; only the first {cap} are given"


def serialize_solutions(variables: list[str], rows: list, fmt: str, truncated: bool, cap: int) -> bytes:
    """A (possibly capped) SELECT result; non-JSON formats go through Oxigraph's own serializers."""
    document = solutions_json(variables, rows)
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt != "json":
        data = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON).serialize(format=TABLE_OX[fmt])
    if truncated:
        data = _mark_table(data, fmt, cap)
    return data


def _mark_table(data: bytes, fmt: str, cap: int) -> bytes:
    note = truncation_note(cap)
    if fmt == "json":  # JSON has no comments: a top-level member that result parsers ignore
        marker = json.dumps({"truncated": True, "comment": note}, ensure_ascii=False)[1:-1]
        return b"{" + marker.encode("utf-8") + b"," + data[1:]
    if fmt == "xml":
        return _xml_comment(data, note)
    return data  # CSV and TSV have no comment syntax: the X-KG-Truncated header says it


def _xml_comment(data: bytes, note: str) -> bytes:
    comment = f"<!-- {note} -->".encode()
    if data.startswith(b"<?xml"):
        end = data.index(b"?>") + 2
        return data[:end] + comment + data[end:]
    return comment + data


def serialize_boolean(value: bool, fmt: str) -> bytes:
    data = json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "json":
        return data
    return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON).serialize(format=TABLE_OX[fmt])


def serialize_triples(triples: Sequence[ox.Triple], fmt: str, truncated: bool = False, cap: int = 0,
                      prefixes: dict[str, str] | None = None) -> bytes:
    """Triples in a graph format (Turtle with our prefixes, as ``kg query`` writes it)."""
    kwargs = {"prefixes": prefixes or PREFIX_MAP} if fmt == "ttl" else {}
    data = ox.serialize(list(triples), format=GRAPH_OX[fmt], **kwargs)
    if truncated:
        note = f"truncated: the graph has more than {cap} triples; only the first {cap} are given"
        if fmt in ("ttl", "nt"):
            data = f"# {note}\n".encode() + data
        elif fmt == "rdfxml":
            data = _xml_comment(data, note)
    return data


def capped(items: Iterable, cap: int) -> tuple[list, bool]:
    """The first ``cap`` items and whether there were more."""
    taken = list(islice(items, cap + 1))
    return taken[:cap], len(taken) > cap
