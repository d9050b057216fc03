"""Fetch one report article and its attachments, archive the bytes and extract the report text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from scrapers import archive
from scrapers.extract import Extracted, ExtractionError, decode_html, extract, extract_html, sniff_format
from scrapers.http import FetchError, HttpClient
from scrapers.recognise import report_content_problem

_ATTACH_EXT = re.compile(r"\.(docx?|pdf|xlsx?|wps)(?:$|[?&#])", re.I)


@dataclass
class FetchedReport:
    ref: dict
    status: str  # ok | failed | quarantined
    error: str | None = None
    page_sha: str | None = None
    page_bytes: int = 0
    title: str | None = None
    published: str | None = None
    content_type: str | None = None
    attachments: list[dict] = field(default_factory=list)
    blobs: list[dict] = field(default_factory=list)  # {sha256, size_bytes, content_type, url}
    text: str | None = None
    extractor: str | None = None
    extractor_version: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def _meta(page: str, name: str) -> str | None:
    m = re.search(rf'<meta\s+name="{name}"\s+content="([^"]*)"', page, re.I)
    return m.group(1) if m else None


def attachment_links(page: str, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, link text) of the article's attachments, in page order."""
    import lxml.html

    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    try:
        root = lxml.html.fromstring(page)
    except (ValueError, lxml.etree.ParserError):
        return out
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if href and ("downfile.jsp" in href or "/attach/" in href or _ATTACH_EXT.search(href)):
            url = urljoin(base_url, href)
            if url not in seen:
                seen.add(url)
                out.append((url, a.text_content().strip()))
    return out


_DOWNFILE = re.compile(
    r"downfile\.jsp\?.*?classid=(\w+).*?filename=([\w.]+)|downfile\.jsp\?.*?filename=([\w.]+)"
)


def _direct_attach_url(client: HttpClient, url: str) -> str | None:
    """The ``/attach/<classid>/<file>`` URL a downfile.jsp link redirects to, once this host's
    redirect target is known (saves one request per attachment)."""
    m = _DOWNFILE.search(url)
    origin = client.shortcuts.get(urlsplit(url).netloc)
    if not m or origin is None:
        return None
    classid, name = (m.group(1), m.group(2)) if m.group(2) else ("0", m.group(3))
    return f"{origin}/attach/{classid}/{name}"


def _learn_shortcut(client: HttpClient, requested: str, final: str) -> None:
    m = _DOWNFILE.search(requested)
    f = urlsplit(final)
    if m and f.path.startswith("/attach/") and f.path.endswith("/" + (m.group(2) or m.group(3))):
        client.shortcuts[urlsplit(requested).netloc] = f"{f.scheme}://{f.netloc}"


def _get_attachment(client: HttpClient, url: str, referer: str):
    direct = _direct_attach_url(client, url)
    if direct is not None:
        try:
            return client.get(direct, referer=referer)
        except FetchError as exc:
            if exc.status != 404:
                raise
    resp = client.get(url, referer=referer)
    _learn_shortcut(client, url, resp.url)
    return resp


def _short(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _ext_hint(url: str) -> str | None:
    m = re.search(r"\.(docx|doc|pdf|xlsx|xls)(?:$|[?&#])", url, re.I)
    return m.group(1).lower() if m else None


def fetch_report(
    client: HttpClient, raw_dir: Path, ref: dict, *, etag: str | None = None, last_modified: str | None = None
) -> FetchedReport:
    """Download ``ref``'s page and attachments; never raises for bad input: the result says why."""
    url = ref["url"]
    rep = FetchedReport(ref=ref, status="failed")
    try:
        resp = client.get(url, referer=url.rsplit("/", 1)[0] + "/", etag=etag, last_modified=last_modified)
    except FetchError as exc:
        rep.error = exc.reason
        return rep
    if resp.not_modified:
        rep.status = "not_modified"
        return rep
    rep.etag = resp.headers.get("ETag")
    rep.last_modified = resp.headers.get("Last-Modified")
    data = resp.content
    rep.page_sha = archive.store(raw_dir, data)
    rep.page_bytes = len(data)
    rep.blobs.append({"sha256": rep.page_sha, "size_bytes": len(data), "content_type": "html", "url": url})
    charset = re.search(r"charset=([\w-]+)", resp.headers.get("Content-Type", ""))
    page = decode_html(data, charset.group(1) if charset else None)
    rep.title = _meta(page, "ArticleTitle") or ref.get("title")
    pub = _meta(page, "PubDate")
    rep.published = (pub or ref.get("published") or "")[:10] or None

    parts: list[str] = []
    extractors: list[tuple[str, str]] = []
    problems: list[str] = []
    try:
        body = extract_html(page)
    except ExtractionError as exc:
        problems.append(f"page body: {exc}")
        body = Extracted("", "html:lxml", "")
    if body.text.strip():
        parts.append(body.text)
        extractors.append((body.extractor, body.extractor_version))
        rep.content_type = "html"
    for att_url, label in attachment_links(page, url):
        entry = {
            "url": att_url,
            "name": label,
            "sha256": None,
            "content_type": None,
            "bytes": None,
            "status": "ok",
            "error": None,
        }
        rep.attachments.append(entry)
        try:
            att = _get_attachment(client, att_url, url)
        except FetchError as exc:
            entry["status"] = "quarantined" if exc.reason.startswith(("oversize", "refused")) else "failed"
            entry["error"] = exc.reason
            problems.append(f"attachment {_short(att_url)}: {exc.reason}")
            continue
        fmt = sniff_format(att.content, _ext_hint(att.url) or _ext_hint(att_url))
        entry.update(sha256=archive.store(raw_dir, att.content), content_type=fmt, bytes=len(att.content))
        rep.blobs.append(
            {"sha256": entry["sha256"], "size_bytes": len(att.content), "content_type": fmt, "url": att.url}
        )
        try:
            got = extract(att.content, fmt)
        except ExtractionError as exc:
            entry["status"], entry["error"] = "quarantined", str(exc)
            problems.append(f"attachment {_short(att_url)}: {exc}")
            continue
        if got.text.strip():
            parts.append(got.text)
            extractors.append((got.extractor, got.extractor_version))
            rep.content_type = rep.content_type or fmt
    rep.text = "\n\n".join(parts)
    if extractors:
        rep.extractor = "+".join(dict.fromkeys(e for e, _ in extractors))
        rep.extractor_version = "+".join(dict.fromkeys(v for _, v in extractors))
    problem = report_content_problem(rep.text)
    if any(a["status"] == "failed" for a in rep.attachments):
        # an attachment could not be downloaded (after retries): the report is incomplete; the
        # next run tries it again
        rep.status, rep.error = "failed", "; ".join(problems)
    elif problem:
        rep.status, rep.error = "quarantined", "; ".join([*problems, problem])
    else:
        rep.status, rep.error = "ok", ("; ".join(problems) or None)
    return rep


def reextract_blob(raw_dir: Path, sha: str, content_type: str):
    """Extract an archived blob again (for :func:`scrapers.run.reextract`)."""
    data = archive.load(raw_dir, sha)
    if content_type == "html":
        return extract_html(decode_html(data))
    return extract(data, content_type)
