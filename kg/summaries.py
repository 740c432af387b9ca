"""Build-time summaries: facts that hold across documents, derived once the documents are loaded.

A saved query whose answer depends on the whole corpus (which projects more than one report follows)
would otherwise recompute it on every run, with a subquery that makes Oxigraph hash-join every later
pattern against the whole graph. The store is read-only between builds, so such facts are derived
here, by SPARQL over the merge, into their own named graph (``graph/summaries``) and into the merge:

- ``?record kg:aboutProject ?project``: the whole project a status record reports on, the record's
  project or, for a phase (``kg:partOf`` a project), its parent;
- ``?project kg:statusReports ?n``: how many reports state a status of the project (its phases'
  records included), and ``?project kg:statusDistrict ?area``: the district of those reports, so that a
  district's projects are reached from the district;
- a ``kg:TaskCount`` per district and responsible unit: how many key tasks of the district's plans the
  unit answers for (``kg:refArea``, ``kg:taskUnit``, ``kg:tasks``).

Derived only from validated document graphs, deterministically: two builds of the same sources give
the same summaries.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.export import PREFIX_MAP

SUMMARIES_GRAPH = "summaries"

_ABOUT_PROJECT = """
INSERT { ?record kg:aboutProject ?project . GRAPH ?summaries { ?record kg:aboutProject ?project } }
WHERE {
  ?p kg:statusRecord ?record .
  OPTIONAL { ?p kg:partOf ?parent . ?parent a kg:Project }
  BIND(COALESCE(?parent, ?p) AS ?project)
}"""

_STATUS_REPORTS = """
INSERT { ?project kg:statusReports ?n . GRAPH ?summaries { ?project kg:statusReports ?n } }
WHERE {
  { SELECT ?project (COUNT(DISTINCT ?doc) AS ?n) WHERE { ?record kg:aboutProject ?project ; kg:document ?doc }
    GROUP BY ?project }
}"""

_STATUS_DISTRICTS = """
INSERT { ?project kg:statusDistrict ?area . GRAPH ?summaries { ?project kg:statusDistrict ?area } }
WHERE {
  { SELECT DISTINCT ?project ?area WHERE {
      ?record kg:aboutProject ?project ; kg:document ?doc .
      ?doc kg:district ?area .
  } }
}"""

# The count's IRI is minted from the district's and the unit's: the same in every build. Its label names
# both (the smallest of their labels, should the reports give one several), for the pages that list it.
_TASK_COUNTS = """
INSERT {
  ?count a kg:TaskCount ; rdfs:label ?label ; kg:refArea ?area ; kg:taskUnit ?unit ; kg:tasks ?n .
  GRAPH ?summaries { ?count a kg:TaskCount ; rdfs:label ?label ; kg:refArea ?area ; kg:taskUnit ?unit ; kg:tasks ?n }
}
WHERE {
  { SELECT ?area ?unit (COUNT(DISTINCT ?task) AS ?n) (MIN(?a) AS ?areaName) (MIN(?u) AS ?unitName) WHERE {
      ?task a kg:Task ; kg:document ?report ; kg:responsibleUnit ?unit .
      ?report kg:district ?area .
      ?area rdfs:label ?a .  # places and organizations have Chinese labels only (ontology/shapes.ttl)
      ?unit rdfs:label ?u .
    } GROUP BY ?area ?unit }
  BIND(IRI(CONCAT(?countBase, MD5(CONCAT(STR(?area), " ", STR(?unit))))) AS ?count)
  BIND(STRLANG(CONCAT(?areaName, " · ", ?unitName, "：", STR(?n), "项重点任务"), "zh") AS ?label)
}"""

UPDATES = (_ABOUT_PROJECT, _STATUS_REPORTS, _STATUS_DISTRICTS, _TASK_COUNTS)  # in order: the first derives
# what the next two read


def summarize(store: ox.Store, graph_iri: str, base_iri: str) -> None:
    """Derive the summaries from the store's merge into ``graph_iri`` and into the merge itself; derived
    nodes get IRIs under ``base_iri``."""
    # Bound in the text: Store.update takes no substitutions. Serialized terms, never raw text.
    terms = {"?summaries": str(ox.NamedNode(graph_iri)), "?countBase": str(ox.Literal(f"{base_iri}id/taskcount/"))}
    for update in UPDATES:
        for variable, term in terms.items():
            update = update.replace(variable, term)
        store.update(update, prefixes=PREFIX_MAP)
