"""The portal registry (``scrapers/portals.yaml``) joined with the agencies seed."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from gongkai.config import REPO_ROOT, Settings

AGENCIES_CSV = REPO_ROOT / "dbt_project" / "seeds" / "agencies.csv"


@dataclass(frozen=True)
class Column:
    portal: str
    id: str
    mechanism: str  # jpage | jpaas | xxgk
    title: str
    agency_code: str
    agency_name: str
    unitid: str = ""
    area: str = ""
    tpl_set_id: str = ""
    tag_id: str = ""
    verified: bool = False


@dataclass(frozen=True)
class Portal:
    name: str
    title: str
    hosts: tuple[str, ...]
    file_hosts: tuple[str, ...]
    webid: str
    webname: str
    columns: tuple[Column, ...]
    synthetic: bool = False

    def base_url(self, settings: Settings) -> str:
        """Where requests go: the replica when ``portal_base_url`` is set, else the first host."""
        return (settings.portal_base_url or f"https://{self.hosts[0]}").rstrip("/")

    def allowed_hosts(self, settings: Settings) -> set[str]:
        if settings.portal_base_url:
            return {urlsplit(settings.portal_base_url).netloc}
        return set(self.hosts) | set(self.file_hosts)


def load_agencies(path: Path = AGENCIES_CSV) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["agency_code"]: row for row in csv.DictReader(fh)}


def load_portals(path: Path) -> dict[str, Portal]:
    """Read the registry; an unknown agency code or mechanism is a configuration error."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    agencies = load_agencies()
    portals: dict[str, Portal] = {}
    for name, spec in (data.get("portals") or {}).items():
        columns = []
        for col in spec.get("columns") or []:
            code = col["agency_code"]
            if code not in agencies:
                raise ValueError(f"portal {name} column {col['id']}: unknown agency_code {code!r}")
            if col["mechanism"] not in ("jpage", "jpaas", "xxgk"):
                raise ValueError(f"portal {name} column {col['id']}: unknown mechanism {col['mechanism']!r}")
            columns.append(
                Column(
                    portal=name,
                    id=str(col["id"]),
                    mechanism=col["mechanism"],
                    title=col.get("title", ""),
                    agency_code=code,
                    agency_name=agencies[code]["name_zh"],
                    unitid=str(col.get("unitid", "")),
                    area=str(col.get("area", "")),
                    tpl_set_id=str(col.get("tpl_set_id", "")),
                    tag_id=str(col.get("tag_id", "")),
                    verified=bool(col.get("verified", False)),
                )
            )
        portals[name] = Portal(
            name=name,
            title=spec.get("name", name),
            hosts=tuple(spec["hosts"]),
            file_hosts=tuple(spec.get("file_hosts") or ()),
            webid=str(spec.get("webid", "")),
            webname=spec.get("webname", ""),
            columns=tuple(columns),
            synthetic=bool(spec.get("synthetic", False)),
        )
    return portals
