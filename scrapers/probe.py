"""Onboarding a real portal: read one column or directory page (live, or saved from a browser) and
say which list mechanism it uses, with which ids, as a ready registry entry.

``probe_page`` works on the page text alone; ``probe_url`` fetches the page politely and, for
jpaas, asks the unit API for its first page, which verifies ``tplSetId``/``tagId`` and counts items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

from scrapers import jpaas, jpage, xxgk
from scrapers.http import FetchError, HttpClient
from scrapers.listing import ListItem, ListPageError, challenge_reason, parse_items
from scrapers.recognise import is_report_item
from scrapers.registry import Column, Portal

# The provincial OSS buckets Zhejiang JCMS sites serve attachments from (portal research, A.5)
ZHEJIANG_FILE_HOSTS = ("*.cloud.zj.gov.cn", "zjjcmspublic.oss-cn-hangzhou.aliyuncs.com")
_COLUMN_URL = re.compile(r"/col/col(\w+)/")
_REPORT_COLUMN = re.compile(r"年报|年度报告|公开工作报告")
_REPORT_SUFFIX = re.compile(r"(政府|政务)?信息公开(工作)?(年度报告|年报)$")


class ProbeError(Exception):
    """The source cannot be probed (unreadable, blocked, not a Hanweb page); one line for the user."""


@dataclass
class Probe:
    source: str
    kind: str  # column | directory
    mechanism: str | None = None  # jpage | jpaas | xxgk
    host: str | None = None
    column_id: str | None = None
    title: str | None = None
    site_name: str | None = None
    ids: dict[str, str] = field(default_factory=dict)
    total: int | None = None  # list size the page announces
    items: list[ListItem] = field(default_factory=list)  # first page
    columns: list[dict[str, str]] = field(default_factory=list)  # directory: {id, title, url}
    path: str | None = None  # the page's path on its host (known for a URL)
    warnings: list[str] = field(default_factory=list)

    @property
    def report_items(self) -> list[ListItem]:
        return [i for i in self.items if is_report_item(i.title, i.category)]

    def registry_entry(self, portal_key: str | None = None) -> dict:
        """The ``portals:`` mapping for scrapers/portals.yaml: a directory page becomes a
        ``directories`` entry (its units are discovered from it, scrapers/units.py); a column page
        becomes a pinned ``overrides`` entry with the ids found."""
        host = self.host or "www.example.gov.cn"
        key = portal_key or _portal_key(host)
        spec: dict[str, object] = {
            "name": self.site_name or self.ids.get("webname") or "TODO",
            "hosts": [host],
            "file_hosts": list(ZHEJIANG_FILE_HOSTS) if host.endswith(".gov.cn") else [],
            "webid": self.ids.get("webid") or self.ids.get("webId") or "TODO",
            "webname": self.ids.get("webname") or self.site_name or "TODO",
        }
        if self.kind == "directory":
            spec["directories"] = [self.path or "TODO: this page's path, e.g. /col/col1229500001/index.html"]
        else:
            spec["overrides"] = [self._column_entry()]
        return {"portals": {key: spec}}

    def _column_entry(self) -> dict:
        entry: dict[str, object] = {"id": self.column_id or "TODO", "pin": True, "mechanism": self.mechanism}
        if self.mechanism == "jpage":
            entry["unitid"] = self.ids.get("unitid", "TODO")
        elif self.mechanism == "jpaas":
            entry["tpl_set_id"] = self.ids.get("tplSetId", "TODO")
            entry["tag_id"] = self.ids.get("tagId", "TODO")
        elif self.mechanism == "xxgk":
            entry["area"] = self.ids.get("area", "TODO")
        unit = _REPORT_SUFFIX.sub("", self.title or "") or self.site_name or "TODO"
        entry.update(title=self.title or "TODO", name=unit, verified=False)
        return entry

    def registry_yaml(self, portal_key: str | None = None) -> str:
        import yaml

        text = yaml.safe_dump(
            self.registry_entry(portal_key), allow_unicode=True, sort_keys=False, default_flow_style=None, width=200
        )
        return (
            "# paste under `portals:` in scrapers/portals.yaml (merge with an existing portal); add\n"
            "# agency_code when dbt_project/seeds/agencies.csv names the unit; once a scrape lists its\n"
            "# reports, verified: true\n" + text
        )


def _portal_key(host: str) -> str:
    parts = [p for p in host.split(":")[0].split(".") if p not in ("www", "gov", "cn", "com", "org", "net")]
    return parts[0] if parts else host


def _meta(page: str, name: str) -> str | None:
    m = re.search(rf"""<meta\s+name=["']?{name}["']?\s+content=["']([^"']*)["']""", page, re.I) or re.search(
        rf"""<meta\s+content=["']([^"']*)["']\s+name=["']?{name}["']?""", page, re.I
    )
    return m.group(1).strip() if m else None


def _title(page: str) -> str | None:
    m = re.search(r"<title>\s*([^<]*?)\s*</title>", page, re.I | re.S)
    return (m.group(1).split("_")[0].split("-")[0].strip() or None) if m else None


def _stub(column_id: str, **ids: str) -> Column:
    return Column(portal="probe", id=column_id, mechanism="", title="", agency_code="", agency_name="", **ids)


def probe_page(page: str, source: str, url: str | None = None) -> Probe:
    """What the page is: a jpage, jpaas or xxgk column, or a directory of columns."""
    reason = challenge_reason(page)
    if reason:
        raise ProbeError(f"{reason} in {source}: open the page in a browser, save it and probe the file")
    parts = urlsplit(url or "")
    host = parts.netloc or _meta(page, "SiteDomain")
    base = f"{parts.scheme}://{parts.netloc}" if parts.netloc else f"https://{host or 'www.example.gov.cn'}"
    col = _COLUMN_URL.search(parts.path) if parts.path else None
    column_id = col.group(1) if col else _meta(page, "ColId") or _meta(page, "i_columnid")
    probe = Probe(
        source=source,
        kind="column",
        path=parts.path or None,
        host=host,
        column_id=column_id,
        title=_meta(page, "ColumnName") or _title(page),
        site_name=_meta(page, "SiteName"),
    )
    units = jpage.page_units(page)
    if units:
        unit = jpage.choose_unit(units, _stub(column_id or ""))
        probe.mechanism = "jpage"
        probe.column_id = column_id or unit.ajax.get("columnid")
        probe.ids = {k: v for k, v in unit.ajax.items() if k in ("webid", "webname", "columnid", "unitid")}
        probe.ids.update(unitid=unit.unitid or unit.ajax.get("unitid", ""), proxyUrl=unit.proxy_url, perPage=str(unit.per_page))
        probe.total = unit.total
        probe.items = parse_items("".join(unit.records), base)
        if len(units) > 1:
            probe.warnings.append(
                f"{len(units)} jpage units on the page ({', '.join(u.unitid or '?' for u in units)}); "
                f"chose {unit.unitid or '?'}: check it is the column's list"
            )
        if unit.total and not unit.records:
            probe.warnings.append("no records embedded: the list is loaded by POST only")
        return probe
    try:
        query_units = jpaas.page_units(page)
    except ListPageError as exc:
        raise ProbeError(str(exc)) from exc
    if query_units:
        unit = jpaas.choose_unit(query_units, _stub(column_id or ""))
        probe.mechanism = "jpaas"
        probe.column_id = column_id or str(unit.get("pageId") or "") or None
        probe.ids = {k: str(v) for k, v in unit.items()}
        if not jpaas.TPL_SET_ID.match(probe.ids.get("tplSetId", "")):
            probe.warnings.append(f"tplSetId {probe.ids.get('tplSetId')!r} is not 21 letters/digits like real ones")
        if len(query_units) > 1:
            tags = ", ".join(str(u.get("tagId")) for u in query_units)
            probe.warnings.append(f"{len(query_units)} jpaas units ({tags}); chose {unit.get('tagId')!r}")
        return probe
    xxgk_like = re.search(r"xxgk|信息公开目录", page) and re.search(r"currpage|共\s*\d+\s*页", page)
    if "/module/xxgk/" in parts.path or xxgk_like:
        items = parse_items(page, base)
        own_area = parse_qs(parts.query).get("area", [None])[0]
        areas = set(re.findall(r"[?&](?:amp;)?area=([\w-]+)", page))
        area = own_area or (areas.pop() if len(areas) == 1 else None)
        if items or area:  # several unit codes and no rows: the module's unit directory (below)
            probe.mechanism = "xxgk"
            probe.kind = "column"
            probe.column_id = column_id or (f"xxgk-{area}" if area else None)
            probe.ids = {"area": area or "", "webid": parse_qs(parts.query).get("jdid", [""])[0] or _first(r"jdid=(\d+)", page) or ""}
            probe.items = items
            probe.total = xxgk.page_count(page, len(items))
            return probe
    columns = [c for c in _directory(page, base, probe.title) if c["id"] != column_id]
    if columns:
        probe.kind, probe.columns = "directory", columns
        probe.ids["webid"] = _first(r"webid=(\d+)", page) or _first(r"jdid=(\d+)", page) or ""
        return probe
    raise ProbeError(
        f"{source}: not a Hanweb column or directory page (no jpage datastore, no jpaas queryData, "
        "no xxgk list, no /col/col… links)"
    )


def _first(pattern: str, text: str) -> str | None:
    m = re.search(pattern, text)
    return m.group(1) if m else None


def _unit_link(a, base: str) -> dict[str, str] | None:
    """A link to a unit's column (``/col/colN/``) or to its xxgk list (``/module/xxgk/…?area=CODE``)."""
    href, name = a["href"], (a.get("title") or a.get_text(" ", strip=True)).strip()
    if not name:
        return None
    area = re.search(r"[?&]area=([\w-]+)", href) if "/module/xxgk/" in href else None
    if area:
        key = f"xxgk-{area.group(1)}"
        return {"id": key, "title": name, "url": urljoin(base + "/", href), "mechanism": "xxgk", "area": area.group(1)}
    col = _COLUMN_URL.search(href)
    if col:
        return {"id": col.group(1), "title": name, "url": urljoin(base + "/", href)}
    return None


def _directory(page: str, base: str, own_title: str | None) -> list[dict[str, str]]:
    """The units a directory page lists, in page order: links whose names say they are annual-report
    columns (年报, 年度报告), the xxgk module's units (``area`` codes), and, on a page that is itself an
    annual-report directory (部门信息公开年报), every unit link of its largest list."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "lxml")
    out: dict[str, dict[str, str]] = {}
    if own_title and _REPORT_COLUMN.search(own_title):
        lists = [el for el in soup.find_all(["ul", "ol", "table", "div"]) if not el.find(["ul", "ol", "table"])]
        counted = [(sum(1 for a in el.find_all("a", href=True) if _unit_link(a, base)), el) for el in lists]
        best = max(counted, key=lambda c: c[0], default=(0, None))
        if best[0] >= 2:
            for a in best[1].find_all("a", href=True):
                link = _unit_link(a, base)
                if link:
                    out.setdefault(link["id"], link)
    for a in soup.find_all("a", href=True):
        link = _unit_link(a, base)
        if link and ("area" in link or _REPORT_COLUMN.search(link["title"])):
            out.setdefault(link["id"], link)
    return list(out.values())


def probe_url(url: str, *, client: HttpClient | None = None) -> Probe:
    """Fetch a column/directory page and probe it; a jpaas column's first list page is fetched too."""
    from scrapers.extract import decode_html

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ProbeError(f"not an http(s) URL: {url}")
    client = client or HttpClient({parts.netloc}, interval=1.0, retries=2)
    try:
        resp = client.get(url)
    except FetchError as exc:
        hint = " (blocked? save the page from a browser and probe the file)" if exc.status in (403, 412, 521) else ""
        raise ProbeError(f"cannot fetch {url}: {exc.reason}{hint}") from exc
    charset = re.search(r"charset=([\w-]+)", resp.headers.get("Content-Type", ""))
    page = decode_html(resp.content, charset.group(1) if charset else None)
    probe = probe_page(page, url, resp.url)
    if probe.mechanism == "jpaas":
        _first_jpaas_page(client, probe, f"{parts.scheme}://{parts.netloc}")
    elif probe.mechanism == "jpage" and (probe.total or 0) > len(probe.items):
        _second_jpage_page(client, probe, f"{parts.scheme}://{parts.netloc}")
    elif probe.mechanism == "xxgk" and not probe.items:
        probe.warnings.append("no list rows on this page")
    return probe


def _first_jpaas_page(client: HttpClient, probe: Probe, base: str) -> None:
    ids = probe.ids
    column = _stub(probe.column_id or "", tpl_set_id=ids.get("tplSetId", ""), tag_id=ids.get("tagId", ""))
    portal = Portal("probe", "", (urlsplit(base).netloc,), (), ids.get("webId", ""), "", (column,))
    try:
        pages = jpaas.iter_pages(client, portal, column, base)
        probe.items = next(pages, [])
    except (ListPageError, FetchError) as exc:
        probe.warnings.append(f"the unit API did not list this column: {exc}")


def _second_jpage_page(client: HttpClient, probe: Probe, base: str) -> None:
    """One dataproxy POST with the page's own ajaxParam: do the column id and unit id page?"""
    ids = probe.ids
    column = _stub(probe.column_id or "", unitid=ids.get("unitid", ""))
    portal = Portal("probe", "", (urlsplit(base).netloc,), (), ids.get("webid", ""), ids.get("webname", ""), (column,))
    try:
        pages = jpage.iter_pages(client, portal, column, base)
        next(pages, None)
        more = next(pages, None)
    except (ListPageError, FetchError) as exc:
        probe.warnings.append(f"dataproxy did not page this column: {exc}")
        return
    ids["dataproxy"] = f"POST answered {len(more or [])} more items"


def probe_file(path: str, url: str | None = None) -> Probe:
    """Probe a page saved from a browser; ``url`` is where it was saved from (ids, link base)."""
    from scrapers.extract import decode_html

    file = Path(path)
    if not file.is_file():
        raise ProbeError(f"no such file, and not an http(s) URL: {path}")
    return probe_page(decode_html(file.read_bytes()), path, url)
