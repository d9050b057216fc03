"""The Superset bundle is consistent with itself and with the dbt contracts (no Superset needed)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import yaml
from superset_env import SUPERSET_DIR

from gongkai.config import REPO_ROOT

BUNDLE = SUPERSET_DIR / "bundle"
MARTS = REPO_ROOT / "dbt_project" / "models" / "marts"


def load(kind: str) -> dict[str, dict]:
    return {(d := yaml.safe_load(p.read_text(encoding="utf-8")))["uuid"]: d for p in (BUNDLE / kind).rglob("*.yaml")}


def test_references_resolve_and_every_chart_is_on_a_dashboard() -> None:
    (database,) = load("databases").values()
    datasets, charts, boards = load("datasets"), load("charts"), load("dashboards")
    assert {d["database_uuid"] for d in datasets.values()} == {database["uuid"]}
    assert {c["dataset_uuid"] for c in charts.values()} == set(datasets)
    on_boards = [
        v["meta"]["uuid"] for b in boards.values() for v in b["position"].values()
        if isinstance(v, dict) and v.get("type") == "CHART"
    ]
    assert sorted(on_boards) == sorted(charts)  # each chart exactly once
    assert len(boards) == 4


def test_charts_use_columns_and_metrics_their_dataset_has() -> None:
    datasets = load("datasets")
    for chart in load("charts").values():
        dataset = datasets[chart["dataset_uuid"]]
        columns = {c["column_name"] for c in dataset["columns"]}
        metrics = {m["metric_name"] for m in dataset["metrics"]}
        p = chart["params"]
        used = [p.get("x_axis"), *p.get("groupby", []), *p.get("all_columns", []),
                *(json.loads(o)[0] for o in p.get("order_by_cols", []))]
        assert {u for u in used if u} <= columns, chart["slice_name"]
        assert set(p.get("metrics", [])) | ({p["metric"]} if "metric" in p else set()) <= metrics
        context = json.loads(chart["query_context"])
        assert context["form_data"] == p  # what the data endpoint runs is what the chart shows


def test_datasets_match_the_dbt_contracts() -> None:
    for dataset in load("datasets").values():
        model = yaml.safe_load((MARTS / f"{dataset['table_name']}.yml").read_text(encoding="utf-8"))["models"][0]
        contract = [c["name"] for c in model["columns"]]
        assert [c["column_name"] for c in dataset["columns"]] == contract, dataset["table_name"]
        assert all(c.get("description") for c in dataset["columns"] if c["column_name"] in
                   {m["name"] for m in model["columns"] if m.get("description")})


def test_import_zip_points_the_database_at_the_given_uri(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("import_bundle", SUPERSET_DIR / "import_bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    uri = "duckdb:////srv/serving/warehouse.duckdb?access_mode=read_only"
    archive = module.make_zip(BUNDLE, uri, tmp_path / "b.zip")
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        database = yaml.safe_load(zf.read("gongkai_bundle/databases/gongkai.yaml"))
    assert "gongkai_bundle/metadata.yaml" in names
    assert database["sqlalchemy_uri"] == uri
