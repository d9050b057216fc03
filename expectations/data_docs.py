"""Data Docs that work offline: GX's pages pull Bootstrap, jQuery, bootstrap-table and Font Awesome
from CDNs. After GX renders the site, every CDN ``<link>``/``<script>`` is pointed at the copies
vendored in ``expectations/assets`` (copied into the site); CDN assets we do not vendor (a date
picker and a dark theme, both optional) are dropped."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

ASSETS = Path(__file__).resolve().parent / "assets"
VENDOR = "static/vendor"  # inside the Data Docs site

# CDN file name -> vendored path under assets/
LOCAL = {
    "bootstrap.min.css": "css/bootstrap.min.css",
    "bootstrap.min.js": "js/bootstrap.min.js",
    "jquery-3.7.1.min.js": "js/jquery.min.js",
    "popper.min.js": "js/popper.min.js",
    "bootstrap-table.min.css": "css/bootstrap-table.min.css",
    "bootstrap-table.min.js": "js/bootstrap-table.min.js",
    "bootstrap-table-filter-control.css": "css/bootstrap-table-filter-control.min.css",
    "bootstrap-table-filter-control.min.css": "css/bootstrap-table-filter-control.min.css",
    "bootstrap-table-filter-control.min.js": "js/bootstrap-table-filter-control.min.js",
    "all.min.css": "css/fontawesome.all.min.css",
}

_TAG = re.compile(
    r"<(?:link[^>]*?href|script[^>]*?src)\s*=\s*[\"'](https?://[^\"']+)[\"'][^>]*>(?:\s*</script>)?",
    re.IGNORECASE,
)


_LOGO = re.compile(r"https://great-expectations-web-assets\.s3[^\"']*?/[\w-]+\.png(?:\?[^\"']*)?")


def _rewrite(html: str, prefix: str) -> str:
    def replace(match: re.Match[str]) -> str:
        url = match.group(1)
        local = LOCAL.get(url.rsplit("/", 1)[-1])
        if local is None:
            return ""  # an optional CDN asset we do not vendor
        tag = match.group(0).replace(url, f"{prefix}{VENDOR}/{local}")
        return re.sub(r'\s(integrity|crossorigin)\s*=\s*"[^"]*"', "", tag)

    html = _LOGO.sub(f"{prefix}static/images/logo-long.png", html)  # GX ships this logo locally
    return _TAG.sub(replace, html)


def make_offline(site_dir: Path) -> int:
    """Vendor the assets into ``site_dir`` and rewrite every page's CDN links; returns pages rewritten."""
    shutil.copytree(ASSETS, site_dir / VENDOR, dirs_exist_ok=True)
    pages = 0
    for page in site_dir.rglob("*.html"):
        depth = len(page.relative_to(site_dir).parts) - 1
        text = page.read_text(encoding="utf-8")
        new = _rewrite(text, "../" * depth)
        if new != text:
            page.write_text(new, encoding="utf-8")
            pages += 1
    return pages


def build_offline_data_docs(context: Any, site_dir: Path) -> Path:
    """Render the context's validation results into ``site_dir`` and make the pages offline-ready."""
    site_dir.mkdir(parents=True, exist_ok=True)
    context.build_data_docs(site_names=["gongkai"])
    make_offline(site_dir)
    return site_dir / "index.html"


def remote_references(site_dir: Path) -> list[str]:
    """Every http(s) stylesheet/script/font reference left in the site (empty when offline-ready)."""
    found = []
    pattern = re.compile(r"""(?:<link[^>]*href|src)\s*=\s*["'](https?://[^"']+)["']""", re.I)
    for page in site_dir.rglob("*.html"):
        found += [f"{os.path.relpath(page, site_dir)}: {u}" for u in pattern.findall(page.read_text("utf-8"))]
    return found
