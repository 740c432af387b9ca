"""A synthetic corpus: reports shaped like the real ones, with invented names, for scale benchmarks.

``generate(n, out_dir, seed)`` writes ``n`` report texts and their ``.toml`` metadata (the format of
``data/sources/*.toml``). Names are drawn so that entities recur as real ones do: every district has
the same departments, a district's projects run over several consecutive reports with a status that
moves on each year, policies are cited again, and districts and years vary. Same seed, same bytes.

Each report has a title block, parts 一、二、, sections （一）, paragraphs with numbered measures
（1）（2）, boxes 专栏N with a tab-indented table and a one-cell-per-line table, Word footnotes, an
annex of indicators and an annex of key tasks with responsible units.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

CN_DIGITS = "一二三四五六七八九十"
CITY = "华北市"
DISTRICT_HEADS = "青云临安清和永宁长乐东华西林南湖北山明德崇文启元嘉禾"
DISTRICT_TAILS = "川溪源塘泽阳丘湾岭州"
TOWN_NAMES = ("桃源", "石桥", "柳林", "金沙", "白鹭", "松岗", "梅园", "枫林", "水磨", "云岭", "杏坛", "龙湾")
DEPARTMENTS = (
    "区发展改革委", "区商务局", "区财政局", "区教委", "区卫生健康委", "区民政局", "区城市管理委",
    "区住房城乡建设委", "区生态环境局", "区科委", "区交通委", "区文化旅游局", "区人力社保局", "区水务局",
)
SECTORS = ("人工智能", "医药健康", "集成电路", "商业航天", "智能网联汽车", "量子信息", "氢能", "养老", "教育")
PROJECT_KINDS = ("生态公园", "综合管廊", "九年一贯制学校", "社区卫生服务中心", "产业园", "道路大修工程", "养老照料中心")
PHASES = ("", "一期", "二期")
STATUSES = ("计划开工", "开工建设", "加快推进", "主体完工", "建成投用")
INDICATORS = (
    ("地区生产总值增速", "%", "预期性"), ("一般公共预算收入增速", "%", "预期性"),
    ("居民人均可支配收入增速", "%", "预期性"), ("城镇登记失业率", "%", "约束性"),
    ("研究与试验发展经费支出占比", "%", "预期性"), ("细颗粒物年均浓度", "微克/立方米", "约束性"),
    ("新增普惠性学前学位", "个", "预期性"), ("万元地区生产总值能耗降低", "%", "约束性"),
)
FIRST_YEAR = 2015
YEARS_PER_DISTRICT = 8
SECTIONS, PARAGRAPHS = 5, 6  # ~18,000 characters a report (the real ones: 72,000 and 83,000 with markup)


@dataclass(frozen=True)
class District:
    index: int
    name: str  # 青川区
    towns: tuple[str, ...]
    projects: tuple[tuple[str, int], ...]  # (name, first year): a project runs over several reports

    @property
    def full_name(self) -> str:
        return f"{CITY}{self.name}"


def district(index: int, seed: int) -> District:
    """District ``index``: its name and places and projects depend only on (seed, index)."""
    rng = random.Random(f"{seed}-district-{index}")
    heads, tails = len(DISTRICT_HEADS), len(DISTRICT_TAILS)
    name = DISTRICT_HEADS[index % heads] + DISTRICT_TAILS[(index // heads) % tails]
    if index >= heads * tails:
        name += CN_DIGITS[(index // (heads * tails)) % 10]
    name += "区"
    towns = tuple(rng.sample(TOWN_NAMES, 6))
    projects = tuple(
        (f"{rng.choice(towns)}{rng.choice(PROJECT_KINDS)}{rng.choice(PHASES)}",
         FIRST_YEAR + rng.randrange(YEARS_PER_DISTRICT))
        for _ in range(10)
    )
    return District(index, name, towns, projects)


def report_plan(n: int) -> list[tuple[int, int]]:
    """(district index, execution year) of each report: each district reports for consecutive years."""
    return [(i // YEARS_PER_DISTRICT, FIRST_YEAR + i % YEARS_PER_DISTRICT) for i in range(n)]


class ReportWriter:
    def __init__(self, d: District, year: int, seed: int) -> None:
        self.d, self.year, self.plan = d, year, year + 1
        self.rng = random.Random(f"{seed}-report-{d.index}-{year}")
        self.lines: list[str] = []
        self.boxes = 0
        self.footnotes: list[str] = []

    def text(self) -> str:
        self.title_block()
        self.part(1, f"{self.year}年国民经济和社会发展计划执行情况", self.review_section)
        self.part(2, f"{self.plan}年经济社会发展的主要任务及工作措施", self.task_section)
        self.lines.append("各位代表，我们将在市委市政府和区委坚强领导下，奋力完成全年目标任务。")
        self.lines.append("")
        self.annexes()
        return "\n".join(self.lines) + "\n"

    def title_block(self) -> None:
        self.lines += ["", f"关于{self.d.name}{self.year}年国民经济和社会发展",
                       f"计划执行情况与{self.plan}年国民经济和", "社会发展计划的报告", ""]
        growth = self.rng.choice(("5.2", "5.5", "6.0", "6.3"))
        self.lines += [f"{self.year}年，全区经济运行总体平稳，地区生产总值同比增长{growth}%，"
                       "经济社会发展主要目标任务顺利完成。", ""]

    def part(self, number: int, title: str, section: object) -> None:
        self.lines += [f"{CN_DIGITS[number - 1]}、{title}", ""]
        for i in range(1, SECTIONS + 1):
            section(i)  # type: ignore[operator]

    def review_section(self, i: int) -> None:
        sector = SECTORS[(i + self.d.index) % len(SECTORS)]
        self.lines += [f"（{CN_DIGITS[i - 1]}）坚持创新驱动，推动{sector}产业高质量发展", ""]
        for _ in range(PARAGRAPHS):
            self.lines += [self.paragraph(sector), ""]
        if i in (1, 3):
            self.box(i == 1)

    def task_section(self, i: int) -> None:
        sector = SECTORS[(i + self.year) % len(SECTORS)]
        self.lines += [f"（{CN_DIGITS[i - 1]}）着力推进{sector}领域重点任务", ""]
        for _ in range(PARAGRAPHS // 2):
            measures = "".join(f"（{k}）{self.sentence(sector)}" for k in range(1, 4))
            self.lines += [f"扎实推进{sector}发展。{measures}", ""]

    def paragraph(self, sector: str) -> str:
        head = self.rng.choice(("产业生态持续优化。", "重点项目加快建设。", "民生保障更加有力。"))
        body = "".join(self.sentence(sector) for _ in range(self.rng.randint(3, 5)))
        if self.rng.random() < 0.3:
            self.footnotes.append(f"{self.d.name}{sector}专项统计口径。")
            body += f"完善统计监测体系[footnoteRef:{len(self.footnotes)}]。"
        return head + body

    def sentence(self, sector: str) -> str:
        rng, d = self.rng, self.d
        project, first = rng.choice(d.projects)
        dept, town = rng.choice(DEPARTMENTS), rng.choice(d.towns)
        forms = (
            f"{self.status(first)}{project}，由{dept}牵头推进。",
            f"出台《{d.name}{sector}三年行动方案》，支持{town}街道建设{sector}特色园区。",
            f"在{town}镇新增{rng.randint(2, 40)}个{rng.choice(('社区食堂', '养老驿站', '便民网点'))}。",
            f"{dept}会同{rng.choice(DEPARTMENTS)}完成{sector}企业走访{rng.randint(50, 900)}家。",
        )
        return rng.choice(forms)

    def status(self, first_year: int) -> str:
        step = min(max(self.year - first_year, 0), len(STATUSES) - 1)
        return STATUSES[step]

    def box(self, tab_layout: bool) -> None:
        self.boxes += 1
        self.lines += [f"专栏{self.boxes}：{self.year}年{self.d.name}政府投资项目进展", ""]
        header = ("项目名称", "所在街镇", "进展情况")
        rows = [(name, self.rng.choice(self.d.towns), self.status(first)) for name, first in self.d.projects[:6]]
        for row in (header, *rows):
            if tab_layout:  # tab-indented: one cell per line, a blank line between rows
                self.lines += [f"\t{cell}" for cell in row] + [""]
            else:  # one cell per line, blank-line separated (web-page layout)
                for cell in row:
                    self.lines += [f"  {cell}", ""]
        self.lines.append("")

    def annexes(self) -> None:
        self.lines += [f"附件：1.{self.plan}年{self.d.name}国民经济和社会发展计划",
                       f"2.{self.plan}年国民经济和社会发展计划报告重点任务表",
                       f" {self.plan}年{self.d.name}国民经济和社会发展计划", ""]
        header = ("序号", "指标", f"{self.year}年目标值", f"{self.year}年数值", f"{self.plan}年目标值",
                  "指标属性", "责任部门")
        self.lines += [f"\t{c}" for c in header] + [""]
        for k, (name, unit, kind) in enumerate(INDICATORS, start=1):
            target = round(self.rng.uniform(1, 9), 1)
            actual = round(target + self.rng.uniform(-1, 1), 1)
            row = (str(k), f"{name}（{unit}）", str(target), str(actual), str(round(target * 1.02, 1)), kind,
                   DEPARTMENTS[k % len(DEPARTMENTS)])
            self.lines += [f"\t{c}" for c in row] + [""]
        self.lines += ["", "附件2", "", f"{self.plan}年国民经济和社会发展计划报告", "重点任务表", ""]
        self.lines += [f"\t{c}" for c in ("序号", "工作措施", "责任单位")] + [""]
        for k in range(1, 21):
            sector = SECTORS[k % len(SECTORS)]
            unit = DEPARTMENTS[(k + self.year) % len(DEPARTMENTS)]
            self.lines += [f"\t{k}", f"\t{self.sentence(sector)}", f"\t{unit}", ""]
        for k, body in enumerate(self.footnotes, start=1):
            self.lines.append(f"[{k}:  {body}]")


def report_text(district_index: int, year: int, seed: int) -> str:
    return ReportWriter(district(district_index, seed), year, seed).text()


def metadata(source_id: str, d: District, year: int) -> str:
    title = f"关于{d.name}{year}年国民经济和社会发展计划执行情况与{year + 1}年国民经济和社会发展计划的报告"
    return "\n".join([
        "# Metadata of one source report. The source id is this file's stem. (synthetic)",
        f'id = "{source_id}"', f'file = "{source_id}.txt"', f'title = "{title}"',
        f'publisher = "{d.full_name}人民政府"', f'district = "{d.full_name}"',
        f"execution_year = {year}", f"plan_year = {year + 1}", 'language = "zh"', "",
    ])


def generate(n: int, out_dir: Path, seed: int = 0) -> list[Path]:
    """Write n synthetic reports (text + .toml) into out_dir; returns the metadata paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for district_index, year in report_plan(n):
        d = district(district_index, seed)
        source_id = f"synth-{district_index:04d}-{year}"
        (out_dir / f"{source_id}.txt").write_text(report_text(district_index, year, seed), encoding="utf-8")
        meta = out_dir / f"{source_id}.toml"
        meta.write_text(metadata(source_id, d, year), encoding="utf-8")
        written.append(meta)
    return written
