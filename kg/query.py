"""Run SPARQL against the store and write results in the standard formats."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.errors import QueryError
from kg.export import PREFIX_MAP

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
}


def run_query(store: ox.Store, sparql: str, **kwargs: object):  # noqa: ANN201 - pyoxigraph result types
    try:
        # Our prefixes are predeclared (a query's own PREFIX lines override them). The default graph is
        # the stored merge of every source graph (see kg.store.load_graph).
        return store.query(sparql, prefixes=PREFIX_MAP, **kwargs)
    except SyntaxError as exc:
        raise QueryError(f"malformed query: {exc}") from exc
    except OSError as exc:
        raise QueryError(f"the query failed: {exc}") from exc


def iri_values(iris: Iterable[str]) -> str:
    """The IRIs as the body of a VALUES block, sorted, each once; unsafe ones left out."""
    return " ".join(f"<{iri}>" for iri in sorted(set(iris)) if _safe_iri(iri))


def _safe_iri(iri: str) -> bool:
    """IRIs from the store go into VALUES; refuse characters that could end the IRI token."""
    return not any(c in iri for c in '<>"{}|\\^` \n\r\t')


def serialize_result(result: object, fmt: str) -> bytes:
    """Serialize a SELECT/ASK result (json, xml, csv, tsv) or a CONSTRUCT/DESCRIBE graph (ttl, nt, xml, jsonld)."""
    if isinstance(result, ox.QueryTriples):
        graph_format = GRAPH_FORMATS.get(fmt)
        if graph_format is None:
            raise QueryError(
                f"format {fmt!r} is for tables; a graph result needs one of {', '.join(GRAPH_FORMATS)}"
            )
        kwargs = {"prefixes": PREFIX_MAP} if fmt in ("ttl", "trig") else {}
        return ox.serialize(result, format=graph_format, **kwargs)
    table_format = RESULT_FORMATS.get(fmt)
    if table_format is None:
        raise QueryError(
            f"format {fmt!r} is for graphs; a table or boolean result needs one of {', '.join(RESULT_FORMATS)}"
        )
    return result.serialize(format=table_format)
