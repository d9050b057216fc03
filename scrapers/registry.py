"""The portal registry (``scrapers/portals.yaml``): portals, the directory pages their reporting
units are discovered from (:mod:`scrapers.units`), and overrides by column; joined with the
agencies seed for the agency codes it names."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from gongkai.config import Settings
from gongkai.errors import UserError
from gongkai.reference import SEEDS_DIR

AGENCIES_CSV = SEEDS_DIR / "agencies.csv"
MECHANISMS = ("jpage", "jpaas", "xxgk")


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
    columns: tuple[Column, ...]  # fixed columns and pinned overrides (discovered ones: scrapers.units)
    synthetic: bool = False
    directories: tuple[str, ...] = ()  # pages listing the reporting units (paths or URLs)
    # by column ``id`` (or xxgk ``area``): fields that replace discovered ones
    overrides: tuple[dict, ...] = ()

    def base_url(self, settings: Settings) -> str:
        """Where requests go: the replica when ``portal_base_url`` is set, else the first host."""
        return (settings.portal_base_url or f"https://{self.hosts[0]}").rstrip("/")

    def allowed_hosts(self, settings: Settings) -> set[str]:
        """The hosts a client may fetch from. Against the replica: its address, plus
        ``localhost:<port>`` standing in for the file hosts (the replica serves them there)."""
        if settings.portal_base_url:
            netloc = urlsplit(settings.portal_base_url).netloc
            port = urlsplit(settings.portal_base_url).port
            return {netloc} | ({f"localhost:{port}"} if self.file_hosts and port else set())
        return set(self.hosts) | set(self.file_hosts)


def load_agencies(path: Path = AGENCIES_CSV) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["agency_code"]: row for row in csv.DictReader(fh)}


def unit_agency_code(portal: str, column_id: str) -> str:
    """The agency code of a unit the agencies seed does not name: stable as long as its column is."""
    return f"{portal}-{column_id}"


def column_from_spec(portal: str, col: dict, agencies: dict[str, dict[str, str]]) -> Column:
    """A column from a registry entry; an unknown agency code or mechanism is a configuration error."""
    code = col.get("agency_code") or unit_agency_code(portal, str(col["id"]))
    if code not in agencies and (col.get("agency_code") or not col.get("name")):
        raise ValueError(f"portal {portal} column {col['id']}: unknown agency_code {code!r}")
    if col["mechanism"] not in MECHANISMS:
        raise ValueError(f"portal {portal} column {col['id']}: unknown mechanism {col['mechanism']!r}")
    return Column(
        portal=portal,
        id=str(col["id"]),
        mechanism=col["mechanism"],
        title=col.get("title", ""),
        agency_code=code,
        agency_name=col.get("name") or agencies[code]["name_zh"],
        unitid=str(col.get("unitid", "")),
        area=str(col.get("area", "")),
        tpl_set_id=str(col.get("tpl_set_id", "")),
        tag_id=str(col.get("tag_id", "")),
        verified=bool(col.get("verified", False)),
    )


class RegistryError(UserError, ValueError):
    """The portal registry file is not a registry: unreadable YAML, no portals, a portal without
    hosts, an unknown agency code or mechanism (the message names the file and the entry)."""


def load_portals(path: Path) -> dict[str, Portal]:
    """The registry (read again only when the file or the agencies seed changes)."""
    path = Path(path)
    try:
        return dict(_load_portals(path, path.stat().st_mtime_ns, AGENCIES_CSV.stat().st_mtime_ns))
    except RegistryError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        why = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RegistryError(f"portal registry {path} is not valid YAML: {why}{where}") from None
    except KeyError as exc:
        raise RegistryError(f"portal registry {path}: an entry lacks the key {exc}") from None
    except (ValueError, TypeError, AttributeError) as exc:
        raise RegistryError(f"portal registry {path}: {exc}") from None


@lru_cache(maxsize=8)
def _load_portals(path: Path, _mtime: int, _agencies_mtime: int) -> dict[str, Portal]:
    """Read the registry. Fixed ``columns`` and ``overrides`` that carry a ``mechanism`` (a unit the
    directories do not list any more, pinned) become columns; the rest comes from discovery."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("portals"), dict) or not data["portals"]:
        raise RegistryError(f"portal registry {path} names no portal (a `portals:` mapping is needed)")
    agencies = load_agencies()
    portals: dict[str, Portal] = {}
    for name, spec in data["portals"].items():
        if not isinstance(spec, dict) or not spec.get("hosts"):
            raise RegistryError(f"portal registry {path}: portal {name} has no `hosts:`")
        columns = [column_from_spec(name, col, agencies) for col in spec.get("columns") or []]
        overrides = tuple(dict(o) for o in spec.get("overrides") or [])
        for o in overrides:
            if "id" not in o and "area" not in o:
                raise ValueError(f"portal {name}: an override needs an id or an area: {o}")
            if o.get("agency_code") and o["agency_code"] not in agencies:
                raise ValueError(
                    f"portal {name} override {o.get('id')}: unknown agency_code {o['agency_code']!r}"
                )
            if o.get("pin") and o.get("mechanism"):
                columns.append(column_from_spec(name, o, agencies))
        portals[name] = Portal(
            name=name,
            title=spec.get("name", name),
            hosts=tuple(spec["hosts"]),
            file_hosts=tuple(spec.get("file_hosts") or ()),
            webid=str(spec.get("webid", "")),
            webname=spec.get("webname", ""),
            columns=tuple(columns),
            synthetic=bool(spec.get("synthetic", False)),
            directories=tuple(spec.get("directories") or ()),
            overrides=overrides,
        )
    return portals
