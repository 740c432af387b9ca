"""RDF descriptions of the service: the SPARQL 1.1 Service Description at /sparql (no query) and the
VoID description of the dataset at /.well-known/void, both by content negotiation.

Counts come from the embedded store once per build (they cost a full scan at scale) and are cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import Response, current_app, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, VOID, XSD

from kg.config import ONTOLOGY_NS, Settings
from kg.export import PREFIX_MAP
from kg.query import run_query
from kg.rdf.iris import Minter
from kg.rdf.namespaces import PREFIXES, SD, bind_prefixes
from kg.stats import graph_stats
from kg.store import StoreLayout, count_triples
from web.sparql_formats import content_type, negotiate, serialize_triples
from web.storeholder import PerBuild, store

FORMATS = URIRef("http://www.w3.org/ns/formats/")
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "RDF_XML", "JSON-LD")
DUMPS = ("kg.ttl", "kg.trig", "kg.nt", "kg.jsonld")
ENTITIES = """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER(STRSTARTS(STR(?s), ?space)) }"""
PROPERTIES = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"
SUBJECTS = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"
GRAPH_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def rdf_response(graph: Graph, *, html_as_text: bool = True) -> Response:
    """An rdflib graph in the negotiated RDF format (a browser gets Turtle as plain text to read)."""
    choice = negotiate(request.headers.get("Accept"), request.args.getlist("format"))
    data = graph.serialize(format="nt", encoding="utf-8")
    triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
    body = serialize_triples(sorted(triples, key=str), choice.graph, prefixes=PREFIX_MAP | {"sd": str(SD)})
    ctype = "text/plain; charset=utf-8" if choice.html and html_as_text else content_type(choice.graph, graph=True)
    response = Response(body, content_type=ctype)
    response.headers["Vary"] = "Accept"
    return response


def _origin() -> str:
    return request.host_url.rstrip("/")


# --- service description -------------------------------------------------------------------------

def service_description() -> Response:
    settings: Settings = current_app.config["KG_SETTINGS"]
    endpoint = URIRef(f"{_origin()}/sparql")
    g = Graph()
    bind_prefixes(g)
    g.bind("sd", SD)
    g.add((endpoint, RDF.type, SD.Service))
    g.add((endpoint, SD.endpoint, endpoint))
    g.add((endpoint, SD.supportedLanguage, SD.SPARQL11Query))
    for name in RESULT_FORMATS:
        g.add((endpoint, SD.resultFormat, URIRef(f"{FORMATS}{name}")))
    g.add((endpoint, SD.feature, SD.UnionDefaultGraph))
    g.add((endpoint, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple")))
    g.add((endpoint, RDFS.comment, Literal(_limits_note(settings), lang="en")))
    g.add((endpoint, RDFS.seeAlso, URIRef(f"{_origin()}/.well-known/void")))
    dataset = BNode()
    g.add((endpoint, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment, Literal("the union of all named graphs", lang="en")))
    for name in sorted(str(n.value) for n in store().named_graphs() if isinstance(n, ox.NamedNode)):
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
    return rdf_response(g)


def _limits_note(settings: Settings) -> str:
    prefixes = ", ".join(f"{p}:" for p in PREFIXES)
    return (f"Read-only SPARQL 1.1 Query endpoint. The default graph is the union of the named graphs "
            f"(one per source report, plus the ontology and the build-time summaries). "
            f"Time limit {settings.query_timeout:g} s per query; "
            f"results are cut at {settings.result_cap} rows or triples (header X-KG-Truncated: true). "
            f"SERVICE and SPARQL Update are refused. Predeclared prefixes: {prefixes}")


# --- VoID ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    triples: int
    entities: int
    properties: int
    subjects: int
    classes: list[tuple[str, int]]
    sources: list[tuple[str, str, int]]  # (source id, title, triples in its graph)


def dataset_counts() -> Counts:
    return _counts.get()


def _current_counts(_build: Path | None) -> Counts:
    settings = current_app.config["KG_SETTINGS"]
    return _count(store(), settings, StoreLayout(settings.store_dir).build_info())


_counts: PerBuild[Counts] = PerBuild(_current_counts)


def _count(st: ox.Store, settings: Settings, info: dict) -> Counts:
    def number(query: str, **subs: ox.NamedNode | ox.Literal) -> int:
        found = next(iter(run_query(st, query, substitutions={ox.Variable(k): v for k, v in subs.items()})))
        return int(found["n"].value)

    found = graph_stats(st)
    base = info.get("base_iri") or settings.base_iri
    minter = Minter(base)
    per_doc = {d["id"]: d.get("triples") for d in info.get("documents", [])}
    sources = [(sid, title, per_doc.get(sid) or count_triples(st, str(minter.graph(sid))))
               for sid, title, *_ in found.sources]
    entities = number(ENTITIES.replace("?space", str(ox.Literal(f"{base}id/"))))
    return Counts(found.triples, entities, number(PROPERTIES), number(SUBJECTS),
                  [(iri, n) for iri, _, n in found.classes], sources)


def void_description() -> Response:
    settings: Settings = current_app.config["KG_SETTINGS"]
    counts = dataset_counts()
    info = StoreLayout(settings.store_dir).build_info()
    base = info.get("base_iri") or settings.base_iri
    minter = Minter(base)
    origin = _origin()
    doc = URIRef(f"{origin}/.well-known/void")
    dataset = minter.slug("dataset", "kg")
    g = Graph()
    bind_prefixes(g)
    g.add((doc, RDF.type, VOID.DatasetDescription))
    g.add((doc, DCTERMS.title, Literal("VoID description of the Haidian knowledge graph", lang="en")))
    g.add((doc, URIRef("http://xmlns.com/foaf/0.1/primaryTopic"), dataset))
    _describe_dataset(g, dataset, counts, base, origin, info)
    for sid, title, triples in counts.sources:
        subset = URIRef(f"{doc}#{sid}")
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, DCTERMS.title, Literal(title, lang="zh")))
        g.add((subset, DCTERMS.source, minter.document(sid)))
        g.add((subset, VOID.triples, Literal(triples, datatype=XSD.integer)))
        g.add((subset, SD.name, minter.graph(sid)))
    return rdf_response(g)


def _describe_dataset(g: Graph, dataset: URIRef, counts: Counts, base: str, origin: str, info: dict) -> None:
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal("海淀知识图谱", lang="zh")))
    g.add((dataset, DCTERMS.title, Literal("Haidian knowledge graph", lang="en")))
    g.add((dataset, DCTERMS.description, Literal(
        "Policies, projects, places, organizations and indicators of Beijing's Haidian district, extracted "
        "from its annual reports, each fact traceable to the sentence it came from.", lang="en")))
    if info.get("built_at"):
        g.add((dataset, DCTERMS.modified, Literal(info["built_at"], datatype=XSD.dateTime)))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(f"{origin}/sparql")))
    g.add((dataset, VOID.uriSpace, Literal(f"{base}id/")))
    g.add((dataset, VOID.uriLookupEndpoint, URIRef(f"{origin}/id/")))
    for name in DUMPS:
        g.add((dataset, VOID.dataDump, URIRef(f"{origin}/downloads/{name}")))
    for namespace in {str(ns) for ns in PREFIXES.values()} | {ONTOLOGY_NS}:
        g.add((dataset, VOID.vocabulary, URIRef(namespace)))
    g.add((dataset, VOID.triples, Literal(counts.triples, datatype=XSD.integer)))
    g.add((dataset, VOID.entities, Literal(counts.entities, datatype=XSD.integer)))
    g.add((dataset, VOID.classes, Literal(len(counts.classes), datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(counts.properties, datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects, Literal(counts.subjects, datatype=XSD.integer)))
    for cls, n in counts.classes:
        partition = BNode()
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], URIRef(cls)))
        g.add((partition, VOID.entities, Literal(n, datatype=XSD.integer)))
