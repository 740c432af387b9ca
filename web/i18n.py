"""Interface language (zh/en): chosen by a cookie set from the switch, else the browser's Accept-Language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, request
from werkzeug.wrappers import Response

LANGS = ("zh", "en")
COOKIE = "lang"

# key: (Chinese, English). Every interface string lives here, so both languages stay complete.
STRINGS: dict[str, tuple[str, str]] = {
    "site": ("海淀知识图谱", "Haidian knowledge graph"),
    "home": ("首页", "Home"),
    "search": ("搜索", "Search"),
    "explore": ("图谱浏览", "Graph explorer"),
    "sparql": ("SPARQL 查询", "SPARQL query"),
    "validation": ("校验报告", "Validation"),
    "downloads": ("下载", "Downloads"),
    "language": ("语言", "Language"),
    "search_placeholder": (
        "搜索名称或拼音首字母，如 海淀 / hd",
        "Search names or pinyin initials, e.g. 海淀 / hd",
    ),
    "all_types": ("全部类型", "All types"),
    "type": ("类型", "Type"),
    "results": ("结果", "Results"),
    "no_results": ("没有找到匹配的实体。", "No matching entity."),
    "triples": ("三元组", "triples"),
    "entities": ("实体", "entities"),
    "last_build": ("最近构建", "Last build"),
    "sources": ("来源报告", "Sources"),
    "execution_year": ("执行年度", "Execution year"),
    "plan_year": ("计划年度", "Plan year"),
    "entry_points": ("按类浏览", "Browse by class"),
    "all_classes": ("所有类及实例数", "All classes and instance counts"),
    "class": ("类", "Class"),
    "instances": ("实例数", "Instances"),
    "alt_names": ("别名", "Also known as"),
    "facts": ("事实", "Facts"),
    "incoming": ("指向此实体的链接", "Incoming links"),
    "sources_of_fact": ("出处", "Sources"),
    "more_sources": ("另有 {n} 处出处未列出（可在 SPARQL 端点查询）",
                     "{n} more sources not listed (ask the SPARQL endpoint)"),
    "mentions": ("原文提及", "Mentions in the sources"),
    "open_source": ("查看原文", "View in source"),
    "neighbourhood": ("关系图", "Neighbourhood"),
    "as_turtle": ("Turtle 格式", "As Turtle"),
    "as_jsonld": ("JSON-LD 格式", "As JSON-LD"),
    "open_explorer": ("在图谱浏览中打开", "Open in the explorer"),
    "indicator_chart": ("目标与实际", "Targets and actuals"),
    "chart_district": ("区", "District"),
    "more_districts": ("及另外 {n} 个区", "and {n} more districts"),
    "more_links": ("另有 {n} 条未列出（可在 SPARQL 端点查询）", "{n} more not listed (ask the SPARQL endpoint)"),
    "named_in": ("见于报告", "Named in reports of"),
    "districts_count": ("{n} 个区", "{n} districts"),
    "chart_show": ("显示", "Show"),
    "year": ("年份", "Year"),
    "value": ("数值", "Value"),
    "series": ("系列", "Series"),
    "outcome": ("完成情况", "Outcome"),
    "outcome_missed": ("未完成目标", "target missed"),
    "status_timeline": ("项目进展", "Status by year"),
    "status": ("状态", "Status"),
    "contains": ("位于此地的", "What lies here"),
    "more_rows": ("仅显示前 {n} 条。", "Only the first {n} are shown."),
    "more_derived": ("另有 {n} 个来源表格行或单元格未列出（可在 SPARQL 端点查询）。",
                     "{n} more table rows or cells it was read from are not listed (ask the SPARQL endpoint)."),
    "source_view": ("原文", "Source text"),
    "mention_of": ("提及：", "Mention of: "),
    "explorer_intro": (
        "点击节点展开其邻居；拖动、缩放浏览。",
        "Click a node to expand its neighbours; drag and zoom to browse.",
    ),
    "start_from": ("从实体开始", "Start from an entity"),
    "add": ("添加", "Add"),
    "shortest_path": ("最短关系路径", "Shortest relationship path"),
    "from": ("起点", "From"),
    "to": ("终点", "To"),
    "find_path": ("查找路径", "Find path"),
    "no_path": ("两者之间没有路径。", "No path between them."),
    "nodes": ("节点", "nodes"),
    "edges": ("边", "edges"),
    "legend": ("图例（点击筛选）", "Legend (click to filter)"),
    "download_ttl": ("下载 Turtle", "Download Turtle"),
    "download_png": ("下载 PNG", "Download PNG"),
    "clear": ("清空", "Clear"),
    "selected": ("已选：", "Selected: "),
    "open_page": ("打开页面", "Open page"),
    "construct_intro": (
        "或从 SPARQL CONSTRUCT 结果开始：",
        "Or start from the result of a SPARQL CONSTRUCT:",
    ),
    "load_graph": ("载入图", "Load graph"),
    "examples": ("示例查询", "Example queries"),
    "run": ("运行", "Run"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_json": ("下载 JSON", "Download JSON"),
    "editor_help": (
        "Ctrl-Space 补全前缀；Ctrl-Enter 运行。",
        "Ctrl-Space completes prefixes; Ctrl-Enter runs.",
    ),
    "query": ("查询", "Query"),
    "rows": ("行", "rows"),
    "graph_view": ("图形视图", "Graph view"),
    "running": ("运行中…", "Running…"),
    "conforms": ("符合约束", "Conforms"),
    "violations": ("违规", "violations"),
    "shape": ("约束形状", "Shape"),
    "focus": ("节点", "Focus node"),
    "path": ("路径", "Path"),
    "message": ("说明", "Message"),
    "severity": ("级别", "Severity"),
    "no_reports": ("当前构建没有校验报告。", "The current build has no validation reports."),
    "format": ("格式", "Format"),
    "size": ("大小", "Size"),
    "generated_on_demand": ("首次下载时生成", "generated on first download"),
    "dataset_description": ("数据集描述（DCAT）", "Dataset description (DCAT)"),
    "download": ("下载", "Download"),
    "not_found": ("未找到", "Not found"),
    "not_found_text": ("图谱中没有这个页面或实体。", "The graph has no such page or entity."),
    "no_store": ("尚未构建图谱：请运行 kg build。", "No graph has been built yet: run `kg build`."),
    "skip": ("跳到正文", "Skip to content"),
}


def current_lang() -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGS:
        return chosen
    return request.accept_languages.best_match(LANGS, default="zh") or "zh"


def translate(key: str, **values: object) -> str:
    zh, en = STRINGS.get(key, (key, key))
    text = en if current_lang() == "en" else zh
    return text.format(**values) if values else text


def safe_next(target: str | None) -> str:
    """A local path to go back to; anything that could leave the site becomes the home page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


bp = Blueprint("i18n", __name__)


@bp.get("/lang/<code>")
def switch(code: str) -> Response:
    response = redirect(safe_next(request.args.get("next")))
    if code in LANGS:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@bp.app_context_processor
def inject() -> dict:
    return {"_": translate, "lang": current_lang(), "langs": LANGS}
