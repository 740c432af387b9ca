"""Mentions in running text: which spans of a sentence name a place, organization, policy or project.

Rules, in order (each explainable from the sentence alone):
1. A sentence is cut into clauses at ，；。： and a clause into *runs*: stretches of jieba tokens
   between boundary words (verbs, adverbs, function words, numbers with measure words) and 、.
   Quoted stretches (“…”, 《…》) are one token, so a run may hold them (“薪火共燃”计划).
2. The candidate in a run ends at the last name suffix in it (…街道, …公园, …平台, …方案, …二期 …);
   the suffix gives its kind and type. 《…》 is a policy document; a run that is a quotation alone is a
   named programme; names of the gazetteer and the register are mentions wherever they stand.
3. Flat and longest: a candidate inside a longer one is dropped.
4. Context settles kinds a suffix leaves open: a park, centre or hospital that the clause builds,
   opens or completes is a project; a road that is opened is a transport project; a centre that is
   founded (成立, 组建) is an organization.
5. Items of a 、 list that have no suffix take the kind of their suffixed neighbours, and a list
   followed by 等…项目/工程 is a list of projects.
6. Not names: what stands after 等, a count or a partitive (等REITS项目, 37个城市丽角项目, 部分…措施: the kind
   of the things listed or counted), a kind of thing (联盟式…), an amount of work (…74.2万平方米…改造), what
   stands before a dash (试点银行——…: a description of the name after it).
7. The plan of a project is the project planned (清华医学园区规划); plots and phases listed by their codes
   are one mention (创新园A、B地块).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import jieba

from kg.extract import prose_lexicon as lex

CLAUSE_SEP = re.compile(r"[，,；;。：:！？!?]")
# quoted stretches, phases (（二期）) and a short place in brackets inside a name (中关村(海淀)量子科技未来产业园)
QUOTED = re.compile(r"“[^“”]{1,30}”|《[^《》]{1,60}》|\"[^\"]{1,30}\"|[（(][^（()）]{1,5}[期段][）)]"
                    r"|[（(][\u4e00-\u9fff]{2,4}[）)]")
BRACKET_TAIL = re.compile(r"^[（(][^（()）,，、；;。]{1,12}[）)]")
ASCII_LETTER = re.compile(r"[A-Za-z]")
NUMBERISH = re.compile(
    r"[0-9.%]+|[0-9]+年|年|[一二三四五六七八九十百千万亿]+|[0-9.]*万?平方米|公里|公顷|亿元|万元|个|项|家|处|条"
)
BUILD_BEFORE = ("启动建设", "开工建设", "建设", "建成", "新建", "改建", "扩建", "共建")
FOUND_BEFORE = ("成立", "组建", "牵头组建", "发布", "设立", "搭建", "布局")
TRANSPORT_CUES = ("开通", "通车", "打通", "建成", "开工", "贯通", "断头路", "竣工", "完工", "建设", "施工", "北延",
                  "南延")
ROAD_AS_PLACE = re.compile(r"^(?:与|和|路口|口|沿线|周边|两侧|以[东南西北])")
PROJECT_TYPE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("housing", ("安置房", "住房", "保障房", "棚户区", "公租房", "租赁", "REITs", "REITS")),
    ("renewal", ("改造", "更新", "平房", "老旧", "危旧", "号院", "提升")),
    ("transport", ("路", "桥", "号线", "线", "站", "地铁", "铁路", "交通", "自动驾驶")),
    ("ecology", ("公园", "湿地", "绿地", "治理", "河", "渠", "水", "生态", "森林", "绿道")),
    ("industrial", ("产业园", "科技园", "园区", "地块", "基地", "集聚区", "医谷", "工场", "街区", "园")),
    ("facility", ("学校", "小学", "中学", "医院", "图书馆", "中心", "馆", "广场", "万象汇", "大悦城", "院", "店",
                  "孵化器")),
)


@dataclass
class Mention:
    start: int  # offsets into the sentence's text
    end: int
    surface: str
    kind: str  # place / organization / policy / project
    type: str
    source: str  # which rule found it: suffix, quote, title, gazetteer, register, list
    status: str | None = None
    cue: str | None = None


@dataclass
class Token:
    start: int
    end: int
    text: str
    boundary: bool


def tokens(tk: jieba.Tokenizer, clause: str, offset: int) -> list[Token]:
    """jieba tokens of a clause, quoted stretches kept whole, each marked boundary or not."""
    out: list[Token] = []
    pos = 0
    for m in QUOTED.finditer(clause):
        out += _plain_tokens(tk, clause[pos:m.start()], offset + pos)
        out.append(Token(offset + m.start(), offset + m.end(), m.group(), False))
        pos = m.end()
    out += _plain_tokens(tk, clause[pos:], offset + pos)
    return out


def _plain_tokens(tk: jieba.Tokenizer, text: str, offset: int) -> list[Token]:
    return _name_verbs(_cut_tokens(tk, text, offset))


NAME_VERBS = frozenset({"开发", "开放", "运营", "对接"})  # verbs that also name what a platform does (设计开发平台)
NAME_HEADS_AFTER = ("平台", "中心", "实验室", "基地", "公司", "基金")


def _name_verbs(toks: list[Token]) -> list[Token]:
    """A verb right before a platform noun, or one word before it, is part of the name (RISC-V芯片敏捷设计开发平台,
    6G端到端开放试验平台), not the boundary of one."""
    out = list(toks)
    for i, t in enumerate(out):
        if not (t.boundary and t.text in NAME_VERBS) or i == 0 or out[i - 1].boundary:
            continue
        nxt = out[i + 1:i + 3]
        if nxt and (nxt[0].text.endswith(NAME_HEADS_AFTER) or len(nxt) == 2 and not nxt[0].boundary
                    and nxt[1].text.endswith(NAME_HEADS_AFTER)):
            out[i] = Token(t.start, t.end, t.text, False)
    return out


def _cut_tokens(tk: jieba.Tokenizer, text: str, offset: int) -> list[Token]:
    out, pos = [], 0
    for word in tk.cut(text, HMM=False):
        boundary = (word in lex.BOUNDARY_WORDS or word in "、“”《》()（）—" or word.isspace()
                    or (len(word) >= 3 and word[-2:] in lex.BOUNDARY_WORDS and word[:2] not in lex.BOUNDARY_WORDS))
        if word == "条" and out and COUNT_NUMBER.fullmatch(out[-1].text) and len(out) >= 2 and not out[-2].boundary:
            out[-1] = Token(out[-1].start, offset + pos + 1, out[-1].text + word, False)  # 创新平台|15条: a title
        else:
            out.append(Token(offset + pos, offset + pos + len(word), word, boundary))
        pos += len(word)
    return out


COUNT_NUMBER = re.compile(r"[0-9]+|[一二三四五六七八九十]+")


def runs(toks: list[Token]) -> Iterator[list[Token]]:
    current: list[Token] = []
    for t in toks:
        if t.boundary:
            if current:
                yield current
            current = []
        else:
            current.append(t)
    if current:
        yield current


def _trim_start(run: list[Token]) -> list[Token]:
    """Drop leading numbers, measure words, years and generic modifiers (重点, 首批, 2023年)."""
    while run and (lex.BAD_START.match(run[0].text) or NUMBERISH.fullmatch(run[0].text)
                   or not run[0].text.strip() or run[0].text in ".．"):
        if len(run) > 1 and (run[0].text.isdigit() and run[1].text.startswith("号") or run[1].text == "级"):
            break  # 12号线, 82号院: the number is the name; 百亿级科创投资基金: its scale is part of it
        counted = NUMBERISH.fullmatch(run[0].text) and len(run) > 1 and run[1].text in MEASURE_WORDS
        run = run[2:] if counted else run[1:]  # 10万|管 核酸检测…: the measure word goes with its number
    return run


COUNT_AFTER = re.compile(r"[0-9]+(?:[个家处所座条项])")
MEASURE_WORDS = frozenset("个项家处条座所批类管台套栋间张辆名人")
QUANTITY = re.compile(r"[0-9.]+[万亿]?(?:平方米|公顷|亩|亿元|万元|公里|米|吨|管|个|处|所|家|栋)")
COUNTED_THINGS = ("路", "道路", "线路", "线", "河", "河道", "街", "巷", "渠", "沟")
MEASURES_COUNT = re.compile(r"[0-9一二三四五六七八九十百]+条$")
PHASE_TOKEN = re.compile(
    r"^(?:[一二三四五六七八九十0-9]+期(?:工程|项目)?|[东南西北]段|[A-Z]组团|剩余段|[(（][一二三四五六七八九十0-9]+期[)）])$"
)


def _suffix_candidate(text: str, run: list[Token]) -> Mention | None:
    """The longest stretch of a run that ends at a token end with a name suffix (and its phase)."""
    start = run[0].start
    for i in range(len(run) - 1, -1, -1):
        t = run[i]
        name = text[start:t.end]
        counted = MEASURES_COUNT.search(name)
        if counted and i == len(run) - 1 and len(name) > 4 and not name[:counted.start()].endswith(COUNTED_THINGS):
            return Mention(start, t.end, name, "policy", "measures", "suffix")  # 创新平台15条, not 道路25条
        found = lex.classify_suffix(name)
        if found is None or t.text in lex.NOT_NAME_ENDS:
            continue
        suffix, kind, typ = found
        if len(suffix) == 1 and not _names_place(t.text, suffix):
            continue
        if i > 1 and re.fullmatch("[A-Z]", run[i - 1].text) and PHASE_TOKEN.match(run[i - 1].text + t.text):
            continue  # 改造项目|A|组团: the phase of the project named before it
        if t.text in KNOWN_NAMES and t.start > start and _generic_words(text[start:t.start]):
            return None  # 新时代|中关村: a known name after generic words is the dictionary's to take
        if text.startswith("为", t.end) and suffix in ("改造", "更新", "整治"):
            continue  # 将上地医院改造为定点救治医院: the verb that turns it into another thing, not a project name
        if suffix in lex.TRADE_SUFFIXES and i < len(run) - 1:
            continue  # 金融服务科技创新…: a trade word inside a phrase; a firm's name ends its run (灵汐科技、)
        if run[0].text.startswith("“") and SPATIAL_SLOGAN.search(run[0].text) and i > 0:
            return None  # “一场一策”升级改造: works done by a method, not a named project
        if any(w.text.endswith("式") and w.text[0] not in "“《" for w in run[:i]):
            continue  # 联盟式教育集团, 花园式医院: a kind of thing, not a name (a name may end before it)
        if len(name) <= len(suffix) or name in lex.GENERIC_NAMES or (suffix == "区" and len(name) < 4):
            return None
        modifier = name[: len(name) - len(suffix)]
        numbered = suffix.startswith("号") and modifier.isdigit()  # 12号线
        if not numbered and _generic(modifier, run) or not specific(run[: i + 1], suffix, kind == "project"):
            return None
        if len(name) > 30 or QUANTITY.search(QUOTED.sub("", name)) or "又一" in name or "另一" in name:
            return None  # 19个小区74.2万平方米老旧小区改造, 10万管…实验室: an amount of work, not a name
        rest = name[len(run[0].text):len(name) - len(suffix)]
        quoted = run[0].text.startswith("“") and i > 0
        if suffix in ("工程", "项目") and quoted and (not rest or _generic(rest, run[1:])):
            kind, typ = "policy", "programme"  # “3个100”重点工程: a named list of projects is a programme
        end = _phase_end(run, i)
        if COUNT_AFTER.match(text, end) and text[start - 1:start] != "、":
            return None  # 新增社区养老服务驿站10家: things of a kind counted (not a list's total: A、B路6条)
        return Mention(start, end, text[start:end], kind, typ, "suffix")
    return None


def _phase_end(run: list[Token], i: int) -> int:
    """The end of the name that ends at run[i], with the phases after it (产业园 + 一期, 号线 + 南段, 项目 + A|组团):
    the phase stays in the surface."""
    end, j = run[i].end, i + 1
    while j < len(run):
        width = next((w for w in (1, 2) if PHASE_TOKEN.match("".join(t.text for t in run[j:j + w]))), 0)
        if not width or j + width > len(run):
            break
        end, j = run[j + width - 1].end, j + width
    return end


def _generic(modifier: str, run: list[Token]) -> bool:
    """True when a name's modifier is only generic words or numbers (重点项目, 城市道路, 2023年北区)."""
    if not modifier or ASCII_LETTER.search(modifier) or "“" in modifier:
        return False
    pos = 0
    for t in run:
        if pos >= len(modifier):
            break
        word = modifier[pos:pos + len(t.text)]
        pos += len(t.text)
        if not (word in lex.GENERIC_MODIFIERS or NUMBERISH.fullmatch(word)):
            return _generic_words(modifier)
    return True


@functools.lru_cache(maxsize=4096)
def _generic_words(text: str) -> bool:
    """Whether a text can be cut into generic words alone, whatever jieba made of it (稳|增长 → 稳增长)."""
    ok = [True] + [False] * len(text)
    for end in range(1, len(text) + 1):
        ok[end] = any(ok[start] and text[start:end] in lex.GENERIC_MODIFIERS for start in range(max(0, end - 6), end))
    return ok[-1]


DIRECTION_SUFFIX = re.compile(r"^[东南西北中内外上下前后][路街桥河区园村站]$")


def _names_place(token: str, suffix: str) -> bool:
    """A one-character suffix ends a name only as its own token (丽泽|路) or after a direction (香山|南路),
    not inside a common word (集成电路, 网络)."""
    return token == suffix or bool(DIRECTION_SUFFIX.match(token)) or token in KNOWN_NAMES or token in PLACE_WORDS \
        or (suffix == "局" and token.endswith(suffix) and token not in lex.NOT_BUREAUS)  # 银|保监局, 区|商务局


KNOWN_NAMES: set[str] = set()  # gazetteer and register names, filled by the extractor's dictionary


COMMON_FREQ = 200  # jieba frequency above which a word is ordinary vocabulary, not part of a proper name
COMMON_CHAR_FREQ = 5000  # a one-character word this frequent (多, 驻, 强) is ordinary, not part of a name (丽|泽)
COMMON_CHARS = set("大小新老的和与及等村镇区市县街路园城中东南西北上下内外前后高低多少全各其")
CJK = re.compile(r"^[\u4e00-\u9fff]$")
SECTOR_WORDS = frozenset(w for _name, cues in lex.SECTORS for w in cues)
FREQ: dict[str, int] = {}  # the tokenizer's word frequencies, set by the extractor
VOCABULARY: set[str] = set()  # rare words of common vocabulary (围挡, 简易楼), set by the extractor
PLACE_WORDS: set[str] = set()  # place names jieba knows that end in a place suffix (长安街), set by the extractor


def specific(tokens: list[Token], suffix: str, strict: bool = False) -> bool:
    """Whether a name holds something proper: a known name, letters or digits, a quotation, a rare
    word or an out-of-vocabulary character (丽|泽), or a sector term; 重点商业设施 holds none."""
    sector_words = SECTOR_WORDS
    text = "".join(t.text for t in tokens)
    body = text[: len(text) - len(suffix)] if text.endswith(suffix) else text
    if any(w in body for w in sector_words) or re.search(r"[A-Za-z0-9“《]|第[一二三四五六七八九十]", body):
        return True  # a sector term, letters, digits, quotes or an ordinal (第三图书馆) single a thing out
    content = [t.text for t in tokens if t.text != suffix and len(t.text) >= 2 and t.text not in lex.GENERIC_MODIFIERS]
    if len(tokens) >= 5 and len(content) >= 3:
        return True  # a long descriptive name (基因细胞药物产业孵化中心) names one thing
    singles = 0  # consecutive one-character words: jieba could not join them, an unknown name (朱|房)
    chars = 0  # the same, common characters included: three in a row are a name jieba does not know (西|小|营)
    for t in tokens:
        word = t.text
        if (word in KNOWN_NAMES or word in lex.COUNTRIES) and len(word) >= 2 or word in PLACE_WORDS:
            return True
        single = CJK.match(word) is not None and word != suffix
        odd = single and word not in COMMON_CHARS
        singles = singles + 1 if odd else 0
        chars = chars + 1 if single else 0
        if odd and (FREQ.get(word, 0) < COMMON_CHAR_FREQ or singles >= 2) or chars >= 3:
            return True
        if len(word) >= 2 and not word.endswith(suffix) and FREQ.get(word, 0) < COMMON_FREQ \
                and not (strict and word in VOCABULARY):  # 围挡治理, 简易楼改造: works of a kind, not one project
            return True
    return False


QUOTE_EVENT = re.compile(r"[^，,；;。、“”]{0,4}(?:季|节|活动|论坛|大赛|展览)")  # “海之春”新春文化季: an event
QUOTE_HEADS = ("的", "工作", "活动", "实习活动", "文化季", "对接会", "工作台账", "体系", "氛围", "智慧监管")
# a short quotation counting its parts is the name of a programme: “两区”, “一业一证”, “三线一单”, “十四五”
NUMBERED_SLOGAN = re.compile(r"“(?=[^”]*[一二三四五六七八九十两百千万])[^”]{2,6}”")
# a spatial layout (“三横两纵一带”, “两核一桥”) or a method per item (“一村一策”) is not a programme's name
SPATIAL_SLOGAN = re.compile(r"[横纵带核轴翼桥廊心]”|^“一.一策”$")


MODES = re.compile(r"、[^，,；;。]{0,20}?等[^，,；;。]{0,4}(?:模式|方式|手段|路径)")
NUMERAL = "[一二三四五六七八九十两]"
LAYOUT = re.compile(f"“{NUMERAL}[城山区园]{NUMERAL}[城山区园]”")


def _project_in_quote(quoted: str) -> str | None:
    """The name of a project written in quotes with its phase (力争“稻香湖再生水厂二期”实现通水)."""
    inner = quoted[1:-1]
    base = re.sub(r"[(（]?[一二三四五六七八九十0-9]+期[)）]?$", "", inner)
    found = lex.classify_suffix(base) if base != inner else None
    return base if found is not None and found[1] == "project" and len(base) > len(found[0]) + 1 else None


JOINED = re.compile(r"(?:成为|纳入|列入)(?:北京市|全市|市级|国家级?|全国)?$")


def _quote_candidate(text: str, run: list[Token]) -> Mention | None:
    """《…》 is a policy document; a quotation with nothing naming after it, a named programme."""
    quotes = [t for t in run if t.text[0] in "《“"]
    if not quotes:
        return None
    t = quotes[-1]
    if t.text.startswith("《"):
        return Mention(t.start, t.end, t.text, "policy", "document", "title")
    before = text[max(0, t.start - 4):t.start]
    inner = lex.classify_suffix(t.text[1:-1])
    if t.text.startswith("“") and inner is not None and inner[1] == "organization" and len(inner[0]) >= 2 \
            and len(t.text) >= 8:
        return Mention(t.start, t.end, t.text, inner[1], inner[2], "quote")  # 启动“…科创合作平台”
    if text.startswith(QUOTE_HEADS, t.end) or QUOTE_EVENT.match(text, t.end) or "%" in t.text:
        return None  # “类中关村”的氛围, “三个一批”工作, “菁才海淀”实习活动: the quotation qualifies another noun
    if MODES.match(text, t.end):
        return None  # 空间整理、“投资+孵化”、投贷联动等工作模式: a way of working listed, not a programme
    if LAYOUT.fullmatch(t.text) and not text.startswith("系列", t.end):
        return Mention(t.start, t.end, t.text, "place", "named-area", "quote")  # “三城一区”, “三山五园”: an area
    inner_name = _project_in_quote(t.text)
    if inner_name is not None:
        return Mention(t.start, t.end, t.text, "project", project_type(inner_name, "other"), "quote")
    if t.text[1:-1] in lex.NOT_PROGRAMMES or t.text[1:-1] in KNOWN_NAMES or SPATIAL_SLOGAN.search(t.text):
        return None
    if re.match(r"[0-9]", text[t.end:t.end + 1]) or re.match(r"“(?:19|20)[0-9]{2}年", t.text):
        return None  # “留白增绿”20.1公顷: an amount of work; “2024年国家先进制造业集群”: a list of one year
    joins = JOINED.search(text, 0, t.start)  # 成为北京市“夜京城”打卡地: a list things join is a programme
    if re.search(r"[0-9+]", t.text) or before.endswith(lex.PROGRAMME_VERBS) or NUMBERED_SLOGAN.fullmatch(t.text) \
            or joins is not None:
        return Mention(t.start, t.end, t.text, "policy", "programme", "quote")
    return None


def candidates(tk: jieba.Tokenizer, text: str) -> list[tuple[Mention, int, int]]:
    """(mention, clause start, clause end) for every suffix/quote candidate in a sentence's text."""
    found: list[tuple[Mention, int, int]] = []
    pos = 0
    for piece in [*CLAUSE_SEP.split(text)]:
        c_start, c_end = pos, pos + len(piece)
        pos = c_end + 1
        toks = tokens(tk, piece, c_start)
        found += [(m, c_start, c_end) for m in _policy_titles(text, toks) + _actors(text, c_start, c_end)]
        for run in runs(toks):
            run = _trim_start(run)
            while len(run) > 1 and run[0].text[0] == "“" and run[1].text[0] == "“":  # “海LINK”“薪火共燃”实训计划
                first = _quote_candidate(text, run[:1])
                if first is not None:
                    found.append((first, c_start, c_end))
                run = run[1:]
            if not run:
                continue
            m = _programme(text, run, toks) or _suffix_candidate(text, run) or _quote_candidate(text, run)
            if m is not None and text.startswith("——", run[-1].end):
                continue  # 试点银行——招商银行海淀支行: what stands before the dash describes the name after it
            if m is not None:
                _extend_bracket(text, m)
                found.append((m, c_start, c_end))
    return [(_planned_project(m), a, b) for m, a, b in found if not _a_kind_of_thing(text, m)]


LIST_CATEGORY = re.compile(r"等(?:[0-9一二三四五六七八九十百余多]+[个项处家所座条])?$")
def _a_kind_of_thing(text: str, m: Mention) -> bool:
    """金隅智造工场等REITS项目, 37个城市丽角项目, 一批科技金融服务驿站, 部分先行先试改革措施: after 等, a count or
    a partitive, a suffix names the kind of the things listed or counted, not one of them."""
    if PARTITIVE.search(text, 0, m.start):
        return True  # 部分先行先试改革措施: some of a kind
    if m.kind == "policy" and (m.surface[:-2].endswith(("具体", "相关")) or text.startswith(INSTANCES, m.end)):
        return True  # 专项行动具体措施: the measures of a thing; 先使用后付费试点案例: cases of a pilot
    if m.source != "suffix" and m.source != "title":
        return False
    if m.kind == "policy":  # 行动计划等针对性营商政策; 北区0116等7个街区控规 counts the titled one in
        return text[:m.start].endswith("等")
    return bool(LIST_CATEGORY.search(text, 0, m.start) or COUNTED_CLASS.search(text, 0, m.start))


PARTITIVE = re.compile(r"(?:部分|一些|各项|多项)$")
INSTANCES = ("案例", "经验", "成果", "举措")
COUNTED_CLASS = re.compile(r"(?:[0-9一二三四五六七八九十百]+[个处条所家项座批类]|一批|一大批|多个|各类|若干)$")
PLAN_OF = re.compile(r"(?:规划设计方案|设计方案|规划|方案|试点)$")
PROJECT_LIKE = ("project", "?")


def _planned_project(m: Mention) -> Mention:
    """The plan of a project is the project being planned (推动清华医学园区规划, 研究地铁19号线支线北延方案,
    完成B组团规划设计方案), and the pilot of a park the park (推进翠湖生态公园试点建设); a plan of building
    (国家植物园建设方案) stays a plan."""
    tail = PLAN_OF.search(m.surface)
    if m.kind != "policy" or tail is None:
        return m
    base = m.surface[:tail.start()]
    found = lex.classify_suffix(base)
    if found is None or len(base) <= len(found[0]) or not (
            found[1] in PROJECT_LIKE or found[2] in ("named-area", "metro-line") and found[0] != "地区"):
        return m
    planned = tail.group() != "试点"  # the pilot of a park is its building, dated by the clause's verbs
    return Mention(m.start, m.start + len(base), base, "project", project_type(base, "other"), "suffix",
                   "planned" if planned else None, tail.group() if planned else None)


# Organizations named by what they do, not by a suffix: a co-founder (联合中国诚通发起设立…), a Latin name glossed
# in brackets as an institution (MededHolding(中东财团机构)).
CO_FOUNDER = re.compile(r"(?<=联合)[^，,；;。、“”\s]{2,8}?(?=发起设立|共同设立|共同发起|发起成立)")
GLOSSED = re.compile(r"[A-Za-z][A-Za-z0-9&.\-]{3,40}(?=[(（][^()（）]{1,10}(?:机构|公司|集团|财团|基金|银行)[)）])")


def _actors(text: str, start: int, end: int) -> list[Mention]:
    out = []
    for pattern in (CO_FOUNDER, GLOSSED):
        for m in pattern.finditer(text, start, end):
            name = m.group()
            if not _generic_words(name) and not any(w in name for w in lex.BOUNDARY_WORDS if len(w) > 1):
                out.append(Mention(m.start(), m.end(), name, "organization", "enterprise", "actor"))
    return out


TITLE_STOP = frozenset({"推动", "打造", "支持", "组织", "召开", "举办", "做好", "统一", "一批", "实现", "突破", "力争",
                        "抓好", "范围内"})


NOT_BUILT = ("体系", "矩阵", "机制", "价值观")  # what is built up is a system or an idea, not a named programme


def _programme(text: str, run: list[Token], toks: list[Token]) -> Mention | None:
    """实施美丽乡村建设, 推进国际消费中心城市建设: a programme verb, a name without a place or project
    suffix, and 建设 is a named programme of building, not a project."""
    at = toks.index(run[-1])
    before = text[max(0, run[0].start - 4):run[0].start]
    if at + 1 >= len(toks) or toks[at + 1].text != "建设" or not before.endswith(lex.PROGRAMME_VERBS):
        return None
    last = lex.classify_suffix(run[-1].text)
    if last is not None and _names_place(run[-1].text, last[0]) or len(text[run[0].start:run[-1].end]) < 3:
        return None
    if any(PHASE_TOKEN.match(t.text) for t in run):
        return None  # 启动上庄再生水厂（二期）建设: a phase belongs to a project, not to a programme
    inner = lex.classify_suffix(run[-1].text.strip("“”"))
    if len(run) == 1 and run[0].text.startswith("“") and inner is not None and inner[1] in ("place", "project", "?") \
            and len(run[0].text) >= 6:
        t = run[0]  # 启动“海淀AI原点社区”建设: a quoted place that is built is a project
        return Mention(t.start, t.end, t.text, "project", project_type(t.text, "other"), "quote")
    if run[-1].text in KNOWN_NAMES and len(run) > 1:
        return None  # 推进健康海淀建设: a place qualified by a slogan, not a programme
    if _generic(text[run[0].start:run[-1].end], run) or run[-1].text.endswith(NOT_BUILT):
        return None  # 推进配套设施建设: building in general, no programme; 托育服务体系建设: a mechanism
    if any((lex.classify_suffix(t.text) or ("", "", ""))[2] == "named-area" and len(t.text) >= 3 for t in run[:-1]):
        return None  # 推进一道绿隔地区城市化建设: the place is the name, its building no programme
    end = toks[at + 1].end
    return Mention(run[0].start, end, text[run[0].start:end], "policy", "programme", "programme")


def _policy_titles(text: str, toks: list[Token]) -> list[Mention]:
    """Policy titles that hold verbs: from a policy suffix back to the verb that takes the policy."""
    out: list[Mention] = []
    for i, t in enumerate(toks):
        suffix = next((sfx for sfx in lex.POLICY_SUFFIXES if t.text.endswith(sfx)), None)
        followed = i + 1 < len(toks) and not toks[i + 1].boundary and toks[i + 1].text[0] not in "（("
        if suffix is None or t.boundary or followed:
            continue
        j = i
        # the word right before the suffix belongs to the title even when it is a verb (…发展支持办法)
        while j > 0 and (toks[j - 1].text not in lex.POLICY_LEFT or j == i) and toks[j - 1].text not in "、“”《》，," \
                and not toks[j - 1].text.isspace() \
                and (toks[j - 1].text not in TITLE_STOP or j == i):
            j -= 1
        run = _trim_start(toks[j:i + 1])
        if not run:
            continue
        name = text[run[0].start:t.end]
        modifier = name[: len(name) - len(suffix)]
        if len(modifier) >= 4 and name not in lex.GENERIC_NAMES and not _generic(modifier, run) \
                and (specific(run, suffix) or len(modifier) >= 8) and len(name) <= 40:  # long titles name one policy
            kind_type = lex.classify_suffix(name)
            typ = kind_type[2] if kind_type and kind_type[1] == "policy" else "plan"
            out.append(Mention(run[0].start, t.end, name, "policy", typ, "title"))
    return out


def _extend_bracket(text: str, m: Mention) -> None:
    """Keep a short bracketed qualifier that follows a name: 产业园（海淀）, 计划（2024—2028年）."""
    tail = BRACKET_TAIL.match(text[m.end:])
    if tail:
        m.end += tail.end()
        m.surface = text[m.start:m.end]


def dictionary_mentions(pattern: re.Pattern[str] | None, kinds: dict[str, tuple[str, str]], text: str) -> list[Mention]:
    """Gazetteer and register names, longest first, wherever they stand."""
    if pattern is None:
        return []
    out = []
    for m in pattern.finditer(text):
        kind, typ = kinds[m.group()]
        out.append(Mention(m.start(), m.end(), m.group(), kind, typ, "dictionary"))
    return out


def flat_longest(mentions: list[Mention]) -> list[Mention]:
    """Drop every mention that lies inside (or overlaps and is shorter than) another one."""
    ordered = sorted(mentions, key=lambda m: (-(m.end - m.start), m.start, m.source != "dictionary"))
    kept: list[Mention] = []
    for m in ordered:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def project_type(name: str, fallback: str) -> str:
    """The type whose word stands last in the name (集成电路设计园: 园 after 路 → industrial)."""
    if fallback not in ("other", "?"):
        return fallback
    best, best_end = "other", -1
    for typ, words in PROJECT_TYPE_WORDS:
        for w in words:
            at = name.rfind(w)
            if at >= 0 and at + len(w) > best_end:
                best, best_end = typ, at + len(w)
    return best


CUE_PATTERN = re.compile("|".join(re.escape(c) for c, _s in sorted(lex.STATUS_CUES, key=lambda c: -len(c[0]))))
CUE_STATUS = dict(lex.STATUS_CUES)
# a cue that a plan, programme or platform noun follows is part of a name (数据运营平台, 国家植物园建设方案)
NAME_HEADS = tuple(sorted({s for s, kind, _t in lex.SUFFIXES if kind in ("policy", "organization") and len(s) >= 2}
                          | {"中心", "系统"}))


@functools.lru_cache(maxsize=4096)
def cues_in(clause: str) -> tuple[tuple[int, int, str, str], ...]:
    """(start, end, cue, status) of every status cue in a clause, the longest cue at each position."""
    return tuple((m.start(), m.end(), m.group(), CUE_STATUS[m.group()]) for m in CUE_PATTERN.finditer(clause)
                 if not clause.startswith(NAME_HEADS, m.end()))



INITIATORS = {"启动": "started", "力争": "planned", "谋划": "planned", "规划": "planned", "选址": "planned"}


def status_near(clause: str, start: int, end: int) -> tuple[str, str] | None:
    """The status cue after a mention in its clause, else the nearest one before it; an initiator
    before the mention (启动 X 建设, 力争 X 开通) decides over a plain 建设/推进 after it."""
    cues = cues_in(clause)
    after = [c for c in cues if c[0] >= end and not _other_verb(clause[end:c[0]])]
    before_cues = [c for c in cues if c[1] <= start]
    lead = next((c for c in reversed(before_cues) if c[2] in INITIATORS), None)
    if lead is not None and (not after or after[0][3] in ("under-way", "planned")):
        return INITIATORS[lead[2]], lead[2]
    if after:
        return after[0][3], after[0][2]
    before = [c for c in cues if c[1] <= start]
    return (before[-1][3], before[-1][2]) if before else None


def _other_verb(gap: str) -> bool:
    """Whether a verb of its own stands between a mention and a later cue (X培育落地Y, X形成…落地): the cue
    then speaks of another thing."""
    return any(w in gap for w in GAP_VERBS)


GAP_VERBS = ("培育", "形成", "带动", "吸引", "引进", "促进", "助力", "获得")
ONGOING = ("加快", "在施", "续建", "提速", "按节奏")
MILESTONES = frozenset({"started", "completed", "opened"})


def plan_status(clause: str, start: int, end: int, status: str | None) -> str:
    """The status of a project in the part about the plan year: a promise (planned), except what the plan
    says is already built and lived in (建成入住) or what it keeps going (加快推进 X, 在施项目, X 建设提速)."""
    if "建成入住" in clause[end:end + 12] or "已建成" in clause[max(0, start - 4):start]:
        return "completed"
    if status in MILESTONES:
        return "planned"  # 推动 X 开工, 力争 X 开通: a milestone still to come
    return "under-way" if any(w in clause for w in ONGOING) else "planned"


def near_cue(clause: str, start: int, end: int) -> tuple[str, str] | None:
    """A status cue right after a mention (≤ 8 characters on) or right before it (≤ 4 characters)."""
    cues = [c for c in cues_in(clause) if c[2] not in lex.WORK_CUES]
    after = [c for c in cues if 0 <= c[0] - end <= 8 or c[0] > end and _list_gap(clause[end:c[0]])]
    if after:
        return after[0][3], after[0][2]
    before = [c for c in cues if 0 <= start - c[1] <= 4]
    return (before[-1][3], before[-1][2]) if before else None


COUNTED_RIVERS = re.compile(r"^[0-9一二三四五六七八九十百]+条")
SITE_CUES = frozenset({"选址", "立项", "主体结构", "结构施工", "封顶", "主体结构封顶", "主体完工", "建设"})
LIST_LINKS = frozenset({"等", "和", "及", "以及", "与"})


def _list_gap(gap: str) -> bool:
    """Whether the text between a mention and a cue is only the rest of its list (、B、C等 …): the cue then
    speaks of every item (A、B、C结构施工)."""
    return gap.startswith("、") and len(gap) <= 40 and not any(
        w in gap for w in lex.BOUNDARY_WORDS if len(w) > 1 and w not in LIST_LINKS)


SITE_TYPES = ("park", "green-space", "wetland", "industrial-park", "river", "channel")


def settle_kind(m: Mention, text: str, c_start: int, c_end: int) -> None:
    """Decide between place, organization and project from the verbs of the clause."""
    clause = text[c_start:c_end]
    local_start, local_end = m.start - c_start, m.end - c_start
    before = clause[:local_start]
    cue = near_cue(clause, local_start, local_end)
    if m.kind == "?":
        if m.type in ("hospital", "platform", "other"):  # 中心, 医院, 分校: built = project, else organization
            builds = _last_verb(before) in BUILD_BEFORE or (
                cue is not None and (cue[0] not in ("under-way", "planned") or cue[1] in SITE_CUES)
                and _last_verb(before) not in FOUND_BEFORE)
            m.kind, m.type = ("project", "facility") if builds else ("organization", m.type)
        else:
            verb = _last_verb(before)  # a park built by a verb before it, across the list it heads, is a project
            built = cue is not None and m.type != "station" or verb in BUILD_BEFORE and _governs(before, verb)
            m.kind = "project" if built else "place"
            if m.kind == "project":
                m.type = project_type(m.surface, "other")
    elif m.kind == "place" and m.type == "named-area" and cue is not None and cue[0] in MILESTONES \
            and cue[1] not in ("完成", "落地") and local_end <= clause.find(cue[1]) and not before.endswith("在"):
        m.kind, m.type = "project", project_type(m.surface, "other")  # 医学院北区投入使用: a campus that opens
    elif m.kind == "place" and m.type in SITE_TYPES:  # a park or a park of industry that is built
        verb = _last_verb(before)
        rest = clause[local_end:]
        counted = COUNTED_RIVERS.match(_after_list(rest))  # 南沙河、清河等8条河道…治理: the sites
        # 金河、北旱河、万泉河三山五园水系治理: rivers listed before the works on the waters are their sites
        counted = counted or m.type in ("river", "channel") and rest.startswith("、") and "治理" in rest
        if not counted and (cue is not None or verb in BUILD_BEFORE and _governs(before, verb)):
            m.kind, m.type = "project", project_type(m.surface, "other")
    elif m.kind == "place" and m.type in ("road", "metro-line", "station"):
        # a road is a project when the clause builds or opens a road, not when it is a landmark (X路口, X沿线)
        if any(c in clause for c in TRANSPORT_CUES) and not ROAD_AS_PLACE.match(_after_list(clause[local_end:])):
            m.kind, m.type = "project", "transport"
    elif m.kind == "organization" and m.type in ("research-institute",) and _last_verb(before) in BUILD_BEFORE:
        m.kind, m.type = "project", "facility"
    if m.kind == "project":  # its status is read later, from the clause with the other names blanked out
        m.type = project_type(m.surface, m.type)


def _governs(before: str, verb: str) -> bool:
    """Whether a build verb still governs the name after it: close to it (启动建设…X), or across a list it
    heads (建设全国首家量子科技孵化器和全市首家量子科技产业园)."""
    gap = before[before.rfind(verb) + len(verb):]
    return len(gap) < 12 or len(gap) < 24 and ("和" in gap or "、" in gap)


def _after_list(rest: str) -> str:
    """The text after the list a mention begins (、学院路等周边地区 → 周边地区)."""
    if rest.startswith("等"):
        return rest[1:]
    if not rest.startswith("、"):
        return rest
    tail = rest.split("等", 1)
    return tail[1] if len(tail) == 2 and "，" not in tail[0] and len(tail[0]) <= 40 else rest


def _last_verb(before: str) -> str | None:
    """The last build or found verb in the text before a mention (启动建设具有…的X → 启动建设)."""
    best: tuple[int, str] | None = None
    for verb in (*BUILD_BEFORE, *FOUND_BEFORE):
        at = before.rfind(verb)
        if at >= 0 and (best is None or (at + len(verb), len(verb)) > (best[0], len(best[1]))):
            best = (at + len(verb), verb)
    return best[1] if best else None


def propagate_lists(mentions: list[Mention], text: str) -> list[Mention]:
    """Items of a 、 list without a suffix take their neighbours' kind; 等…项目 makes them projects."""
    out = list(mentions)
    for m in mentions:
        if m.kind != "project":
            continue
        out += _list_items_before(text, m)
    tail_items = _list_before_tail(text)
    projects = [i for i in tail_items if i.kind == "project"]
    # 畅春园食街等30个城市更新项目: the list's category outranks what a suffix or the dictionary guessed
    out = [m for m in out if m.kind not in ("place", "organization") or m.type in ("river", "channel")
           or not any(i.start <= m.start and m.end <= i.end and i.source == "tail" for i in projects)]
    first = [i for i in tail_items if i.source == "tail" or i.kind != "project"]
    # first: at equal spans the list's category wins (flat_longest is stable); 代建道路 leaves roads as they are
    out = first + out + [i for i in tail_items if i not in first]
    out += _list_before_cue(text)
    return flat_longest(out)


def _list_items_before(text: str, m: Mention) -> list[Mention]:
    """Bare names listed with 、 right before a project mention (A、B、C项目)."""
    items: list[Mention] = []
    pos = m.start
    while pos >= 2 and (text[pos - 1] == "、" or text[pos - 1] == "和" and pos == m.start):
        end = pos - 1
        start = end
        while start > 0 and not CLAUSE_SEP.match(text[start - 1]) and text[start - 1] not in "、和" \
                and end - start < 14:
            start -= 1
        name = text[start:end]
        words = [w for w in lex.BOUNDARY_WORDS if len(w) > 1 and w in name]
        if words:  # 完成福缘门和挂甲屯一期腾退改造: the first item carries the verb before it
            cut = max(name.rfind(w) + len(w) for w in words)
            start, name = start + cut, name[cut:]
        if not (2 <= len(name) <= 14) or NUMBERISH.fullmatch(name) or COUNTED.search(name) or _generic_words(name):
            break
        site = lex.classify_suffix(name)
        if site is not None and site[2] in ("river", "channel") and len(name) <= 5:
            items.append(Mention(start, end, name, "place", site[2], "list"))  # 金河、北旱河…水系治理: the sites
        else:
            items.append(Mention(start, end, name, "project", project_type(name, "other"), "list", m.status, m.cue))
        if words:
            break
        pos = start
    return items


WEAK_CUES = frozenset({"预计", "建设", "推进", "推动", "加快推进", "完成", "运营", "签约", "纳入", "规划", "上报",
                       "申报"})
COUNTED = re.compile(r"[0-9一二两三四五六七八九十百]+[个条所项处家座]")


def _works_follow(text: str, at: int) -> bool:
    """Whether the clause after a plain 完成 ends in the works it completes (完成“一场一策”升级改造)."""
    end = CLAUSE_SEP.search(text, at)
    return text[at:end.start() if end else len(text)].endswith(("改造", "修缮", "整治", "提升"))


def _list_before_cue(text: str) -> list[Mention]:
    """A list of bare names right before a status cue is a list of projects (A、B、C完成改造)."""
    items: list[Mention] = []
    for c_start, c_end, cue, status in cues_in(text):
        if cue in lex.WORK_CUES or cue in WEAK_CUES and not (cue == "完成" and _works_follow(text, c_end)):
            continue
        start = c_start
        while start > 0 and not CLAUSE_SEP.match(text[start - 1]) and c_start - start < 60:
            start -= 1
        names = text[start:c_start].split("、")
        if len(names) < 2 or c_start == start:
            continue
        words = [w for w in lex.BOUNDARY_WORDS if len(w) > 1 and w in names[0]]
        if words:  # the first item carries the verb before it
            cut = max(names[0].rfind(w) + len(w) for w in words)
            start, names[0] = start + cut, names[0][cut:]
        names[-1] = names[-1].split("等")[0]
        if not all(2 <= len(n) <= 12 and not any(w in n for w in lex.BOUNDARY_WORDS if len(w) > 1)
                   and not COUNTED.search(n) for n in names):
            continue
        pos = start
        for name in names:
            items.append(Mention(pos, pos + len(name), name, "project", project_type(name, "other"), "list",
                                 status, cue))
            pos += len(name) + 1
    return items


CATEGORY_TAIL = re.compile(
    r"等(?:[0-9一二三四五六七八九十百余多]+[个项处条座家所宗])?(?!领域)"
    r"(?:[^，,；;。、等]{0,3}?|(?=[^，,；;。等]{4,14}(?:项目|工程)|[^，,；;。等]{4,6}企业)[^，,；;。等]{4,14}?)(?P<cat>"
    + "|".join(sorted((re.escape(c) for c, _k, _t in lex.LIST_CATEGORIES), key=len, reverse=True)) + ")")


TAIL_QUALIFIERS = frozenset({"一批", "一大批", "全国", "全市", "全区", "首批"})  # 等全国重点实验室: still the category
TAIL_HEADS = ("中心", "平台", "企业", "机构", "高校", "医院", "领域", "行业")
TAIL_SITES = re.compile(r"^[0-9一二三四五六七八九十百余多]*[个项处条座家所宗]?(?:区域|点位|周边|沿线|地区|重点区域)")


def _names_its_items(gap: str) -> bool:
    """Whether the words between 等 and the category leave the items as its members: not when they are the
    sites of the work (东西红门等区域绿化工程), or when another head noun stands between (等5个概念验证中心…项目)."""
    if TAIL_SITES.match(gap):
        return False
    return not any(h in gap for h in TAIL_HEADS) and not any(
        w in gap for w in lex.BOUNDARY_WORDS if len(w) > 1 and w not in TAIL_QUALIFIERS)


TAIL_ITEM = 22  # the longest item of a list closed by 等…<category> (中关村翠湖科技园人工智能创新应用产业园 is 19)


def _builds_roads(text: str, at: int) -> bool:
    """Whether the clause around ``at`` builds or opens roads."""
    start = max((m.end() for m in CLAUSE_SEP.finditer(text, 0, at)), default=0)
    end = CLAUSE_SEP.search(text, at)
    return any(c in text[start:end.start() if end else len(text)] for c in TRANSPORT_CUES)


def _list_before_tail(text: str) -> list[Mention]:
    """Items of a list closed by 等…<category>: 朱房、西山等5个城中村 → villages, A、B等项目 → projects."""
    kinds = {c: (k, t) for c, k, t in lex.LIST_CATEGORIES}
    items: list[Mention] = []
    for tail in CATEGORY_TAIL.finditer(text):
        kind, typ = kinds[tail.group("cat")]
        if typ == "transport" and not _builds_roads(text, tail.start()):
            kind, typ = "place", "road"  # 王庄路、田村东路等12条代建道路移交接养: roads handed over, not built
        if not _names_its_items(text[tail.start() + 1:tail.start("cat")]):
            continue
        end = tail.start()
        while end > 0:
            start = end
            while start > 0 and not CLAUSE_SEP.match(text[start - 1]) and text[start - 1] not in "、等和" \
                    and end - start < TAIL_ITEM:
                start -= 1
            name = text[start:end]
            words = [w for w in lex.BOUNDARY_WORDS if len(w) > 1 and w in name]
            if words:  # the first item carries the verb before it: keep what follows the last verb
                cut = max(name.rfind(w) + len(w) for w in words)
                start, name = start + cut, name[cut:]
            if 2 <= len(name) <= TAIL_ITEM and not NUMBERISH.fullmatch(name) and not name.endswith(lex.EVENT_ENDS):
                t = project_type(name, typ) if kind == "project" else typ
                source = "tail" if kind == "project" and typ != "transport" else "list"  # 代建道路: roads stay
                items.append(Mention(start, end, name, kind, t, source))
            if text[max(0, start - 2):start] == "以及":  # A、B以及C等: the list goes on before 以及
                end = start - 2
                continue
            if start == 0 or text[start - 1] != "、" or words:
                break
            end = start - 1
    return items
