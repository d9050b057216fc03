"""The Superset dashboards of gongkai as code: writes the export bundle in ``deploy/superset/bundle/``.

    uv run python deploy/superset/assets.py [SERVED_DUCKDB]

The bundle (Superset's import/export format v1: metadata, database, datasets, charts, dashboards as
YAML) is what the compose ``bi`` profile imports (``bootstrap.sh`` → ``import_bundle.py``). The
datasets' columns, types and descriptions are read from the served warehouse's DuckDB comments (the
dbt descriptions), so run this after the dbt models change; the charts and dashboards are declared
below. Changing a dashboard in the Superset UI and exporting it gives the same format: unzip the
export over ``bundle/`` to keep the change. UUIDs are fixed (uuid5 of a name), so a re-import
updates the assets in place.
"""

from __future__ import annotations

import json
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

HERE = Path(__file__).resolve().parent
BUNDLE = HERE / "bundle"
DEFAULT_URI = "duckdb:////serving/warehouse.duckdb?access_mode=read_only"  # replaced on import
NS = uuid.UUID("6f1c2d0e-9a53-4c1b-8f4e-0c5b9e1d2a77")


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


# dataset -> saved metrics (name, SQL, label)
METRICS: dict[str, list[tuple[str, str, str]]] = {
    "mart_agency_year": [
        ("requests_received", "SUM(requests_received)", "收到申请 requests received"),
        ("results_total", "SUM(results_total)", "办理结果 results"),
        ("results_granted", "SUM(results_granted)", "予以公开 granted"),
        ("results_partial", "SUM(results_partial)", "部分公开 partial"),
        ("results_denied", "SUM(results_denied)", "不予公开 denied"),
        ("reviews_total", "SUM(reviews_total)", "行政复议 reviews"),
        ("litigation_total", "SUM(litigation_total)", "行政诉讼 lawsuits"),
        ("reports", "COUNT(*)", "报告数 reports"),
    ],
    "mart_identity_audit": [
        ("checks", "COUNT(*)", "检查数 checks"),
        ("failed_checks", "COUNT(*) FILTER (WHERE status = 'fails')", "不成立 failed checks"),
        ("reports_with_failures", "COUNT(DISTINCT report_key) FILTER (WHERE status = 'fails')",
         "有矛盾的报告 reports with failures"),
    ],
    "mart_publication_timeliness": [
        ("agency_years", "COUNT(*)", "机关年度 agency-years"),
        ("max_days_late", "MAX(days_late)", "最多逾期天数 max days late"),
    ],
    "mart_report_quality": [("documents", "COUNT(*)", "文档数 documents")],
    "mart_scrape_health": [
        ("column_runs", "COUNT(*)", "栏目采集次数 column runs"),
        ("requests", "SUM(requests)", "请求数 requests"),
        ("failed_reports", "SUM(failed_reports)", "失败报告 failed reports"),
    ],
}
DTTM = {"report_year_date", "published_date", "deadline", "parsed_at", "recorded_at", "recorded_date"}


@dataclass
class Chart:
    name: str
    dataset: str
    viz_type: str
    params: dict[str, Any]
    query: dict[str, Any]  # the one query of the chart's saved query context
    description: str = ""


@dataclass
class Dashboard:
    slug: str
    title: str
    intro: str
    rows: list[list[tuple[str, int]]] = field(default_factory=list)  # rows of (chart name, width)


def where(sql: str) -> list[dict[str, Any]]:
    return [{"expressionType": "SQL", "sqlExpression": sql, "clause": "WHERE"}]


def x_axis(column: str = "report_year_date") -> dict[str, Any]:
    return {
        "columnType": "BASE_AXIS",
        "sqlExpression": column,
        "label": column,
        "expressionType": "SQL",
        "timeGrain": "P1Y",
    }


def timeseries(name, dataset, viz, metrics, groupby, *, filter_sql=None, stack=False, description=""):
    params = {
        "x_axis": "report_year_date",
        "time_grain_sqla": "P1Y",
        "x_axis_time_format": "%Y",
        "metrics": metrics,
        "groupby": groupby,
        "adhoc_filters": where(filter_sql) if filter_sql else [],
        "row_limit": 10000,
        "truncate_metric": True,
        "show_legend": True,
        "legendOrientation": "top",
        "rich_tooltip": True,
        "markerEnabled": True,
        "markerSize": 6,
        "stack": "Stack" if stack else None,
        "y_axis_format": "SMART_NUMBER",
        "time_range": "No filter",
        "color_scheme": "supersetColors",
    }
    query = {
        "columns": [x_axis(), *groupby],
        "metrics": metrics,
        "orderby": [[metrics[0], False]],
        "series_columns": groupby,
        "row_limit": 10000,
        "extras": {"where": f"({filter_sql})" if filter_sql else "", "having": ""},
    }
    return Chart(name, dataset, viz, params, query, description)


def table(name, dataset, columns, order_by, *, filter_sql=None, description=""):
    params = {
        "query_mode": "raw",
        "all_columns": columns,
        "order_by_cols": [json.dumps([c, asc]) for c, asc in order_by],
        "adhoc_filters": where(filter_sql) if filter_sql else [],
        "row_limit": 1000,
        "server_page_length": 10,
        "include_search": True,
        "show_cell_bars": False,
        "table_timestamp_format": "%Y-%m-%d",
        "time_range": "No filter",
    }
    query = {
        "columns": columns,
        "metrics": [],
        "orderby": [[c, asc] for c, asc in order_by],
        "row_limit": 1000,
        "extras": {"where": f"({filter_sql})" if filter_sql else "", "having": ""},
    }
    return Chart(name, dataset, "table", params, query, description)


def big_number(name, dataset, metric, subheader, *, filter_sql=None, description=""):
    params = {
        "metric": metric,
        "adhoc_filters": where(filter_sql) if filter_sql else [],
        "subheader": subheader,
        "y_axis_format": "SMART_NUMBER",
        "header_font_size": 0.4,
        "subheader_font_size": 0.15,
        "time_range": "No filter",
    }
    query = {
        "columns": [],
        "metrics": [metric],
        "row_limit": 10,
        "extras": {"where": f"({filter_sql})" if filter_sql else "", "having": ""},
    }
    return Chart(name, dataset, "big_number_total", params, query, description)


def grouped_bar(name, dataset, x, metrics, groupby, *, filter_sql=None, stack=True, description=""):
    """A bar chart over a categorical x axis (no time grain)."""
    params = {
        "x_axis": x,
        "metrics": metrics,
        "groupby": groupby,
        "adhoc_filters": where(filter_sql) if filter_sql else [],
        "row_limit": 10000,
        "truncate_metric": True,
        "show_legend": True,
        "legendOrientation": "top",
        "stack": "Stack" if stack else None,
        "orientation": "vertical",
        "x_axis_sort_asc": True,
        "y_axis_format": "SMART_NUMBER",
        "time_range": "No filter",
        "color_scheme": "supersetColors",
    }
    query = {
        "columns": [{"columnType": "BASE_AXIS", "sqlExpression": x, "label": x, "expressionType": "SQL"},
                    *groupby],
        "metrics": metrics,
        "orderby": [[metrics[0], False]],
        "series_columns": groupby,
        "row_limit": 10000,
        "extras": {"where": f"({filter_sql})" if filter_sql else "", "having": ""},
    }
    return Chart(name, dataset, "echarts_timeseries_bar", params, query, description)


LATEST = "is_latest"
CHARTS = [
    # (1) requests and results over the years per agency, format generations marked
    timeseries("申请量（按机关） Requests received per agency", "mart_agency_year", "echarts_timeseries_line",
               ["requests_received"], ["agency_name"],
               description="本年新收政府信息公开申请数量 per agency and report year (件)."),
    timeseries("申请量（按格式代际） Requests by format generation", "mart_agency_year", "echarts_timeseries_bar",
               ["requests_received"], ["generation"], stack=True,
               description="The colour of a bar is the report's format generation: a colour change marks a "
                           "template change (G1 → G2 in 2019, G2 → G3 in 2021)."),
    timeseries("办理结果 Results by outcome", "mart_agency_year", "echarts_timeseries_bar",
               ["results_granted", "results_partial", "results_denied"], [], stack=True,
               description="予以公开 / 部分公开 / 不予公开 per report year, all agencies (件)."),
    table("机关年度明细 Agency-years", "mart_agency_year",
          ["agency_name", "report_year", "generation", "requests_received", "results_total", "results_granted",
           "results_denied", "reviews_total", "litigation_total", "fees"],
          [("agency_name", True), ("report_year", True)],
          description="One row per agency and report year, with the report's format generation."),
    # (2) reports that break their own arithmetic; prose vs table
    big_number("不成立的勾稽关系 Failed identities", "mart_identity_audit", "failed_checks",
               "identities the latest reports break", filter_sql=LATEST),
    grouped_bar("勾稽关系检查结果 Identity checks by kind", "mart_identity_audit", "check_kind", ["checks"],
                ["status"], filter_sql=LATEST),
    table("报告自相矛盾之处 Where reports contradict themselves", "mart_identity_audit",
          ["agency_name", "report_year", "generation", "check_kind", "identity_label", "detail", "difference"],
          [("agency_name", True), ("report_year", True)], filter_sql=f"{LATEST} and status = 'fails'",
          description="Arithmetic identities a report breaks and figures its prose states differently "
                      "from its table (check_kind prose_vs_table)."),
    # (3) publication timeliness
    grouped_bar("公开时效 Timeliness by report year", "mart_publication_timeliness", "report_year",
                ["agency_years"], ["status"]),
    table("逾期与缺失 Late or missing reports", "mart_publication_timeliness",
          ["agency_name", "report_year", "status", "deadline", "published_date", "days_late"],
          [("report_year", False), ("agency_name", True)], filter_sql="status <> 'on_time'"),
    # (4) data quality: every document found, published or why not
    grouped_bar("文档状态 Documents by status", "mart_report_quality", "status", ["documents"], ["fetch_status"],
                description="published | duplicate | no_report_year | parse_quarantined | not_parsed | "
                            "fetch_failed | gate_quarantined, coloured by how fetching went."),
    grouped_bar("解析状态 Parse status by generation", "mart_report_quality", "generation", ["documents"],
                ["parse_status"], filter_sql="generation is not null"),
    table("文档与原因 Documents and reasons", "mart_report_quality",
          ["status", "reasons", "agency_code", "report_year", "generation", "parse_status", "title",
           "published_date", "source_url"],
          [("status", True), ("report_year", True)],
          description="Quarantined, partial, duplicate or failed documents first (status order), with reasons."),
    grouped_bar("采集健康 Scrape health by portal", "mart_scrape_health", "portal", ["column_runs"], ["status"],
                description="Each portal column per scrape run: ok | empty | drift | unreachable | error."),
    table("采集记录 Scrape runs per column", "mart_scrape_health",
          ["recorded_at", "portal", "agency_name", "mechanism", "status", "requests", "reports_listed",
           "new_reports", "changed_reports", "failed_reports", "seconds"],
          [("recorded_at", False), ("portal", True)]),
]

DASHBOARDS = [
    Dashboard(
        "gongkai-requests", "申请与办理 Requests and results",
        "**政府信息公开申请与办理结果** — requests received and their outcomes per agency and report year "
        "(`mart_agency_year`). Format generations: G1 2008–2018, G2 2019–2020, G3 2021–; a bar's colour "
        "is its generation, so a colour change marks a template change.",
        [[("申请量（按机关） Requests received per agency", 6), ("申请量（按格式代际） Requests by format generation", 6)],
         [("办理结果 Results by outcome", 5), ("机关年度明细 Agency-years", 7)]],
    ),
    Dashboard(
        "gongkai-identities", "勾稽关系 Reports that break their own arithmetic",
        "**报告自身的勾稽关系** — accounting identities of each report's own tables (the parser's checks and "
        "identities recomputed in the warehouse) and prose figures that disagree with the table "
        "(`mart_identity_audit`, latest versions).",
        [[("不成立的勾稽关系 Failed identities", 3), ("勾稽关系检查结果 Identity checks by kind", 9)],
         [("报告自相矛盾之处 Where reports contradict themselves", 12)]],
    ),
    Dashboard(
        "gongkai-timeliness", "公开时效 Publication timeliness",
        "**年度报告公开时效** — every expected agency-year: on time, late, missing or date unknown against "
        "the legal deadline of its regime and agency level (`mart_publication_timeliness`).",
        [[("公开时效 Timeliness by report year", 5), ("逾期与缺失 Late or missing reports", 7)]],
    ),
    Dashboard(
        "gongkai-quality", "数据质量 Data quality",
        "**数据质量** — every document the scrapers found: published, or why not (fetch failed, parse "
        "quarantined or partial, no report year, duplicate, held back by the gate), with the reasons "
        "(`mart_report_quality`); and how each portal column's scraping went, run by run "
        "(`mart_scrape_health`).",
        [[("文档状态 Documents by status", 6), ("解析状态 Parse status by generation", 6)],
         [("文档与原因 Documents and reasons", 12)],
         [("采集健康 Scrape health by portal", 5), ("采集记录 Scrape runs per column", 7)]],
    ),
]


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")


def dataset_yaml(con: duckdb.DuckDBPyConnection, table: str, database_uuid: str) -> dict[str, Any]:
    comment = con.execute(
        "select comment from duckdb_tables() where schema_name = 'main' and table_name = ?", [table]
    ).fetchone()
    rows = con.execute(
        "select column_name, data_type, comment from duckdb_columns() where schema_name = 'main' and "
        "table_name = ? order by column_index",
        [table],
    ).fetchall()
    if not rows:
        raise SystemExit(f"table main.{table} is not in the warehouse")
    columns = []
    for name, data_type, text in rows:
        label = text.split(" — ", 1)[0] if text and " — " in text else None
        columns.append({
            "column_name": name,
            "verbose_name": label,
            "description": text,
            "type": data_type,
            "is_dttm": name in DTTM,
            "groupby": True,
            "filterable": True,
            "is_active": True,
            "expression": None,
        })
    return {
        "table_name": table,
        "main_dttm_col": "report_year_date" if any(c[0] == "report_year_date" for c in rows) else None,
        "description": comment[0] if comment else None,
        "schema": "main",
        "catalog": None,
        "sql": None,
        "params": None,
        "cache_timeout": None,
        "filter_select_enabled": True,
        "uuid": uid(f"dataset:{table}"),
        "metrics": [
            {"metric_name": m, "verbose_name": label, "expression": sql, "metric_type": None,
             "description": None, "d3format": None, "extra": {}, "warning_text": None}
            for m, sql, label in METRICS.get(table, [])
        ],
        "columns": columns,
        "version": "1.0.0",
        "database_uuid": database_uuid,
    }


def chart_yaml(chart: Chart) -> dict[str, Any]:
    params = {**chart.params, "viz_type": chart.viz_type, "datasource": "0__table"}
    query = {"filters": [], "annotation_layers": [], "url_params": {}, "custom_params": {},
             "custom_form_data": {}, "applied_time_extras": {}, "time_range": "No filter", **chart.query}
    context = {
        "datasource": {"id": 0, "type": "table"},
        "force": False,
        "queries": [query],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }
    return {
        "slice_name": chart.name,
        "description": chart.description or None,
        "certified_by": None,
        "certification_details": None,
        "viz_type": chart.viz_type,
        "params": params,
        "query_context": json.dumps(context, ensure_ascii=False),
        "cache_timeout": None,
        "uuid": uid(f"chart:{chart.name}"),
        "version": "1.0.0",
        "dataset_uuid": uid(f"dataset:{chart.dataset}"),
    }


def dashboard_yaml(board: Dashboard) -> dict[str, Any]:
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": board.title}},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
    }
    rows = [[("__intro__", 12)], *board.rows]
    for r, row in enumerate(rows):
        row_id = f"ROW-{r}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {"type": "ROW", "id": row_id, "children": [], "parents": ["ROOT_ID", "GRID_ID"],
                            "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        for c, (name, width) in enumerate(row):
            parents = ["ROOT_ID", "GRID_ID", row_id]
            if name == "__intro__":
                cid = "MARKDOWN-intro"
                position[cid] = {"type": "MARKDOWN", "id": cid, "children": [], "parents": parents,
                                 "meta": {"width": width, "height": 10, "code": board.intro}}
            else:
                cid = f"CHART-{r}-{c}"
                position[cid] = {"type": "CHART", "id": cid, "children": [], "parents": parents,
                                 "meta": {"width": width, "height": 60, "chartId": 0,
                                          "uuid": uid(f"chart:{name}"), "sliceName": name}}
            position[row_id]["children"].append(cid)
    return {
        "dashboard_title": board.title,
        "description": None,
        "css": "",
        "slug": board.slug,
        "certified_by": None,
        "certification_details": None,
        "published": True,
        "uuid": uid(f"dashboard:{board.slug}"),
        "position": position,
        "metadata": {
            "color_scheme": "supersetColors",
            "refresh_frequency": 0,
            "expanded_slices": {},
            "label_colors": {},
            "timed_refresh_immune_slices": [],
            "cross_filters_enabled": True,
            "native_filter_configuration": [],
            "default_filters": "{}",
            "chart_configuration": {},
        },
        "version": "1.0.0",
    }


def file_name(name: str) -> str:
    return "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in name).strip("_").lower() or "x"


def write_bundle(served: Path, out: Path = BUNDLE) -> list[Path]:
    """Write every asset of the bundle into ``out`` (replacing its YAML files); returns the files."""
    for old in out.rglob("*.yaml"):
        old.unlink()
    database_uuid = uid("database:gongkai")
    written: list[Path] = []

    def put(rel: str, data: dict[str, Any]) -> None:
        _dump(out / rel, data)
        written.append(out / rel)

    put("metadata.yaml", {"version": "1.0.0", "type": "assets", "timestamp": "2026-12-01T00:00:00+00:00"})
    put("databases/gongkai.yaml", {
        "database_name": "gongkai",
        "sqlalchemy_uri": DEFAULT_URI,
        "cache_timeout": None,
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_file_upload": False,
        "extra": {"allows_virtual_table_explore": True, "metadata_params": {}, "engine_params": {}},
        "uuid": database_uuid,
        "version": "1.0.0",
    })
    with duckdb.connect(str(served), read_only=True) as con:
        for table in sorted({c.dataset for c in CHARTS}):
            put(f"datasets/gongkai/{table}.yaml", dataset_yaml(con, table, database_uuid))
    for chart in CHARTS:
        put(f"charts/{file_name(chart.name.split(' ', 1)[1])}.yaml", chart_yaml(chart))
    for board in DASHBOARDS:
        put(f"dashboards/{board.slug}.yaml", dashboard_yaml(board))
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[1] / ".data" / "serving" / "warehouse.duckdb"
    files = write_bundle(target)
    print(f"wrote {len(files)} files under {BUNDLE}")
