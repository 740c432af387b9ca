"""Boxes and annex tables against the hand-built gold files, read THROUGH SPARQL over the built store."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import BuildResult
from kg.config import Settings
from kg.extract.schools import split_school_names
from kg.query import run_query
from kg.registers import load_register
from kg.store import open_store
from web.saved_queries import bind
from web.saved_queries import load as load_saved_query

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
QUERIES = ROOT / "queries"


def gold(name: str) -> list[dict[str, str]]:
    with (GOLD / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def store(built_home: tuple[Settings, BuildResult]) -> ox.Store:
    settings, _ = built_home
    return open_store(settings.store_dir)


def rows(store: ox.Store, sparql: str) -> list[dict[str, str]]:
    result = run_query(store, sparql)
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else "") for n in names} for s in result]


def names_of(store: ox.Store) -> dict[str, set[str]]:
    """Every label and alternative label of every labelled resource."""
    out: dict[str, set[str]] = defaultdict(set)
    for r in rows(store, "SELECT DISTINCT ?s ?l WHERE { ?s rdfs:label|skos:altLabel ?l }"):
        out[r["s"]].add(r["l"])
    return out


# ---------------------------------------------------------------- canteens


def test_all_30_canteens_with_street_and_address(store: ox.Store) -> None:
    found = rows(store, """
        SELECT DISTINCT ?c ?name ?address ?place WHERE {
          ?c a kg:Canteen ; rdfs:label ?name ; schema:address ?address ; kg:locatedIn ?place .
          ?place a kg:AdministrativeArea ; kg:placeType ?type .
          FILTER(?type IN (kg:placetype-street, kg:placetype-town)) }""")
    labels = names_of(store)
    got = {(r["name"], r["address"], frozenset(labels[r["place"]])) for r in found}
    assert len(found) == 30
    expected = gold("canteens.csv")
    for g in expected:
        match = [x for x in got if x[0] == g["name"] and x[1] == g["address"]]
        assert len(match) == 1, g
        assert g["street"] in match[0][2], (g, match[0][2])


def test_street_hierarchy_beijing_haidian_street(store: ox.Store) -> None:
    chain = rows(store, """
        SELECT DISTINCT ?district ?city WHERE {
          ?c a kg:Canteen ; kg:locatedIn ?s . ?s kg:locatedIn ?d . ?d rdfs:label ?district ; kg:locatedIn ?b .
          ?b rdfs:label ?city }""")
    assert chain == [{"district": "海淀区", "city": "北京市"}]


# ---------------------------------------------------------------- school groups


def test_all_43_school_groups(store: ox.Store) -> None:
    found = rows(store, """
        SELECT DISTINCT ?g ?n ?name ?period WHERE {
          ?g a kg:SchoolGroup ; skos:notation ?n ; rdfs:label ?name ; kg:period ?period }""")
    got = {(int(r["n"]), r["name"], r["period"]) for r in found}
    assert got == {(int(g["n"]), g["group_name"], g["period"]) for g in gold("school_groups.csv")}


def test_school_group_members(store: ox.Store) -> None:
    found = rows(store, """
        SELECT DISTINCT ?n ?lead ?member WHERE {
          ?g a kg:SchoolGroup ; skos:notation ?n ; kg:leadSchool/rdfs:label ?lead ;
             kg:memberSchool/rdfs:label ?member }""")
    members: dict[int, set[str]] = defaultdict(set)
    for r in found:
        if r["member"] != r["lead"]:
            members[int(r["n"])].add(r["member"])
    expected = {int(g["n"]): set(filter(None, g["schools"].split("|"))) for g in gold("school_groups.csv")}
    assert {n: m for n, m in expected.items() if m} == dict(members)


def test_school_name_split_is_unique_at_42() -> None:
    run = "".join(g["group_name"] for g in gold("school_groups.csv") if g["line"] == "233")
    split = split_school_names(run)  # no expected count: the dictionary alone
    assert len(split.names) == 42 and split.alternatives == 1 and all(split.certain)


# ---------------------------------------------------------------- indicators

VALUE_COLUMNS = {
    "target_2025_14th_fyp": ("2025", "target"),
    "value_2021": ("2021", "actual"),
    "target_2022": ("2022", "target"),
    "value_2022": ("2022", "actual"),
    "target_2023": ("2023", "target"),
}


@pytest.fixture(scope="module")
def indicators(store: ox.Store) -> dict[str, dict]:
    """Per annex notation: the indicator's names, unit, group, attribute, departments, table values."""
    labels = names_of(store)
    out: dict[str, dict] = {}
    for r in rows(store, """
        SELECT DISTINCT ?i ?n ?unit ?group ?attr ?parent WHERE {
          ?i a kg:Indicator ; skos:notation ?n .
          OPTIONAL { ?i kg:unit ?unit } OPTIONAL { ?i kg:indicatorGroup ?group }
          OPTIONAL { ?i kg:indicatorAttribute/skos:prefLabel ?attr FILTER(LANG(?attr) = "zh") }
          OPTIONAL { ?i kg:partOf/skos:notation ?parent } }"""):
        out[r["n"]] = dict(r, names=labels[r["i"]], units=[], values=set())
    by_iri = {v["i"]: v for v in out.values()}
    for r in rows(store, "SELECT DISTINCT ?i ?u WHERE { ?i a kg:Indicator ; kg:responsibleUnit ?u }"):
        if r["i"] in by_iri:
            by_iri[r["i"]]["units"].append(labels[r["u"]])
    for r in rows(store, """
        SELECT DISTINCT ?i ?year ?kind ?text WHERE {
          ?o kg:indicator ?i ; kg:valueSource kg:valuesource-table ; kg:refYear ?year ;
             kg:valueKind/skos:prefLabel ?kind ; kg:valueText ?text FILTER(LANG(?kind) = "en") }"""):
        by_iri[r["i"]]["values"].add((r["year"], r["kind"], r["text"]))
    return out


def test_all_indicators_with_all_values(indicators: dict[str, dict]) -> None:
    expected = gold("indicators.csv")
    assert set(indicators) == {g["id"] for g in expected}
    for g in expected:
        got = indicators[g["id"]]
        assert g["name"] in got["names"], g["id"]
        assert got["unit"] == g["unit"], g["id"]
        assert got["group"] == g["group"], g["id"]
        assert got["parent"] == g["parent"], g["id"]
        values = {(*VALUE_COLUMNS[c], g[c]) for c in VALUE_COLUMNS if g[c]}
        assert got["values"] == values, g["id"]


def test_indicator_attributes_and_departments(indicators: dict[str, dict]) -> None:
    expected = {g["id"]: g for g in gold("indicators.csv")}
    for gid, g in expected.items():
        # x.2 sub-rows leave the merged attribute and department cells empty: they take x.1's
        source = expected[f"{g['parent']}.1"] if g["parent"] and not g["attribute"] else g
        got = indicators[gid]
        assert got["attr"] == source["attribute"], gid
        wanted = source["departments"].split("、")
        assert len(got["units"]) == len(wanted), gid
        assert all(any(w in names for names in got["units"]) for w in wanted), gid


def test_values_are_numbers_with_comparators(store: ox.Store) -> None:
    found = rows(store, """
        SELECT DISTINCT ?text ?value ?cmp ?min ?max ?from WHERE {
          ?o kg:valueSource kg:valuesource-table ; kg:valueText ?text .
          OPTIONAL { ?o kg:value ?value } OPTIONAL { ?o kg:comparator ?cmp }
          OPTIONAL { ?o kg:valueMin ?min } OPTIONAL { ?o kg:valueMax ?max } OPTIONAL { ?o kg:adjustedFrom ?from }
          FILTER(?text IN ("<313.2", "6以上", "35左右", "达到市级要求（62）", "8-9", ">98.5", "7.2（调整为5.5）",
                           "0.1（同口径8%）", "累计5000左右", "-", "可完成")) }""")
    got = {r["text"]: (r["value"], r["cmp"], r["min"], r["max"], r["from"]) for r in found}
    dec = lambda s: str(Decimal(s))  # noqa: E731 - decimals as the store writes them
    assert got == {
        "<313.2": (dec("313.2"), "<", "", "", ""),
        "6以上": ("6", "以上", "", "", ""),
        "35左右": ("35", "左右", "", "", ""),
        "达到市级要求（62）": ("62", "达到市级要求", "", "", ""),
        "8-9": ("", "区间", "8", "9", ""),
        ">98.5": ("98.5", ">", "", "", ""),
        "7.2（调整为5.5）": ("5.5", "", "", "", "7.2"),
        "0.1（同口径8%）": ("0.1", "", "", "", ""),
        "累计5000左右": ("5000", "左右", "", "", ""),
        "-": ("", "", "", "", ""),
        "可完成": ("", "", "", "", ""),
    }


def test_prose_headlines_join_the_annex_indicators(store: ox.Store) -> None:
    found = rows(store, """
        SELECT DISTINCT ?id ?year ?kind ?text WHERE {
          ?o kg:valueSource kg:valuesource-text ; kg:indicator ?i ; kg:refYear ?year ;
             kg:valueKind/skos:prefLabel ?kind ; kg:valueText ?text ; kg:document/dcterms:identifier ?id .
          ?i skos:notation ?n FILTER(LANG(?kind) = "en") }""")
    got = {(r["id"], r["year"], r["kind"], r["text"]) for r in found}
    assert {
        ("haidian-2024", "2024", "actual", "同比增长6.0%"),  # GDP growth 6.0% in 2024
        ("haidian-2024", "2025", "target", "增长5.5%"),  # 5.5% targeted for 2025
        ("haidian-2024", "2025", "target", "11%"),  # R&D share
        ("haidian-2024", "2024", "actual", "4470件"),  # PCT applications
        ("haidian-2024", "2024", "actual", "30.6微克/立方米"),  # PM2.5
        ("haidian-2024", "2024", "actual", "控制在3.1%以内"),  # unemployment
        ("haidian-2024", "2023", "actual", "2.5%"),  # unemployment, said of 2023
        ("haidian-2022", "2022", "actual", "同比增长4%"),
        ("haidian-2022", "2023", "target", "分别达到98.5%、99%以上"),
    } <= got


def test_contradictions_keep_both_values(store: ox.Store) -> None:
    found = rows(store, """
        SELECT DISTINCT ?n ?year ?kind ?origin ?text WHERE {
          ?o kg:indicator/skos:notation ?n ; kg:refYear ?year ; kg:valueKind/skos:prefLabel ?kind ;
             kg:valueSource ?s ; kg:valueText ?text . BIND(STRAFTER(STR(?s), "valuesource-") AS ?origin)
          FILTER(LANG(?kind) = "en" && ?n IN ("26", "21.2") && ?year IN ("2022"^^xsd:gYear, "2023"^^xsd:gYear)) }""")
    got = {(r["n"], r["year"], r["kind"], r["origin"], r["text"]) for r in found}
    assert ("26", "2022", "actual", "table", "0.1（同口径8%）") in got
    assert ("26", "2022", "actual", "text", "同口径增长8.4%") in got  # 8% in the table, 8.4% in the text
    assert ("21.2", "2023", "target", "table", "5000") in got
    assert ("21.2", "2023", "target", "text", "5560个") in got  # 5000 in the annex, 5560 in the plan text


# ---------------------------------------------------------------- tasks


def test_all_121_tasks_with_all_units(store: ox.Store) -> None:
    labels = names_of(store)
    found = rows(store, """
        SELECT DISTINCT ?t ?n ?text ?year WHERE { ?t a kg:Task ; kg:taskNumber ?n ; kg:text ?text ; kg:year ?year }""")
    units: dict[str, list[set[str]]] = defaultdict(list)
    for r in rows(store, "SELECT DISTINCT ?t ?u WHERE { ?t a kg:Task ; kg:responsibleUnit ?u }"):
        units[r["t"]].append(labels[r["u"]])
    got = {int(r["n"]): (r["text"], r["year"], units[r["t"]]) for r in found}
    expected = gold("tasks.csv")
    assert set(got) == {int(g["n"]) for g in expected}
    wanted_units: dict[int, list[str]] = defaultdict(list)
    for g in gold("task_units.csv"):
        wanted_units[int(g["n"])].append(g["unit"])
    for g in expected:
        text, year, task_units = got[int(g["n"])]
        assert (text, year) == (g["task"], "2023"), g["n"]
        wanted = wanted_units[int(g["n"])]
        assert len(task_units) == len(wanted), g["n"]
        assert all(any(w in names for names in task_units) for w in wanted), g["n"]


def test_collective_units_are_kept(store: ox.Store) -> None:
    found = rows(store, """SELECT DISTINCT ?l WHERE {
        ?t a kg:Task ; kg:responsibleUnit ?u . ?u a kg:CollectiveUnit ; rdfs:label ?l }""")
    assert {r["l"] for r in found} == {"相关街镇", "各行业主管部门", "全区各街镇"}


def test_tasks_restate_body_measures(store: ox.Store) -> None:
    found = rows(store, """
        SELECT DISTINCT ?n ?quote WHERE {
          ?t a kg:Task ; kg:taskNumber ?n ; kg:restates ?m . ?m a kg:Measure ; oa:hasSelector/oa:exact ?quote }""")
    linked = {int(r["n"]): r["quote"] for r in found}
    assert len(linked) >= 100
    assert linked[1].startswith("（1）服务保障国家实验室建设")


# ---------------------------------------------------------------- investment boxes


def test_box2_categories(store: ox.Store) -> None:
    found = rows(store, """
        SELECT DISTINCT ?id ?name ?count ?money ?plan WHERE {
          ?c a kg:InvestmentCategory ; rdfs:label ?name ; kg:projectCount ?count ; kg:document/dcterms:identifier ?id .
          OPTIONAL { ?c kg:investment ?money } OPTIONAL { ?c kg:planText ?plan } }""")
    got = {(r["id"], r["name"], int(r["count"]), Decimal(r["money"]) if r["money"] else None, r["plan"]) for r in found}
    assert got == {
        (g["source_id"], g["category"], int(g["project_count"]),
         Decimal(g["total_investment_yi_yuan"]) if g["total_investment_yi_yuan"] else None, g["plan_text"])
        for g in gold("investment_boxes.csv")
    }


def test_box2_projects_with_status(store: ox.Store) -> None:
    found = rows(store, """
        SELECT DISTINCT ?id ?category ?name ?status WHERE {
          ?p a kg:Project ; rdfs:label ?name ; kg:investmentCategory ?c ; kg:statusRecord ?r .
          ?c rdfs:label ?category ; kg:document ?d . ?d dcterms:identifier ?id .
          ?r kg:statusPhrase ?status ; kg:document ?d }""")
    got = {(r["id"], r["category"], r["name"], r["status"]) for r in found}
    expected = {(g["source_id"], g["category"], g["project_name"], g["status_phrase"])
                for g in gold("investment_projects.csv")}
    assert expected <= got
    # every extra row is a second label of a project seen in both reports (one IRI, two names)
    assert all(x[2] in {e[2] for e in expected} for x in got)


def test_same_project_in_both_reports_is_one_entity(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?p (COUNT(DISTINCT ?y) AS ?years) WHERE {
          ?p a kg:Project ; kg:investmentCategory/kg:year ?y }
        GROUP BY ?p HAVING (COUNT(DISTINCT ?y) > 1)""")
    assert len(found) == 1  # 巨山路 (2022: 加快建设) = 巨山路(杏石口路-闵庄路)道路工程 (2024: 如期完工)


# ---------------------------------------------------------------- policy boxes


def test_policy_boxes(store: ox.Store) -> None:
    found = rows(store, """
        SELECT DISTINCT ?policy ?area WHERE { ?p a kg:Policy ; rdfs:label ?policy ; kg:policyArea/rdfs:label ?area }""")
    got = {(r["policy"], r["area"]) for r in found}
    assert ("关于进一步提高科技型中小企业研发费用税前加计扣除比例的公告", "国家级政策") in got
    assert ("关于对科技创新企业给予全链条金融支持的若干措施", "市级措施") in got
    assert ("海淀区促进登记失业人员就业补助办法", "筑牢民生保障底线") in got
    assert ("区委贯彻党的二十届三中全会和市委十三届五次全会精神进一步全面深化改革工作方案",
            "完善高水平对外开放体制机制") in got
    measures = rows(store, """
        SELECT ?m WHERE { ?a a kg:ReformArea ; rdfs:label "完善高水平对外开放体制机制"@zh ; kg:keyMeasure ?m }""")
    assert sorted(r["m"] for r in measures) == ["深化中关村综合保税区体制机制改革", "深化外资外贸体制机制改革"]


# ---------------------------------------------------------------- saved queries


def saved(store: ox.Store, name: str) -> list[dict[str, str]]:
    return rows(store, (QUERIES / name).read_text(encoding="utf-8"))


def test_saved_queries_start_with_bilingual_comments() -> None:
    for path in QUERIES.glob("*.rq"):
        head = path.read_text(encoding="utf-8").splitlines()[:2]
        assert head[0].startswith("# title: ") and " / " in head[0], path.name
        assert head[1].startswith("# description: "), path.name


def test_query_canteens_per_street(store: ox.Store) -> None:
    got = [(r["placeLabel"], int(r["canteens"])) for r in saved(store, "canteens-per-street.rq")]
    assert sum(n for _, n in got) == 30 and len(got) == 21
    assert got[:9] == [(s, 2) for s in ("上庄地区", "中关村街道", "八里庄街道", "北下关街道", "学院路街道",
                                        "温泉地区", "紫竹院街道", "苏家坨地区", "西三旗街道")]
    assert all(n == 1 for _, n in got[9:])


def test_query_tasks_per_unit(store: ox.Store) -> None:
    got = [(r["unitLabel"], int(r["tasks"])) for r in saved(store, "tasks-per-unit.rq")]
    register = load_register(ROOT / "data" / "registers" / "departments.csv")
    counts: dict[str, int] = defaultdict(int)
    for g in gold("task_units.csv"):
        counts[register.organization(g["unit"]).name] += 1
    assert len(counts) == 44 and not register.unknown
    assert got == sorted(counts.items(), key=lambda c: (-c[1], c[0]))
    assert got[:3] == [("中关村科学城管理委员会综合部", 26), ("北京市海淀区发展和改革委员会", 14),
                       ("北京市海淀区住房和城乡建设委员会", 12)]


def test_query_indicators_missed_2022(store: ox.Store) -> None:
    got = [(r["label"], r["target"], r["actual"]) for r in saved(store, "indicators-missed-2022.rq")]
    assert got == [
        ("区级一般公共预算收入增速", "4", "0.1（同口径8%）"),
        ("区级一般公共预算收入增速", "4", "增长0.1%"),
        ("地区生产总值增速", "6以上", "4"),
        ("地区生产总值增速", "6以上", "同比增长4%"),
        ("自贸区企业收入增速", "15左右", "8-9"),
        ("规模以上高新技术企业总收入增速", "10以上", "7.5"),
    ]  # the four misses the text names: 4, 12, 26, 27


def test_every_observation_is_in_the_series_and_the_year_slice_of_its_indicator_and_district(store: ox.Store) -> None:
    counts = rows(store, """
        SELECT (COUNT(DISTINCT ?obs) AS ?all) (COUNT(DISTINCT ?inSeries) AS ?matching)
               (COUNT(DISTINCT ?series) AS ?series)
        WHERE {
          ?obs a qb:Observation ; kg:indicator ?indicator ; kg:refArea ?area .
          OPTIONAL { ?series qb:observation ?obs ; kg:indicator ?indicator ; kg:refArea ?area ;
                             a qb:Slice ; qb:sliceStructure kg:seriesKey . BIND(?obs AS ?inSeries) }
        }""")[0]
    assert counts["all"] == counts["matching"] and int(counts["all"]) > 100
    indicators = rows(store, "SELECT DISTINCT ?i WHERE { ?o a qb:Observation ; kg:indicator ?i }")
    assert int(counts["series"]) == len(indicators)  # one district: a series per indicator
    in_year = rows(store, """
        SELECT (COUNT(DISTINCT ?obs) AS ?all) (COUNT(DISTINCT ?inYear) AS ?matching) WHERE {
          ?obs a qb:Observation ; kg:indicator ?indicator ; kg:refArea ?area ; kg:refYear ?year .
          OPTIONAL { ?slice qb:observation ?obs ; kg:indicator ?indicator ; kg:refArea ?area ; kg:refYear ?year ;
                            a qb:Slice ; qb:sliceStructure kg:seriesYearKey . BIND(?obs AS ?inYear) }
        }""")[0]
    assert in_year["all"] == in_year["matching"] == counts["all"]  # and in the slice of its year
    more = rows(store, """SELECT ?o WHERE { ?s1 qb:observation ?o ; qb:sliceStructure ?key .
                                           ?s2 qb:observation ?o ; qb:sliceStructure ?key FILTER(?s1 != ?s2) }""")
    assert not more, "an observation in two slices of one kind"


def test_query_indicator_series(store: ox.Store) -> None:
    rows = saved(store, "indicator-series.rq")
    assert {r["district"] for r in rows} == {"海淀区"}  # every observation's reference area: the district
    got = [(r["year"], r["kind"], r["valueText"], r["origin"], r["report"]) for r in rows]
    assert got == [
        ("2021", "actual", "8.8", "table", "haidian-2022"),
        ("2022", "target", "6以上", "table", "haidian-2022"),
        ("2022", "actual", "4", "table", "haidian-2022"),
        ("2022", "actual", "同比增长4%", "text", "haidian-2022"),
        ("2023", "target", "6", "table", "haidian-2022"),
        ("2023", "target", "增长6%", "text", "haidian-2022"),
        ("2024", "actual", "同比增长6.0%", "text", "haidian-2024"),
        ("2025", "target", "6", "table", "haidian-2022"),
        ("2025", "target", "增长5.5%", "text", "haidian-2024"),
    ]


def test_query_indicator_series_of_one_district(store: ox.Store) -> None:
    query = load_saved_query(QUERIES / "indicator-series.rq")  # bound as the server binds it
    everywhere = rows(store, query.text)
    assert rows(store, bind(query, {"district": "海淀区"})) == everywhere
    assert rows(store, bind(query, {"district": "朝阳区"})) == []


def test_query_indicator_departments(store: ox.Store) -> None:
    got = [(r["unitLabel"], r["shortName"], r["type"]) for r in saved(store, "indicator-departments.rq")]
    assert got == [("中关村科学城管理委员会综合部", "中关村科学城综合部", "区政府部门"),
                   ("北京市海淀区商务局", "区商务局", "区政府部门")]


def test_indicator_page_shows_each_actuals_outcome(built_home: tuple[Settings, BuildResult], store: ox.Store) -> None:
    """The chart's table says, for each judged actual, met or missed against which target (the two
    reports give no 2024 target: its actual is not judged); a missed actual's point is marked."""
    from web import create_app

    iri = rows(store, 'SELECT ?i WHERE { ?i a kg:Indicator ; rdfs:label "地区生产总值增速"@zh }')[0]["i"]
    app = create_app(built_home[0])
    try:
        response = app.test_client().get("/" + iri.split("/", 3)[3], headers={"Accept": "text/html"})
        html = response.get_data(as_text=True).replace("\n", "")
    finally:
        if backend := app.extensions.get("kg_sparql_backend"):
            backend.close()
    assert "<td>2022</td><td>实际值</td><td>4</td><td>未完成（目标 6以上）</td>" in html
    assert "<td>2022</td><td>实际值</td><td>同比增长4%</td><td>未完成（目标 6以上）</td>" in html  # the text's
    assert "<td>2024</td><td>实际值</td><td>同比增长6.0%</td><td></td>" in html  # no 2024 target to judge by
    assert html.count('class="missed"') == 2  # 2022's two actuals (4 and 4%): one point drawn twice
