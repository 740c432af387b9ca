"""Tests of the structure tree built by kg.parse.parse_document on both Haidian reports.

Expected values were read from the source files by hand (sed -n / grep -n).
"""

from __future__ import annotations

import re
import time
from functools import cache
from pathlib import Path

import pytest

from kg.errors import ParseError
from kg.model import Node, ParsedDocument
from kg.parse import parse_document

SOURCES = Path(__file__).parents[1] / "data" / "sources"
DEBRIS = re.compile(r"\[bookmark:[^\]\n]*\]|\[footnoteRef:\d+\]|\[\d+:[^\]]*\]|\r|\ufeff")


@cache
def doc(name: str) -> ParsedDocument:
    return parse_document(name, (SOURCES / f"{name}.txt").read_text(encoding="utf-8"))


def line_of(d: ParsedDocument, pos: int) -> int:
    return d.original.count("\n", 0, pos) + 1


def titles(d: ParsedDocument, kind: str) -> list[str | None]:
    return [n.title for n in d.root.walk() if n.kind == kind]


def cells(row: Node) -> list[str | None]:
    return [c.title for c in row.children]


def box(d: ParsedDocument, n: int) -> Node:
    (found,) = [b for b in d.root.find("box") if b.ordinal == n]
    return found


def table_rows(node: Node) -> list[Node]:
    (table,) = [c for c in node.children if c.kind == "table"]
    return table.children


# ---------------------------------------------------------------- headings

PARTS_2024 = ["2024年国民经济和社会发展情况", "2025年经济社会发展计划安排", "2025年工作措施"]
SECTIONS_2024 = [
    "坚持以发展新质生产力为引领,实现经济高质量发展",
    "坚持推动产学研用深度融合,畅通教育、科技、人才良性循环",
    "坚持以新时代首都发展为引领,打造宜居、韧性、智慧城市",
    "坚持深化重点领域改革和扩大开放,进一步增强区域发展内生动力",
    "坚持生态文明建设和民生无小事,进一步解决好群众急难愁盼问题",
    "总体要求",
    "主要指标",
    "稳固经济发展基础,引领高质量发展",
    "人工智能驱动赋能,构建现代化产业体系",
    "聚焦多要素融合,建设世界领先科技园区",
    "锚定发展远景目标,加快规划落地实施",
    "推进美丽海淀建设,生态环境品质提升",
    "积极破解群众难题,厚植民生幸福根基",
    "筑牢城市治理根基,保障社会安全发展",
    "深化重点领域改革,激活发展长效动能",
]
PARTS_2022 = ["2022年国民经济和社会发展计划执行情况", "2023年经济社会发展的主要任务及工作措施"]
SECTIONS_2022 = [
    "大力推进复工复产，持续稳定经济增长",
    "扩大内需战略稳步推进，加快融入新发展格局",
    "创新驱动发展战略深入实施，新动能加快成长",
    "扎实推进科学城北区规划建设和南区更新治理，城市宜居、韧性、智慧品质稳步提升",
    "加快补齐民生领域短板，群众幸福感获得感持续增强",
    "着力提升核心竞争力，努力建设高能级创新引领型城区",
    "坚持稳增长促发展，努力建设高质量发展典范城区",
    "用“绣花”功夫提升城市功能品质，努力建设高颜值生态宜居城区",
    "推动重点领域改革，努力打造高水平开放示范区",
    "用心用情改善民生，努力建设高品质民生幸福城区",
]


def test_parts_2024() -> None:
    d = doc("haidian-2024")
    parts = [c for c in d.root.children if c.kind == "part"]
    assert [p.title for p in parts] == PARTS_2024
    assert [p.number for p in parts] == ["一", "二", "三"]
    assert [p.ordinal for p in parts] == [1, 2, 3]
    assert [line_of(d, p.start) for p in parts] == [7, 449, 457]
    assert [len(p.find("section")) for p in parts] == [5, 2, 8]


def test_sections_2024() -> None:
    d = doc("haidian-2024")
    sections = d.root.find("section")
    assert [s.title for s in sections] == SECTIONS_2024
    assert [s.ordinal for s in sections] == [1, 2, 3, 4, 5, 1, 2, 1, 2, 3, 4, 5, 6, 7, 8]
    assert sections[0].number == "(一)"


def test_parts_and_sections_2022() -> None:
    d = doc("haidian-2022")
    parts = [c for c in d.root.children if c.kind == "part"]
    assert [p.title for p in parts] == PARTS_2022
    assert [line_of(d, p.start) for p in parts] == [8, 164]
    assert titles(d, "section") == SECTIONS_2022
    assert d.root.find("section")[0].number == "（一）"
    assert [len(p.find("section")) for p in parts] == [5, 5]


def test_title_blocks() -> None:
    d24, d22 = doc("haidian-2024"), doc("haidian-2022")
    report = "关于海淀区{}年国民经济和社会发展计划执行情况与{}年国民经济和社会发展计划的报告"
    (t24,) = [c for c in d24.root.children if c.kind == "title"]
    assert t24.title == report.format(2024, 2025)
    assert t24.text.startswith("北京市海淀区人民政府办公室关于印发《") and t24.text.endswith("》的通知")
    (t22,) = [c for c in d22.root.children if c.kind == "title"]
    assert t22.title == report.format(2022, 2023)
    assert [line_of(d22, t22.start), line_of(d22, t22.end)] == [4, 6]


# ---------------------------------------------------------------- boxes

BOXES_2024 = [
    "“1+X+1”现代化产业体系发展成果",
    "2024年区政府投资项目主要进展情况",
    "区委贯彻党的二十届三中全会和市委十三届五次全会精神进一步全面深化改革工作方案",
    "海淀区43家公办中小学集团化办学名单",
    "海淀区30家已挂牌海淀食堂",
]
BOXES_2022 = [
    "海淀区稳增长“31条”实施效果",
    "2022年海淀区政府投资项目进展表",
    "中关村新一轮先行先试政策落地效果",
]


def test_boxes_2024() -> None:
    d = doc("haidian-2024")
    boxes = d.root.find("box")
    assert len(boxes) == 5
    assert [b.title for b in boxes] == BOXES_2024
    assert [b.ordinal for b in boxes] == [1, 2, 3, 4, 5]
    assert [line_of(d, b.start) for b in boxes] == [21, 100, 151, 219, 251]
    # where each box ends: the last line of its table
    assert [line_of(d, b.end - 1) for b in boxes] == [97, 134, 212, 247, 437]


def test_boxes_2022() -> None:
    d = doc("haidian-2022")
    boxes = d.root.find("box")
    assert [b.title for b in boxes] == BOXES_2022
    assert [b.number for b in boxes] == ["1", "2", "3"]
    assert [line_of(d, b.start) for b in boxes] == [14, 63, 97]
    assert [line_of(d, b.end - 1) for b in boxes] == [56, 87, 141]


def test_box5_canteens_2024() -> None:
    rows = table_rows(box(doc("haidian-2024"), 5))
    assert len(rows) == 31
    assert all(len(r.children) == 3 for r in rows)
    assert cells(rows[0]) == ["所属街道", "点位名称", "详细地址"]
    assert cells(rows[1]) == ["八里庄街道", "超市发华光商厦店", "华光商厦四层美食城"]
    assert cells(rows[-1]) == [
        "海淀街道",
        "熊猫范(互金中心店)",
        "海淀区丹棱街1号(海淀黄庄地铁站A2西北口步行360米)",
    ]
    streets = [r.children[0].title or "" for r in rows[1:]]
    assert all(s.endswith(("街道", "镇")) for s in streets)
    assert streets.count("八里庄街道") == 2


def test_box4_school_groups_2024() -> None:
    rows = table_rows(box(doc("haidian-2024"), 4))
    assert [cells(r)[:2] for r in rows] == [["序号", "时间"], ["1-42", "2019年—2023年"], ["43", "2024年"]]
    assert cells(rows[0]) == ["序号", "时间", "集团名称", "成员校"]
    first = cells(rows[1])
    assert first[2] is not None and first[2].startswith("中国人民大学附属中学清华大学附属中学")
    assert first[2].endswith("北京市海淀区七一小学")
    assert first[3] == ""  # the empty 成员校 cell (a no-break-space line)
    # the group name wraps over two lines; the member schools are a list
    assert cells(rows[2]) == [
        "43",
        "2024年",
        "北京教育科学研究院实验学校教育集团",
        "北京市育英中学\n北京教育科学研究院实验小学",
    ]


def test_box3_two_line_title_and_rows_2024() -> None:
    b = box(doc("haidian-2024"), 3)
    rows = table_rows(b)
    assert len(rows) == 15  # header + 14
    assert all(len(r.children) == 2 for r in rows)
    assert cells(rows[0]) == ["主要内容", "重点举措"]
    assert rows[1].children[0].title == "健全优化提升首都功能体制机制"
    assert rows[-1].children[0].title == "提高党对进一步全面深化改革的领导水平"


def test_box1_and_box2_2024() -> None:
    d = doc("haidian-2024")
    rows1 = table_rows(box(d, 1))
    assert len(rows1) == 10
    sectors = "人工智能 医药健康 集成电路 商业航天 具身智能 智能网联汽车 量子信息 氢能 6G 科技服务"
    assert [r.children[-2].title for r in rows1] == sectors.split()
    assert [len(r.children) for r in rows1] == [3, 3, 2, 2, 2, 2, 2, 2, 2, 3]
    bullets = rows1[0].children[2]
    assert bullets.title is not None and bullets.title.count("\n") == 3  # four Ø bullets
    assert len(bullets.children) >= 4 and all(s.kind == "sentence" for s in bullets.children)
    assert not bullets.children[0].text.startswith("Ø")
    rows2 = table_rows(box(d, 2))
    assert len(rows2) == 4
    assert cells(rows2[0]) == ["项目类别", "计划安排", "工作进展"]
    assert [r.children[0].title for r in rows2[1:]] == [
        "环境治理类(93项",
        "社会事业类(129项",
        "交通基础设施类(86项",
    ]


def test_boxes_2022_rows() -> None:
    d = doc("haidian-2022")
    rows1 = table_rows(box(d, 1))
    assert len(rows1) == 7
    assert all(len(r.children) == 3 for r in rows1)
    assert cells(rows1[0]) == ["领域", "区级政策文件", "工作进展"]
    assert cells(rows1[3])[:2] == ["提升高精尖产业发展能级", ""]
    rows2 = table_rows(box(d, 2))
    assert [r.children[0].title for r in rows2] == [
        "项目类别", "环境治理类（77项）", "社会事业类（57项）", "交通基础设施类（50项）", "其他（9项）",
    ]  # fmt: skip
    rows3 = table_rows(box(d, 3))
    assert len(rows3) == 11 and all(len(r.children) == 3 for r in rows3)
    assert [r.children[0].title for r in rows3 if r.children[0].title] == [
        "类别",
        "国家级政策",
        "市级措施",
        "区级配套政策",
    ]


# ---------------------------------------------------------------- annexes and footnotes


def test_annexes_2022() -> None:
    d = doc("haidian-2022")
    annexes = [c for c in d.root.children if c.kind == "annex"]
    assert [(a.number, a.title) for a in annexes] == [
        ("1", "2023年海淀区国民经济和社会发展计划"),
        ("2", "2022年国民经济和社会发展计划报告重点任务表"),
    ]
    assert [line_of(d, a.start) for a in annexes] == [200, 582]
    assert doc("haidian-2024").root.find("annex") == []


def test_annex1_indicators_2022() -> None:
    d = doc("haidian-2022")
    annex1 = [c for c in d.root.children if c.kind == "annex"][0]
    rows = table_rows(annex1)
    assert len(rows) == 36  # header, 2 group rows, 31 indicators, 2 sub-rows
    assert rows[0].children[0].title == "序号"
    assert [c.title for c in rows[0].children][3:5] == ["2021年数值", "2022年目标值"]
    numbered = [r for r in rows if re.fullmatch(r"\d+", r.children[0].title or "")]
    assert [int(r.children[0].title or 0) for r in numbered] == list(range(1, 32))
    assert cells(numbered[0]) == [
        "1",
        "常住人口规模（万人）",
        "312.6",
        "313",
        "<313.2",
        "<313.2",
        "<313.2",
        "约束性",
        "区发展改革委",
    ]
    assert cells(numbered[-1])[1] == "新增停车位（个）"
    assert [r.children[0].title for r in rows if len(r.children) == 1] == [
        "“十四五”规划内指标",
        "“十四五”规划外指标",
    ]
    # items 21 and 25 have sub-rows (10 cells, the first two empty on the sub-row)
    sub = [r for r in rows if len(r.children) == 10]
    assert [cells(r)[:3] for r in sub] == [
        ["21", "新增学位供给数（个）", "普惠性学前"],
        ["", "", "中小学"],
        ["25", "食品、药品安全", "食品抽检合格率（%）"],
        ["", "", "药品抽检合格率（%）"],
    ]


def test_annex2_tasks_2022() -> None:
    d = doc("haidian-2022")
    annex2 = [c for c in d.root.children if c.kind == "annex"][1]
    rows = table_rows(annex2)
    assert len(rows) == 122
    assert cells(rows[0]) == ["序号", "工作措施", "责任单位"]
    assert [r.children[0].title for r in rows[1:]] == [str(n) for n in range(1, 122)]
    assert all(len(r.children) == 3 for r in rows)
    assert cells(rows[-1]) == ["121", "完善“城市大脑”基础设施与平台体系建设。", "区城管指挥中心"]


def test_footnote_nodes_2022() -> None:
    d = doc("haidian-2022")
    notes = [c for c in d.root.children if c.kind == "footnote"]
    assert len(notes) == len(d.footnotes) == 4
    assert notes[0].text.startswith("即7个现有商圈（公主坟")
    assert [n.number for n in notes] == ["0", "1", "2", "3"]
    for n in notes:
        assert d.original[n.start : n.end] == n.text
    # no footnote body is left inside any paragraph
    for p in d.root.find("paragraph"):
        assert "[0:" not in p.text and "即东升镇" not in p.text


# ---------------------------------------------------------------- paragraphs, measures, sentences


@pytest.mark.parametrize("name", ["haidian-2024", "haidian-2022"])
def test_text_is_original_span_without_debris(name: str) -> None:
    d = doc(name)
    checked = 0
    for n in d.root.walk():
        if n.kind in ("paragraph", "sentence", "measure"):
            assert DEBRIS.sub("", d.original[n.start : n.end]) == n.text, (n.kind, n.start)
            checked += 1
    assert checked > 300


@pytest.mark.parametrize("name", ["haidian-2024", "haidian-2022"])
def test_no_sentence_spans_two_paragraphs(name: str) -> None:
    d = doc(name)
    paragraphs = d.root.find("paragraph")
    for p in paragraphs:
        for s in p.find("sentence"):
            assert p.start <= s.start < s.end <= p.end
            assert "\n" not in d.original[s.start : s.end]
    bounds = [(p.start, p.end) for p in paragraphs]
    assert all(a[1] <= b[0] for a, b in zip(bounds, bounds[1:], strict=False))


@pytest.mark.parametrize("name", ["haidian-2024", "haidian-2022"])
def test_children_nest_inside_parents(name: str) -> None:
    d = doc(name)

    def check(n: Node) -> None:
        for c in n.children:
            if c.kind != "footnote":
                assert n.start <= c.start <= c.end <= n.end, (n.kind, c.kind, c.start)
            check(c)

    check(d.root)
    assert d.unplaced == []


def test_measures_2024() -> None:
    d = doc("haidian-2024")
    (para,) = [p for p in d.root.find("paragraph") if p.text.startswith("优化经济运行调度。")]
    kinds = [c.kind for c in para.children]
    assert kinds[0] == "sentence" and para.children[0].text == "优化经济运行调度。"
    measures = [c for c in para.children if c.kind == "measure"]
    assert [m.number for m in measures] == [f"({i})" for i in range(1, len(measures) + 1)]
    assert measures[0].title == "完善海淀经济运行预测监测体系,加强对重点行业规律和重点企业发展态势分析"
    assert measures[0].text.startswith("(1)")
    assert measures[0].children[0].text.startswith("完善")  # sentences exclude the marker
    for a, b in zip(measures, measures[1:], strict=False):
        assert a.end <= b.start
    assert len(d.root.find("measure")) > 100
    # (2024—2026) and (93项 are not measures
    assert all(m.number and re.fullmatch(r"\(\d{1,2}\)", m.number) for m in d.root.find("measure"))


def test_measures_2022() -> None:
    d = doc("haidian-2022")
    (para,) = [p for p in d.root.find("paragraph") if p.text.startswith("加快建设现代化产业体系。")]
    measures = [c for c in para.children if c.kind == "measure"]
    assert measures[0].number == "（1）"
    assert measures[0].title == "打造大信息技术产业集群"


def test_sentences_keep_quotes_and_titles() -> None:
    d = doc("haidian-2022")
    texts = [s.text for s in d.root.find("sentence")]
    # a sentence never starts with a closing quote or a closing title mark
    assert not [t for t in texts if t[0] in "”》）"]
    for t in texts:
        assert t.count("《") == t.count("》")


def test_parse_time_both_reports() -> None:
    texts = [(SOURCES / f"{n}.txt").read_text(encoding="utf-8") for n in ("haidian-2024", "haidian-2022")]
    t0 = time.perf_counter()
    for name, text in zip(("haidian-2024", "haidian-2022"), texts, strict=True):
        parse_document(name, text)
    assert time.perf_counter() - t0 < 0.5


# ---------------------------------------------------------------- other layouts


def test_other_layouts() -> None:
    text = (
        "\ufeff关于某区2030年计划的报告\r\n\r\n"
        "一、总体情况\r\n"
        "（一）产业发展\r\n"
        "全区经济平稳。推进“三个一”工程。\r\n"
        "专栏1：重点项目\r\n"
        "| 项目 | 地点 |\r\n"
        "|---|---|\r\n"
        "| 甲园区 | 东城镇 |\r\n"
        "| 乙中心 | 西城街道 |\r\n"
        "\r\n"
        "专栏2：社区食堂\r\n"
        "1. 名称：甲食堂；地址：某路1号\r\n"
        "2. 名称：乙食堂；地址：某路2号\r\n"
        "\r\n"
        "二、工作措施\r\n"
        "序号\t任务\t单位\r\n"
        "1\t完成改造。\t区住建委\r\n"
        "• 第一条措施。\r\n"
    )
    d = parse_document("x", text)
    assert titles(d, "part") == ["总体情况", "工作措施"]
    assert titles(d, "section") == ["产业发展"]
    assert titles(d, "box") == ["重点项目", "社区食堂"]
    pipe = table_rows(box(d, 1))
    assert [cells(r) for r in pipe] == [["项目", "地点"], ["甲园区", "东城镇"], ["乙中心", "西城街道"]]
    kv = table_rows(box(d, 2))
    assert [cells(r) for r in kv] == [["名称：甲食堂", "地址：某路1号"], ["名称：乙食堂", "地址：某路2号"]]
    assert [r.number for r in kv] == ["1", "2"]
    (tsv,) = [t for t in d.root.find("table") if t not in [c for b in d.root.find("box") for c in b.children]]
    assert [cells(r) for r in tsv.children] == [["序号", "任务", "单位"], ["1", "完成改造。", "区住建委"]]
    bullet = d.root.find("paragraph")[-1]
    assert bullet.text == "• 第一条措施。" and bullet.children[0].text == "第一条措施。"
    for n in d.root.walk():
        if n.kind in ("paragraph", "sentence", "cell"):
            assert DEBRIS.sub("", d.original[n.start : n.end]).strip() == n.text


def test_no_boxes_no_indentation() -> None:
    d = parse_document("y", "一、情况\n经济平稳。\n二、计划\n（一）目标\n增长5%。\n")
    assert d.root.find("box") == [] and titles(d, "section") == ["目标"]
    assert [p.text for p in d.root.find("paragraph")] == ["经济平稳。", "增长5%。"]


@pytest.mark.parametrize("text", ["", "   \n\n", "[bookmark: _GoBack]\n", "\ufeff\r\n", "官方微信\n"])
def test_no_structure_raises_parse_error(text: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_document("empty", text)
    assert err.value.where == "line 1"
    assert "empty" in str(err.value)


def test_binary_raises_parse_error() -> None:
    with pytest.raises(ParseError) as err:
        parse_document("bin", "一、情况\n\x00\x01\x02")
    assert err.value.where == "line 2"
