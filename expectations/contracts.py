"""The marts' structural rules, read from the dbt project (``models/marts/*.yml``) rather than copied.

dbt declares, per mart, which columns are unique, not null, foreign keys (``relationships``), which
values a column accepts (``accepted_values``) and which column combinations are unique
(``unique_combination_of_columns``). During a build dbt tests them on the build slice; the gate checks
the same rules on every row of the tables it publishes, so they are written once, in the yml files.
Other dbt tests (expressions, custom singular tests) stay dbt's alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_REF = re.compile(r"ref\(\s*['\"]([^'\"]+)['\"]\s*\)")


@dataclass
class ModelRules:
    """What one mart's yml declares for the gate."""

    name: str
    unique: list[str] = field(default_factory=list)
    not_null: list[str] = field(default_factory=list)
    relationships: dict[str, str] = field(default_factory=dict)  # column -> parent model (its ``key``)
    accepted_values: dict[str, list[Any]] = field(default_factory=dict)
    unique_together: list[list[str]] = field(default_factory=list)


def _tests(node: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(test name, its arguments) of a model or column: ``data_tests`` (or the older ``tests``)."""
    found = []
    for test in node.get("data_tests") or node.get("tests") or []:
        if isinstance(test, str):
            found.append((test, {}))
        elif isinstance(test, dict):
            for name, body in test.items():
                body = body or {}
                args = body.get("arguments") or {k: v for k, v in body.items() if k != "config"}
                found.append((name.split(".")[-1], args))
    return found


def _model_rules(model: dict[str, Any]) -> ModelRules:
    rules = ModelRules(model["name"])
    for name, args in _tests(model):
        if name == "unique_combination_of_columns":
            rules.unique_together.append(list(args.get("combination") or args.get("combination_of_columns")))
    for column in model.get("columns") or []:
        col = column["name"]
        for name, args in _tests(column):
            if name == "unique":
                rules.unique.append(col)
            elif name == "not_null":
                rules.not_null.append(col)
            elif name == "accepted_values":
                rules.accepted_values[col] = list(args["values"])
            elif name == "relationships":
                parent = _REF.search(str(args.get("to", "")))
                if parent and args.get("field", "key") == "key":
                    rules.relationships[col] = parent.group(1)
    return rules


def mart_rules(dbt_project_dir: Path) -> dict[str, ModelRules]:
    """Every model declared in ``models/marts/*.yml`` of the dbt project, by name."""
    rules: dict[str, ModelRules] = {}
    for path in sorted((dbt_project_dir / "models" / "marts").glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in doc.get("models") or []:
            rules[model["name"]] = _model_rules(model)
    return rules
