"""The vocabularies the graph uses: W3C ones first, our own ``kg:`` for the rest."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, QB, RDF, RDFS, SKOS, TIME, VOID, XSD

from kg.config import ONTOLOGY_NS

KG = Namespace(ONTOLOGY_NS)
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SCHEMA = Namespace("https://schema.org/")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

PREFIXES: dict[str, Namespace] = {
    "kg": KG,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "dcat": Namespace(str(DCAT)),
    "prov": Namespace(str(PROV)),
    "oa": OA,
    "org": ORG,
    "geo": GEO,
    "schema": SCHEMA,
    "qb": Namespace(str(QB)),
    "sdmx-attribute": SDMX_ATTRIBUTE,
    "sdmx-measure": SDMX_MEASURE,
    "time": Namespace(str(TIME)),
    "void": Namespace(str(VOID)),
}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, for queries written by people."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def bind_prefixes(graph) -> None:  # noqa: ANN001 - any rdflib Graph or Dataset
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
