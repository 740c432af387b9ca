"""Generic word lists for prose extraction: name suffixes, boundary words, status and sector cues.

Nothing here names a thing of one report: the lists are the ordinary vocabulary of Chinese government
work reports (verbs, function words, the suffixes that end names), so a report never seen before is
read with the same rules. The jieba tokenizer is built once per process, with the gazetteer, the
register and the suffix words as its user dictionary, and its prefix dictionary cached on disk.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import re
import threading
from pathlib import Path

import jieba


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# (suffix, kind, type): the longest matching suffix classifies a candidate name. "?" = decided by context.
SUFFIXES: tuple[tuple[str, str, str], ...] = (
    # places: divisions and settlements
    ("街道", "place", "street"), ("地区", "place", "named-area"), ("镇", "place", "town"),
    ("乡", "place", "township"), ("村", "place", "village"), ("自然村", "place", "village"),
    ("社区", "place", "community"),
    # places: nature and transport
    ("公园", "?", "park"), ("湿地", "?", "wetland"), ("绿地", "?", "green-space"), ("森林", "?", "green-space"),
    ("河", "?", "river"), ("渠", "?", "channel"), ("湖", "?", "river"), ("沟", "?", "channel"),
    ("路", "place", "road"), ("大街", "place", "road"), ("街", "place", "road"), ("桥", "place", "road"),
    ("环路", "place", "road"), ("高速", "place", "road"), ("号线", "place", "metro-line"),
("站", "place", "station"), ("火车站", "?", "station"),
    ("商务区", "place", "business-district"), ("区", "place", "named-area"), ("园", "?", "industrial-park"),
    ("商贸城", "?", "business-district"), ("商城", "?", "business-district"), ("枢纽", "project", "transport"),
    ("院区", "project", "facility"), ("分院", "?", "other"), ("校区", "?", "other"), ("分校", "?", "other"),
    ("更新", "project", "renewal"), ("整治", "project", "renewal"),
    ("商圈", "place", "business-district"), ("商业区", "place", "business-district"),
    ("产业园", "?", "industrial-park"), ("科技园", "?", "industrial-park"), ("园区", "?", "industrial-park"),
    ("科技园区", "?", "industrial-park"), ("产业园区", "?", "industrial-park"), ("创新园", "?", "industrial-park"),
    ("小镇", "place", "named-area"), ("新区", "place", "named-area"), ("北区", "place", "named-area"),
    ("南区", "place", "named-area"), ("东区", "place", "named-area"), ("西区", "place", "named-area"),
    ("先行区", "place", "named-area"), ("片区", "place", "named-area"), ("组团", "place", "named-area"),
    ("科学城", "place", "named-area"), ("集聚区", "project", "industrial"), ("示范区", "policy", "programme"),
    # organizations
    ("平台", "organization", "platform"), ("院", "organization", "research-institute"),
    ("局", "organization", "government"),
    ("中心", "?", "platform"), ("研究院", "organization", "research-institute"),
    ("研究所", "organization", "research-institute"), ("实验室", "organization", "research-institute"),
    ("科学院", "organization", "research-institute"), ("大学", "organization", "university"),
    ("学院", "organization", "university"), ("医院", "?", "hospital"), ("公司", "organization", "enterprise"),
    ("集团", "organization", "enterprise"), ("联盟", "organization", "alliance"), ("协会", "organization", "alliance"),
    ("商会", "organization", "alliance"), ("基金", "organization", "other"), ("智库", "organization", "other"),
    ("银行", "organization", "enterprise"), ("科技", "organization", "enterprise"),
    ("软件", "organization", "enterprise"),
    ("生物", "organization", "enterprise"), ("机电", "organization", "enterprise"),
    ("股份", "organization", "enterprise"),
    ("控股", "organization", "enterprise"), ("使馆", "organization", "government"),
    ("代表团", "organization", "other"), ("支行", "organization", "enterprise"),
    ("委员会", "organization", "government"),
    ("政府", "organization", "government"), ("国务院", "organization", "government"),
    ("办公室", "organization", "government"),
    ("孵化器", "project", "facility"), ("加速器", "project", "facility"),
    # policies
    ("行动计划", "policy", "plan"), ("计划", "policy", "programme"), ("方案", "policy", "plan"),
    ("规划", "policy", "plan"),
    ("控规", "policy", "plan"), ("措施", "policy", "measures"), ("办法", "policy", "measures"),
    ("意见", "policy", "measures"), ("实施意见", "policy", "measures"), ("条例", "policy", "document"),
    ("政策", "policy", "measures"), ("指南", "policy", "measures"), ("试点", "policy", "programme"),
    ("改革", "policy", "reform"), ("行动", "policy", "programme"), ("战略", "policy", "programme"),
    # projects
    ("项目", "project", "other"), ("工程", "project", "other"), ("地块", "project", "industrial"),
    ("安置房", "project", "housing"), ("集租房", "project", "housing"), ("保租房", "project", "housing"),
    ("租赁房", "project", "housing"), ("保障房", "project", "housing"), ("公租房", "project", "housing"),
    ("棚户区改造", "project", "housing"), ("改造", "project", "renewal"), ("学校", "project", "facility"),
    ("小学", "project", "facility"), ("中学", "project", "facility"), ("幼儿园", "project", "facility"),
    ("图书馆", "project", "facility"), ("博物馆", "project", "facility"), ("体育馆", "project", "facility"),
    ("文化馆", "project", "facility"), ("广场", "project", "facility"), ("综合体", "project", "facility"),
    ("号院", "project", "renewal"), ("驿站", "project", "facility"), ("治理", "project", "ecology"),
    ("水厂", "project", "facility"), ("福利院", "project", "facility"), ("养老院", "project", "facility"),
    ("大厦", "project", "facility"), ("万象汇", "project", "facility"), ("大悦城", "project", "facility"),
    ("店", "project", "facility"), ("会址", "project", "facility"), ("聚集区", "project", "industrial"),
    ("街区", "project", "industrial"), ("综合保税区", "project", "industrial"), ("综保区", "project", "industrial"),
    ("保税区", "project", "industrial"), ("系统", "?", "platform"),
    ("北延", "project", "transport"), ("南延", "project", "transport"), ("东延", "project", "transport"),
    ("西延", "project", "transport"),
    ("医谷", "project", "industrial"), ("工场", "project", "industrial"), ("基地", "project", "industrial"),
)

# Words that end a name on its left: verbs, adverbs and function words of report prose.
BOUNDARY_WORDS = _words("""
推进 推动 加快 加速 建设 启动 完成 实现 支持 打造 成立 组建 发布 出台 制定 落实 开工 建成 开通 依托 围绕 引进 引入
举办 加入 形成 布局 培育 编制 印发 实施 深化 开展 聚焦 提升 持续 积极 全力 有序 稳步 做好 高标准 高质量 全面 深入
进一步 着力 大力 加强 强化 优化 完善 健全 构建 搭建 建立 创建 探索 谋划 推出 研究 研提 研制 吸引 促成 促进 带动 助力
保障 服务保障 承接 对接 联合 牵头 参与 发起 设立 新增 新建 改建 扩建 续建 复建 新开 开放 开业 开园 投用 投入 运营
正式 基本 如期 顺利 年底 年内 当年 全年 首批 首个 首家 全国 全市 全区 首届 累计 其中 其 以 在 与 和 及 以及 等 的 为
将 对 向 从 由 于 至 到 把 被 让 使 并 并且 同时 还 也 已 已经 均 都 共 共计 达 达到 超过 超 约 近 余 个 项 家 处 条
座 所 批 类 场 期 次 是 有 被 获 获批 获评 入选 成为 作为 通过 按照 根据 结合 立足 加大 扩大 落地 选址 签约 签署
入驻 集聚 汇聚 引导 鼓励 力争 确保 争取 预计 拟 谋划 筹备 持续推进 加快推进 有序推进 稳步推进 全力推进 积极推进
扎实推进 深入推进 统筹 统筹推进 共建 提供 开设 增设 设置 新设 挂牌 揭牌 上线 试运行 推广 安排 组织 申报 用好 发行
提高 办好 覆盖 入住 拆除 清理 储备 适度 超前 充分 拓展 拓宽 走访 办结 推行 包括 成功 首次 获得 取得 发挥 实行 开发
打通 启用 建成投用 投入使用 正式开通 开工建设 完成改造 主体完工 基本完工 具有 影响力 全球 国际首个 全国首家 全市首家
全市首个 全国首个 一批 一大批 多个 各类 各级 相关 部分 新一轮 年度 上半年 下半年 目前 今年 明年 去年 分别 逐步 不断
加快建设 推动建设 支持建设 启动建设 有效 显著 明显
深入开展 抓好 转为 转入 细化 积极探索 拨付 充分利用 明确 弘扬 督促 指导 坚持 施划 进驻 支撑 帮助 达成 跟踪 筹办
高水平 办理 按计划 按时 落户 出访 纳入 提炼 梳理 筹建
用足 用足用好 放大 针对 动态 围绕 聚焦 依法 协调 配合 推荐 遴选 评选 认定 召开 举行 启动实施 加快实施
为 上报 运行 接待 紧盯 参加 即 打造出 科学安排 做大做强 我区 我市 在施 在建 在库 进行
撤村建居 地区生产总值 生产总值 强区 强市 强国 衔接
""")

# Enterprise suffixes that are ordinary words of a trade (金融科技, 生物制造): they end a firm's name only at the end
# of its run.
TRADE_SUFFIXES = frozenset({"科技", "软件", "生物", "机电", "股份", "控股"})

# Words that end in a suffix but end no name (宅基地 is land, not an industrial base).
NOT_NAME_ENDS = _words("宅基地 范围内 体验 综合整治")

# Events are not annotated (论坛, 大赛, 文化季): a list item ending so is no project.
EVENT_ENDS = ("季", "节", "论坛", "大赛", "比赛", "大会", "峰会", "活动", "展会", "博览会", "周", "之夜")

# Heads that make a place name before them a concept, not the place (中关村精神, 海淀品牌).
CONCEPT_HEADS = ("精神", "品牌", "模式", "经验", "名片", "故事")

# Words that end in 局 and name no bureau.
NOT_BUREAUS = _words("布局 格局 大局 结局 开局 全局 新格局 总体布局 当局 残局 变局 战局")

# Words a name never starts with (numbers and measure phrases, demonstratives).
BAD_START = re.compile(
    r"^(?:[0-9０-９一二三四五六七八九十百千万亿]+(?:个|项|家|处|条|座|所|批|类|宗|场|期|次|余|多|平方米|公里|公顷|亿元|万元)"
    r"|余[个项家处条座所批类宗]|这|该|各|本|此|全|我区|区级|市级|街镇级|部分|一些)"
)
# Ordinary words that are not names even when they end in a suffix.
GENERIC_NAMES = _words("""
项目 工程 平台 中心 基金 政策 措施 方案 计划 规划 改革 试点 行动 意见 办法 地区 社区 村 镇 街道 公园 园区 道路
重点项目 重大项目 重点工程 重大工程 产业园 科技园 创新中心 服务平台 公共服务平台 创新平台 服务中心 研究院 实验室
城市更新 老旧小区改造 棚户区改造 提升改造 升级改造 综合治理 环境治理 生态治理 改造 治理 基础设施 配套设施
断头路 小微绿地 城中村改造 慢行系统 文化中心 社区卫生服务中心 存管银行 私募基金 产业基金 城中村 有机更新
""")

# Modifiers that alone do not make a name (重点项目, 城市道路, 配套措施): generic words of report prose.
GENERIC_MODIFIERS = _words("""
重点 重大 一批 各类 部分 相关 城市 配套 外资 内资 投资 政府 头部 融资 投融资 社会 社区 乡村 区域 居住 年度 早期 大
小 新 老 全市 全区 全国 市级 区级 国家级 国家 重要 主要 有关 具体 专项 综合 公共 基础 基础设施 民生 产业 企业 项目
改革 涉税 任务 后续 历史 遗留 剩余 其他 其余 同类 多元 多种 多个 更多 优质 高品质 高水平 高质量 服务 管理 工作 建设
发展 创新 改造 提升 整治 治理 更新 城市更新 道路 交通 主干路 次干路 支路 绿化 环境 消费 商业 商务 科技 数字 智慧
智能 信息 数据 安全 应急 防疫 核酸 检测 定点 救治 方舱 第三方 中小学 街 街镇 北部 南部 东部 西部 中部 周边 单位 结对
热点 代建 更多 功能性 共性 技术 孵化 国际化 招商引资 跨国 合资 子 存管 地方 互联网 院所 城区 公园 小型 大型 研究型
区级 街镇级 保留村 重点领域 首都 中小 小微 民办 公办 区内 区外 市内 境内 境外 海外 国内 国际 全球 首个 首批 首家
综合性 亮点 传统 片区 综合治理 防疫 稳增长 防控 引才 针对性 公示 精耕 具体 经济社会发展 动态 城乡结合部
设施 配套设施 场地 文化场地 增长 经济 新一轮 市重点 区重点 城中村 小片 平房 大类 五大类
海绵化 雨水利用 老旧小区 适老化 浅山区
示范 试点 特色 品牌 标准 模式 高精尖 新时代 非机动车 停放 引才 剩余 保留村 非保留村
""")

# A list closed by 等N个<category>: the category gives the items' kind (韩家川、后沙涧等5个村庄).
LIST_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("村庄", "place", "village"), ("村", "place", "village"), ("街道", "place", "street"), ("街镇", "place", "street"),
    ("商圈", "place", "business-district"), ("商业中心", "place", "business-district"),
    ("园区", "place", "industrial-park"),
    ("产业园", "place", "industrial-park"),
    ("公园", "place", "park"), ("河道", "place", "river"), ("道路", "project", "transport"),
    ("项目", "project", "other"), ("小区", "project", "renewal"), ("公园绿地", "project", "ecology"),
    ("小微绿地", "project", "ecology"),
    ("工程", "project", "other"), ("地块", "project", "industrial"), ("企业", "organization", "enterprise"),
    ("公司", "organization", "enterprise"), ("高校", "organization", "university"),
    ("医院", "organization", "hospital"),
    ("平台", "organization", "platform"), ("机构", "organization", "other"),
    ("重点实验室", "organization", "research-institute"), ("实验室", "organization", "research-institute"),
)

# Policy titles may hold verbs (城市更新行动两年工作方案, 国家植物园建设方案): their left edge is a verb that takes
# a policy, a function word or punctuation.
POLICY_SUFFIXES = ("行动计划", "工作方案", "实施方案", "方案", "规划", "控规", "措施", "办法", "实施意见", "意见",
                   "政策",
                   "指南", "计划", "条例", "细则", "纲要", "战略")
POLICY_LEFT = _words("""
出台 制定 印发 发布 落实 编制 实施 研究制定 修订 细化 推出 出台实施 制定实施 深入实施 贯彻 执行 完善 优化 按照 根据
依据 对照 形成 提炼 梳理 参加 启动 开展 推进 推行 深化 加快 研究 落地 围绕 结合 做好 争取 申报 获批 入选 纳入
建立 健全 探索 用好
用足 用足用好 放大 在 与 和 及 以及 等 并 同时 衔接 做好 编制实施 研提 提出 审议 通过 批复 取得 完成 全面 持续
持续推进 加速 科学安排
""")

# Stock phrases of government prose in quotes that name no programme (the meetings, the duties, the slogans).
NOT_PROGRAMMES = _words("""
两会 四个服务 一老一小 三张清单 一站式 一网通办 一件事 放管服 四个中心 两个确立 两个维护 四个意识 四个自信
""")

# Verbs that take a named programme as their object: 落地“一业一证”, 推行“服务包”.
PROGRAMME_VERBS = ("实施", "推行", "开展", "落实", "深化", "推进", "落地", "打造", "创建", "启动", "推广", "出台",
                   "印发", "制定", "建立", "完善", "健全", "执行", "探索", "试行", "升级")

# Well-known places and short forms outside any gazetteer file: provinces, big cities, countries, regions.
WELL_KNOWN_PLACES: dict[str, str] = {
    **dict.fromkeys(_words("""
天津 河北 上海 重庆 广州 深圳 杭州 南京 武汉 成都 西安 雄安 香港 澳门 台湾 内蒙古 新疆 西藏 新加坡 迪拜 伦敦 巴黎
纽约 东京 首尔 硅谷 慕尼黑 柏林
"""), "city"),
    **dict.fromkeys(_words("""
京津冀 长三角 粤港澳大湾区 大湾区 京津冀都市圈 环首都经济圈 城市副中心 北京城市副中心 副中心
"""), "named-area"),
}
# Countries: a name that begins with one is specific (马来西亚使馆), though the country alone is not scored here.
COUNTRIES = _words("""
中国 美国 英国 法国 德国 日本 韩国 俄罗斯 印度 马来西亚 土耳其 泰国 越南 新加坡 阿联酋 沙特 以色列 意大利 西班牙 荷兰
瑞士 瑞典 芬兰 丹麦 挪威 比利时 奥地利 波兰 澳大利亚 新西兰 加拿大 巴西 墨西哥 阿根廷 埃及 南非 印尼 印度尼西亚
哈萨克斯坦 巴基斯坦 蒙古 老挝 柬埔寨 缅甸 菲律宾 孟加拉国 伊朗 卡塔尔 塞尔维亚 匈牙利 希腊 葡萄牙 爱尔兰 智利 秘鲁
""")

# Usual short forms of universities and academies (national knowledge, not one report's).
WELL_KNOWN_ORGS: dict[str, str] = {
    **dict.fromkeys(_words("""
清华 北大 人大 北航 北理工 北邮 北科大 北师大 北交大 北林 北农 农大 北外 北语 央财 中财 中科大 矿大 中国矿大 地大
首师大 首经贸 北工大 北体大
"""), "university"),
    **dict.fromkeys(_words("""
中科院 中国科学院 工程院 中国工程院 社科院 农科院 医科院 北医三院 北大医院 人民医院
"""), "research-institute"),
    **dict.fromkeys(_words("""
国务院 住建部 工信部 科技部 发改委 国家发展改革委 商务部 教育部 财政部 市政府 市委 区委 区政府
"""), "government"),
}

STATUS_CUES: tuple[tuple[str, str], ...] = (
    # (cue, status), longest first at match time; what the sentence says, not what is known elsewhere
    ("建成通车", "opened"), ("建成开学", "opened"), ("预计", "planned"), ("开园运营", "opened"),
    ("完成签约", "under-way"), ("完成拆除", "under-way"),
    ("开工建设", "started"), ("主体结构封顶", "under-way"), ("主体完工", "under-way"), ("基本完工", "completed"),
    ("完成疏解", "completed"), ("疏解", "completed"), ("封顶", "under-way"),
    ("建成投用", "opened"), ("建成开放", "opened"), ("投入使用", "opened"), ("正式开通", "opened"), ("开通", "opened"),
    ("通车", "opened"), ("开园", "opened"), ("开业", "opened"), ("正式运营", "opened"), ("开放运营", "opened"),
    ("面向社会开放", "opened"), ("开学", "opened"), ("投用", "opened"), ("启用", "opened"), ("运营", "opened"),
    ("竣工", "completed"), ("完工", "completed"), ("交付", "completed"), ("完成改造", "completed"),
    ("完成", "completed"), ("打通", "completed"), ("建成", "completed"), ("落地", "completed"),
    ("开工", "started"), ("启动建设", "started"), ("启动改造", "started"), ("启动", "started"), ("进场施工", "started"),
    ("主体结构", "under-way"), ("结构施工", "under-way"), ("加快推进", "under-way"), ("推进", "under-way"),
    ("建设", "under-way"), ("推动", "under-way"), ("签约", "under-way"),
    ("开展", "under-way"), ("实施", "under-way"), ("初具雏形", "under-way"), ("新建", "completed"),
    ("竣备", "completed"), ("竣工办学", "opened"),
    ("选址", "planned"), ("谋划", "planned"), ("力争", "planned"), ("规划", "planned"), ("立项", "planned"),
    ("纳入", "planned"), ("申报", "planned"), ("上报", "planned"),
)
# Verbs of work in general (开展, 实施, 新建): they date a project the sentence already names as one, but make
# nothing a project (开展博士后园区分站设站工作) nor a list of names a list of projects.
WORK_CUES = frozenset({"开展", "实施", "新建"})
_STATUS_ORDER = sorted(STATUS_CUES, key=lambda s: -len(s[0]))

# A sector is addressed when the entity's name names it (the gold's rule): the name or a narrow synonym. 生态 alone
# is mostly the "ecosystem" of a trade (创新生态, 数据要素生态产业), so only its ecological compounds count.
SECTORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # 人工智能 is named by its name or AI, not by 算力 or 大模型 (technologies it uses)
    ("人工智能", ("人工智能", "AI")), ("医药健康", ("医药健康", "医药", "新药", "医学", "药物")),
    ("集成电路", ("集成电路", "芯片")), ("商业航天", ("商业航天",)), ("具身智能", ("具身智能",)),
    ("智能网联汽车", ("智能网联汽车", "自动驾驶")), ("量子信息", ("量子",)), ("氢能", ("氢能",)), ("6G", ("6G",)),
    ("教育", ("教育",)), ("养老", ("养老",)), ("医疗", ("医疗",)), ("生态", ("生态公园", "生态修复", "生态涵养")),
    ("文化", ("文化",)),
    ("金融", ("金融",)), ("住房", ("住房", "集租房", "租赁房", "保租房")), ("就业", ("就业",)),
    ("网络安全", ("网络安全",)),
)


# What a facility is for names its sector too (a school: 教育; resettlement housing: 住房). Kept apart from
# SECTORS: these words are types, not the proper part of a name.
SECTOR_TYPES: dict[str, tuple[str, ...]] = {
    "教育": ("学校", "小学", "中学", "幼儿园", "幼儿院", "附中", "附小"), "生态": ("水系", "补水"),
    "文化": ("图书馆", "博物馆"), "金融": ("银行", "投资中心"),
    "住房": ("安置房", "公租房", "保障房", "REITs", "REITS", "人才社区"),
}


_BY_SUFFIX = {suffix: (suffix, kind, typ) for suffix, kind, typ in reversed(SUFFIXES)}
_LENGTHS = sorted({len(suffix) for suffix in _BY_SUFFIX}, reverse=True)


def classify_suffix(name: str) -> tuple[str, str, str] | None:
    """(suffix, kind, type) of the longest suffix table entry that ends ``name``."""
    for n in _LENGTHS:
        found = _BY_SUFFIX.get(name[-n:]) if len(name) >= n else None
        if found is not None:
            return found
    return None


def status_of(clause: str) -> tuple[str, str] | None:
    """(status, cue) of the strongest status cue in a clause, or None."""
    best: tuple[int, str, str] | None = None
    for cue, status in _STATUS_ORDER:
        at = clause.find(cue)
        if at >= 0 and (best is None or len(cue) > len(best[2])):
            best = (at, status, cue)
    return (best[1], best[2]) if best else None


def sectors_in(text: str) -> list[str]:
    return [name for name, cues in SECTORS if any(c in text for c in (*cues, *SECTOR_TYPES.get(name, ())))]


_LOCK = threading.Lock()
TOKENIZER_RULES = "4"  # bump when the way words are added changes: the cached word table is keyed on it


@functools.lru_cache(maxsize=4)
def tokenizer(cache_dir: str, user_words: tuple[str, ...]) -> jieba.Tokenizer:
    """A jieba tokenizer with the given user words; built once per process and word list.

    The word table (jieba's ~350k words and their prefixes, plus ours) is cached as one marshal file per
    word list: ``marshal.loads`` of the bytes takes 0.3 s where jieba's own ``marshal.load`` from its file
    object takes 1 s, and the user words come already added."""
    with _LOCK:
        directory = Path(cache_dir)
        directory.mkdir(parents=True, exist_ok=True)
        jieba.setLogLevel(60)
        suffixes = tuple(suffix for suffix, _kind, _typ in SUFFIXES if len(suffix) > 1)
        boundaries = tuple(sorted(w for w in BOUNDARY_WORDS if len(w) > 1))
        words = (*user_words, *suffixes, *boundaries)
        cached = directory / f"words-{_digest(words)}.marshal"
        tk = jieba.Tokenizer()
        tk.tmp_dir = cache_dir
        try:
            tk.FREQ, tk.total, vocabulary, places = marshal.loads(cached.read_bytes())
            tk.vocabulary, tk.place_words = frozenset(vocabulary), frozenset(places)
            tk.initialized = True
            return tk
        except (OSError, EOFError, ValueError, TypeError):
            pass  # no cache yet, or a damaged one: build it
        tk.initialize()
        for word in user_words:
            tk.add_word(word, freq=100_000)
        for word in suffixes:  # a suffix jieba knows keeps its frequency (a rare one still marks a name)
            if not tk.FREQ.get(word):
                tk.add_word(word, freq=50_000)
        for word in boundaries:  # a verb jieba does not know (用好, 投用) is cut whole, so it can end a name
            if not tk.FREQ.get(word):
                tk.add_word(word, freq=10_000)
        tk.vocabulary, tk.place_words = _tagged_words()
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(marshal.dumps((tk.FREQ, tk.total, tuple(sorted(tk.vocabulary)),
                                           tuple(sorted(tk.place_words)))))
        os.replace(partial, cached)  # readers see the whole file or none
        return tk


RARE = 200  # jieba frequency under which a word is rare
VOCABULARY_TAGS = frozenset(["n", "v", "vn", "vd", "a", "ad", "an", "d", "m", "q", "l", "i", "b", "c", "p", "f"])


def _tagged_words() -> tuple[frozenset[str], frozenset[str]]:
    """Rare words that jieba's dictionary tags as common nouns, verbs or adjectives (围挡, 简易楼, 合流制): rare,
    yet vocabulary of a field, not part of a proper name (it tags those ns, nr, nz: 中坤, 云和); and the place
    names it knows that end in a one-character place suffix (长安街, 万泉河: ns, three characters or more)."""
    rare, places = set(), set()
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as f:
        for line in f:
            word, freq, tag = line.split()
            if int(freq) < RARE and tag in VOCABULARY_TAGS:
                rare.add(word)
            elif tag == "ns" and len(word) >= 3 and word[-1] in PLACE_ENDS:
                places.add(word)
    return frozenset(rare), frozenset(places)


PLACE_ENDS = frozenset("路街河渠桥湖沟村")


def _digest(words: tuple[str, ...]) -> str:
    text = "\n".join((jieba.__version__, TOKENIZER_RULES, *words))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
