"""Build-time summaries: facts that hold across documents, derived once the documents are loaded.

A saved query whose answer depends on the whole corpus (which projects more than one report follows)
would otherwise recompute it on every run, with a subquery that makes Oxigraph hash-join every later
pattern against the whole graph. The store is read-only between builds, so such facts are derived
here, by SPARQL over the merge, into their own named graph (``graph/summaries``) and into the merge:

- ``?record kg:aboutProject ?project``: the whole project a status record reports on, the record's
  project or, for a phase (``kg:partOf`` a project), its parent;
- ``?project kg:statusReports ?n``: how many reports state a status of the project (its phases'
  records included).

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

UPDATES = (_ABOUT_PROJECT, _STATUS_REPORTS)  # in order: the second reads what the first derived


def summarize(store: ox.Store, graph_iri: str) -> None:
    """Derive the summaries from the store's merge into ``graph_iri`` and into the merge itself."""
    summaries = ox.NamedNode(graph_iri)
    for update in UPDATES:
        store.update(update.replace("?summaries", str(summaries)), prefixes=PREFIX_MAP)
