"""How a saved query's text is read and bound (web.saved_queries): ``#@when`` patterns, header problems."""

from __future__ import annotations

from pathlib import Path

from web.saved_queries import bind, load

QUERY = """# title: 测试 / test
# @param name @zh 名称 / name
# @param district @zh 区 / district
SELECT DISTINCT ?entity ?district WHERE {
  ?entity rdfs:label ?name .
  #@when district: ?entity kg:namedIn ?area . ?area rdfs:label ?district .
}
"""


def saved(tmp_path: Path, text: str = QUERY) -> object:
    path = tmp_path / "q.rq"
    path.write_text(text, encoding="utf-8")
    return load(path)


def test_a_when_pattern_joins_only_when_its_parameter_is_given(tmp_path: Path) -> None:
    query = saved(tmp_path)
    assert query.problems == []
    without = bind(query, {"name": "区财政局"})
    assert "#@when district: ?entity kg:namedIn" in without  # still a comment
    given = bind(query, {"name": "区财政局", "district": "海淀区"})
    assert "#@when" not in given
    assert "\n  ?entity kg:namedIn ?area . ?area rdfs:label ?district .\n" in given
    assert 'VALUES (?name ?district) { ("区财政局"@zh "海淀区"@zh) }' in given


def test_a_when_line_of_no_parameter_is_a_problem(tmp_path: Path) -> None:
    query = saved(tmp_path, QUERY.replace("#@when district:", "#@when distirct:"))
    assert query.problems == ["#@when distirct: names no parameter of the query"]
    assert "#@when distirct:" in bind(query, {"district": "海淀区"})  # never switched on
