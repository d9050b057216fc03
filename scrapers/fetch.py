"""Fetch one report article and its attachments, archive the bytes and extract the report text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from scrapers import archive
from scrapers.article import attachment_links, body_html
from scrapers.extract import (
    MAX_UNZIPPED_BYTES,
    Extracted,
    ExtractionError,
    decode_html,
    extract,
    extract_html,
    sniff_format,
)
from scrapers.http import FetchError, HttpClient
from scrapers.listing import challenge_reason
from scrapers.recognise import report_content_problem


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
    retryable: bool = False  # not ok, and a later run may get it: the column's watermark waits
    gave_up: bool = False  # retryable, but this was the last allowed try (set when landed)
    final_url: str | None = None  # the article page's URL after redirects (a moved article)


def _meta(page: str, name: str) -> str | None:
    m = re.search(rf'<meta\s+name="{name}"\s+content="([^"]*)"', page, re.I)
    return m.group(1) if m else None


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


# an extraction failure that a bad transfer can cause (a short read, a server-side glitch): the
# report is tried again on later runs; other failures (refused by a limit, unsupported) are final
TRANSIENT_EXTRACTION = ("unreadable", "antiword failed", "catdoc failed")


def fetch_report(
    client: HttpClient,
    raw_dir: Path,
    ref: dict,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_unzipped: int = MAX_UNZIPPED_BYTES,
) -> FetchedReport:
    """Download ``ref``'s page and attachments; never raises for bad input: the result says why,
    and ``retryable`` says whether a later run may get a different answer."""
    rep = FetchedReport(ref=ref, status="failed")
    page = _fetch_page(client, raw_dir, rep, etag, last_modified)
    if page is None:
        return rep
    blocked = challenge_reason(page)
    if blocked and report_content_problem(page):
        rep.error, rep.retryable = f"{blocked} (the next run tries again)", True
        return rep
    problems: list[str] = []
    parts: list[tuple[str, str, Extracted]] = []  # (where, format, text)
    try:
        body = extract_html(body_html(page))
    except ExtractionError as exc:
        problems.append(f"page body: {exc}")
    else:
        if body.text.strip():
            parts.append(("page body", "html", body))
    for att_url, label in attachment_links(page, ref["url"]):
        got = _attachment_text(client, raw_dir, rep, att_url, label, problems, max_unzipped)
        if got is not None and got[1].text.strip():
            parts.append((f"attachment {_short(att_url)}", *got))
    _combine(rep, parts, problems)
    _verdict(rep, problems)
    return rep


def _cut_short(resp) -> bool:
    """An HTML page sent without a length check (no Content-Length, not chunked) that stops before
    ``</html>``: the connection most likely closed early."""
    headers = {k.lower(): v for k, v in resp.headers.items()}
    if "content-length" in headers or "chunked" in headers.get("transfer-encoding", "").lower():
        return False
    return sniff_format(resp.content) == "html" and b"</html" not in resp.content[-4096:].lower()


def _fetch_page(client: HttpClient, raw_dir: Path, rep: FetchedReport, etag, last_modified) -> str | None:
    """The decoded article page (archived), or None with ``rep`` saying why."""
    url = rep.ref["url"]
    for _ in range(2):  # a page cut short is asked for once more at once
        try:
            resp = client.get(
                url, referer=url.rsplit("/", 1)[0] + "/", etag=etag, last_modified=last_modified
            )
        except FetchError as exc:
            final = exc.status in (404, 410) or exc.reason.startswith(("oversize", "refused"))
            rep.error, rep.retryable = exc.reason, not final
            return None
        if resp.not_modified:
            rep.status = "not_modified"
            return None
        if not _cut_short(resp):
            break
    else:
        rep.error = (
            f"truncated: the page ends before </html> after {len(resp.content)} bytes (no length sent)"
        )
        rep.retryable = True
        return None
    rep.final_url = resp.url
    rep.etag = resp.headers.get("ETag")
    rep.last_modified = resp.headers.get("Last-Modified")
    data = resp.content
    rep.page_sha = archive.store(raw_dir, data)
    rep.page_bytes = len(data)
    rep.blobs.append({"sha256": rep.page_sha, "size_bytes": len(data), "content_type": "html", "url": url})
    charset = re.search(r"charset=([\w-]+)", resp.headers.get("Content-Type", ""))
    page = decode_html(data, charset.group(1) if charset else None)
    rep.title = _meta(page, "ArticleTitle") or rep.ref.get("title")
    pub = _meta(page, "PubDate")
    rep.published = (pub or rep.ref.get("published") or "")[:10] or None
    return page


def _attachment_text(
    client: HttpClient,
    raw_dir: Path,
    rep: FetchedReport,
    att_url: str,
    label: str,
    problems: list[str],
    max_unzipped: int,
) -> tuple[str, Extracted] | None:
    """Download, archive and extract one attachment; its entry in ``rep.attachments`` says how it went.
    A file that fails to open is downloaded once more at once (a short read rarely repeats)."""
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
    for attempt in (1, 2):
        try:
            att = _get_attachment(client, att_url, rep.ref["url"])
        except FetchError as exc:
            if exc.reason.startswith(("oversize", "refused")):
                entry["status"] = "quarantined"
            else:  # a dead link (404/410) is final: it must not hold the report back on every run
                entry["status"] = "dead" if exc.status in (404, 410) else "failed"
            entry["error"] = exc.reason
            problems.append(f"attachment {_short(att_url)}: {exc.reason}")
            return None
        fmt = sniff_format(att.content, _ext_hint(att.url) or _ext_hint(att_url))
        sha = archive.store(raw_dir, att.content)
        entry.update(sha256=sha, content_type=fmt, bytes=len(att.content))
        if all(b["sha256"] != sha for b in rep.blobs):
            rep.blobs.append(
                {"sha256": sha, "size_bytes": len(att.content), "content_type": fmt, "url": att.url}
            )
        try:
            got = extract(att.content, fmt, max_unzipped=max_unzipped)
        except ExtractionError as exc:
            entry["status"], entry["error"] = "quarantined", str(exc)
            if attempt == 1 and str(exc).startswith(TRANSIENT_EXTRACTION):
                continue
            problems.append(f"attachment {_short(att_url)}: {exc}")
            return None
        entry["status"], entry["error"] = "ok", None
        return fmt, got
    return None


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def same_report_text(a: str, b: str, threshold: float = 0.9) -> bool:
    """Whether two extracted texts are the same report (the page body repeating its attachment):
    equal once whitespace is ignored, or sharing ``threshold`` of their 8-character shingles."""
    na, nb = _norm(a), _norm(b)
    if na == nb:
        return bool(na)
    if min(len(na), len(nb)) < threshold * max(len(na), len(nb)):
        return False
    sa = {na[i : i + 8] for i in range(max(1, len(na) - 7))}
    sb = {nb[i : i + 8] for i in range(max(1, len(nb) - 7))}
    return len(sa & sb) >= threshold * len(sa | sb)


def _cells(text: str) -> int:
    return sum(1 for line in text.split("\n") if line.startswith("\t"))


def combine_texts(
    parts: list[tuple[str, str, Extracted]],
) -> tuple[list[tuple[str, str, Extracted]], list[str]]:
    """The parts ``(where, format, text)`` of a report, page body and attachments in page order,
    with each report text once, and a note per dropped copy. When two parts are the same report
    (:func:`same_report_text`) the one with more table cells is kept (the first on a tie)."""
    kept: list[tuple[str, str, Extracted]] = []
    notes: list[str] = []
    for part in parts:
        twin = next((k for k in kept if same_report_text(k[2].text, part[2].text)), None)
        if twin is None:
            kept.append(part)
            continue
        keep, drop = (part, twin) if _cells(part[2].text) > _cells(twin[2].text) else (twin, part)
        kept[kept.index(twin)] = keep
        notes.append(f"{drop[0]} repeats {keep[0]}: one copy kept")
    return kept, notes


def _combine(rep: FetchedReport, parts: list[tuple[str, str, Extracted]], problems: list[str]) -> None:
    kept, notes = combine_texts(parts)
    problems.extend(notes)
    rep.text = "\n\n".join(p[2].text for p in kept)
    if kept:
        rep.content_type = kept[0][1]
        rep.extractor = "+".join(dict.fromkeys(p[2].extractor for p in kept))
        rep.extractor_version = "+".join(dict.fromkeys(p[2].extractor_version for p in kept))


def _verdict(rep: FetchedReport, problems: list[str]) -> None:
    """ok, failed (a download failed: tried again later) or quarantined (the content is not a
    report; tried again later only when a file failed to open, which a bad transfer can cause)."""
    problem = report_content_problem(rep.text or "")
    unreadable = any(
        a["status"] == "quarantined" and (a["error"] or "").startswith(TRANSIENT_EXTRACTION)
        for a in rep.attachments
    )
    if any(a["status"] == "failed" for a in rep.attachments):
        rep.status, rep.error, rep.retryable = "failed", "; ".join(problems), True
    elif problem:
        rep.status, rep.error, rep.retryable = "quarantined", "; ".join([*problems, problem]), unreadable
    else:
        rep.status, rep.error = "ok", ("; ".join(problems) or None)


def reextract_blob(raw_dir: Path, sha: str, content_type: str):
    """Extract an archived blob again (for :func:`scrapers.run.reextract`)."""
    data = archive.load(raw_dir, sha)
    if content_type == "html":
        return extract_html(body_html(decode_html(data)))
    return extract(data, content_type)
