"""Unit discovery: every reporting unit of a portal and its annual-report column, read from the
portal's own directory pages (the registry's ``directories``), so a new unit needs no code or
file change.

A directory page lists units as links: ``/col/col{ID}/index.html`` (a jpage or jpaas column: its
page is read once, when the unit is new, to learn the mechanism and its ids) or the xxgk module's
``search.jsp?…area=…`` (an xxgk unit). What was found is kept per portal in
``<home>/units/<portal>.json``; a unit that was there before and is not any more is logged as a
warning and kept in the file (its column stays listed, so its history is not lost). Registry
``overrides`` (by column ``id`` or xxgk ``area``) replace discovered fields (an agency code, a
pinned mechanism, ids) and can pin a unit the directories no longer list.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

from gongkai.config import Settings
from scrapers.http import FetchError, HttpClient
from scrapers.registry import MECHANISMS, Column, Portal, load_agencies, unit_agency_code

log = logging.getLogger(__name__)

_LINK = re.compile(r"<a\b[^>]*?href\s*=\s*[\"']([^\"']+)[\"'][^>]*>(.*?)</a>", re.S | re.I)
_TITLE = re.compile(r"""\btitle\s*=\s*["']([^"']+)["']""", re.I)
_COLUMN = re.compile(r"/col/col(\d+)/index\.html?$")
_JPAGE_UNIT = re.compile(r"\$\(\s*['\"]#(\w+)['\"]\s*\)\.jpage\(\{(.*?)\}\s*\)", re.S)
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Unit:
    """A reporting unit found on a directory page, with its column's list ids."""

    portal: str
    column_id: str
    name: str
    mechanism: str
    unitid: str = ""
    area: str = ""
    tpl_set_id: str = ""
    tag_id: str = ""
    directory: str = ""  # the page it was listed on
    listed: bool = True  # on a directory page at the last discovery


@dataclass
class UnitsResult:
    portal: str
    units: list[Unit] = field(default_factory=list)
    new: list[str] = field(default_factory=list)  # column ids
    vanished: list[str] = field(default_factory=list)
    requests: int = 0
    errors: list[str] = field(default_factory=list)


def cache_path(settings: Settings, portal: str) -> Path:
    return settings.home / "units" / f"{portal}.json"


def load_cached(settings: Settings, portal: str) -> list[Unit]:
    path = cache_path(settings, portal)
    if not path.exists():
        return []
    return [Unit(**u) for u in json.loads(path.read_text(encoding="utf-8"))]


def _save(settings: Settings, portal: str, units: list[Unit]) -> None:
    path = cache_path(settings, portal)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([asdict(u) for u in units], ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def parse_directory(page: str, url: str) -> list[tuple[str, str, str]]:
    """``(kind, key, name)`` of every unit link on a directory page: kind ``col`` (key = column
    id) or ``xxgk`` (key = area code)."""
    out: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for m in _LINK.finditer(page):
        href = m.group(1).replace("&amp;", "&")
        title = _TITLE.search(m.group(0))
        name = (title.group(1) if title else _TAGS.sub("", m.group(2))).strip()
        parts = urlsplit(urljoin(url, href))
        col = _COLUMN.search(parts.path)
        if col:
            item = ("col", col.group(1), name)
        elif parts.path.endswith("/module/xxgk/search.jsp"):
            area = (parse_qs(parts.query).get("area") or [""])[0]
            if not area:
                continue
            item = ("xxgk", area, name)
        else:
            continue
        if (item[0], item[1]) not in seen and name:
            seen.add((item[0], item[1]))
            out.append(item)
    return out


def column_ids(page: str, column_id: str) -> dict[str, str]:
    """The mechanism and list ids a column page shows: jpaas ``queryData`` or a jpage datastore."""
    from scrapers import jpaas

    try:
        units = jpaas.page_units(page)
    except Exception:  # an unreadable queryData: treated as no jpaas unit
        units = []
    if units:
        probe = Column(portal="", id=column_id, mechanism="jpaas", title="", agency_code="", agency_name="")
        unit = jpaas.choose_unit(units, probe) or {}
        return {
            "mechanism": "jpaas",
            "tpl_set_id": str(unit.get("tplSetId", "")),
            "tag_id": str(unit.get("tagId", "")),
        }
    if "<datastore>" in page:
        for m in _JPAGE_UNIT.finditer(page):
            if re.search(rf"columnid\s*[:=]\s*['\"]?{column_id}\b", m.group(2)):
                return {"mechanism": "jpage", "unitid": m.group(1)}
        m = re.search(r'<div[^>]*\bid="(\w+)"[^>]*>\s*<script type="text/xml"><datastore>', page)
        return {"mechanism": "jpage", "unitid": m.group(1) if m else ""}
    return {}


def discover_units(settings: Settings, portal: Portal, client: HttpClient | None = None) -> UnitsResult:
    """Read ``portal``'s directory pages; learn new units' ids from their column pages; compare
    with what was found before (new units are logged, vanished ones warned about) and save."""
    from scrapers.discovery import make_client

    result = UnitsResult(portal.name)
    if not portal.directories:
        return result
    client = client or make_client(settings, portal)
    base = portal.base_url(settings)
    before = {u.column_id: u for u in load_cached(settings, portal.name)}
    by_area = {u.area: u for u in before.values() if u.area}
    found: dict[str, Unit] = {}
    for directory in portal.directories:
        url = urljoin(base + "/", directory.lstrip("/")) if not directory.startswith("http") else directory
        try:
            page = client.get(url, referer=base + "/").content.decode("utf-8", "replace")
            result.requests += 1
        except FetchError as exc:
            result.errors.append(f"directory {url}: {exc}")
            continue
        for kind, key, name in parse_directory(page, url):
            if kind == "xxgk":
                known = by_area.get(key)
                col_id = known.column_id if known else f"xxgk-{key}"
                found[col_id] = Unit(portal.name, col_id, name, "xxgk", area=key, directory=directory)
                continue
            known = before.get(key)
            if known and known.mechanism != "xxgk":
                found[key] = replace(known, name=name, directory=directory, listed=True)
                continue
            col_url = f"{base}/col/col{key}/index.html"
            try:
                col_page = client.get(col_url, referer=url).content.decode("utf-8", "replace")
                result.requests += 1
            except FetchError as exc:
                result.errors.append(f"column {col_url}: {exc}")
                continue
            ids = column_ids(col_page, key)
            if not ids:
                result.errors.append(f"column {col_url}: neither a jpage datastore nor a jpaas queryData")
                continue
            found[key] = Unit(portal.name, key, name, directory=directory, **ids)
    if result.errors and not found:
        log.warning("portal %s: unit discovery failed: %s", portal.name, "; ".join(result.errors))
        result.units = list(before.values())
        return result
    result.new = sorted(set(found) - set(before))
    result.vanished = sorted(k for k, u in before.items() if k not in found and u.listed)
    for k in result.new:
        log.info(
            "portal %s: new reporting unit %s (%s, %s)", portal.name, found[k].name, k, found[k].mechanism
        )
    for k in result.vanished:
        log.warning(
            "portal %s: reporting unit %s (column %s) is no longer listed on the directory pages",
            portal.name,
            before[k].name,
            k,
        )
    kept = {k: replace(u, listed=False) for k, u in before.items() if k not in found}
    result.units = [*found.values(), *kept.values()]
    _save(settings, portal.name, result.units)
    return result


def _override_for(portal: Portal, unit: Unit) -> dict:
    for o in portal.overrides:
        if str(o.get("id", "")) == unit.column_id or (unit.area and str(o.get("area", "")) == unit.area):
            return o
    return {}


def _agency_code(portal: Portal, unit: Unit, override: dict, names: dict[str, str]) -> tuple[str, str]:
    if override.get("agency_code"):
        return override["agency_code"], override.get("name") or unit.name
    code = names.get(unit.name)
    return (code, unit.name) if code else (unit_agency_code(portal.name, unit.column_id), unit.name)


def columns_of(settings: Settings, portal: Portal) -> tuple[Column, ...]:
    """The portal's columns without network: its fixed/pinned ones, then every discovered unit
    (overrides applied; a disabled one left out)."""
    cols = {c.id: c for c in portal.columns}
    if not portal.directories:
        return tuple(cols.values())
    names = {row["name_zh"]: code for code, row in load_agencies().items()}
    for unit in load_cached(settings, portal.name):
        o = _override_for(portal, unit)
        col_id = str(o.get("id") or unit.column_id)
        if o.get("disabled"):
            continue
        if col_id in cols and o.get("pin"):  # pinned: discovery only fills the ids it leaves empty
            c = cols[col_id]
            if c.mechanism == unit.mechanism:
                cols[col_id] = replace(
                    c,
                    unitid=c.unitid or unit.unitid,
                    area=c.area or unit.area,
                    tpl_set_id=c.tpl_set_id or unit.tpl_set_id,
                    tag_id=c.tag_id or unit.tag_id,
                )
            continue
        code, name = _agency_code(portal, unit, o, names)
        mechanism = o.get("mechanism") or unit.mechanism
        if mechanism not in MECHANISMS:
            continue
        cols[col_id] = Column(
            portal=portal.name,
            id=col_id,
            mechanism=mechanism,
            title=o.get("title") or f"{unit.name}政府信息公开年报",
            agency_code=code,
            agency_name=name,
            unitid=str(o.get("unitid") or unit.unitid),
            area=str(o.get("area") or unit.area),
            tpl_set_id=str(o.get("tpl_set_id") or unit.tpl_set_id),
            tag_id=str(o.get("tag_id") or unit.tag_id),
            verified=bool(o.get("verified", False)),
        )
    return tuple(cols.values())


def with_discovered(settings: Settings, portals: dict[str, Portal]) -> dict[str, Portal]:
    """``portals`` with each one's discovered units added to its columns (no network)."""
    return {name: replace(p, columns=columns_of(settings, p)) for name, p in portals.items()}


def refresh(settings: Settings, portals: dict[str, Portal], portal: str | None = None) -> list[UnitsResult]:
    """Run unit discovery for every portal with directories (or the one named)."""
    return [
        discover_units(settings, p)
        for p in portals.values()
        if p.directories and (portal is None or p.name == portal)
    ]
