"""What list adapters yield: one list item (link, title, date), the shared record parser, and the
reasons a list page cannot be read as a list (a bot challenge, a column whose mechanism changed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin

_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
# an element holding a date and nothing else ("2020-01-02", "[2020-01-02]", "发布日期：2020年1月2日 09:30")
_DATE_ONLY = re.compile(
    r"^\W*(?:发布|成文|生成)?(?:日期|时间)?\W*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\W*$"
)
_DATE_CLASS = re.compile(r"date|time|fbrq|riqi|pubdate|from4|\brq\b", re.I)
_CONTAINERS = {"ul", "ol", "table", "tbody", "thead", "body", "html", "[document]", "form"}
_DATE_TAGS = ["span", "i", "td", "b", "em", "font", "div", "p", "time", "label", "dd"]


@dataclass(frozen=True)
class ListItem:
    url: str
    title: str
    published: date | None
    category: str | None = None  # xxgk 组配分类, when the list shows it


class ListPageError(Exception):
    """A list page that is not the list it should be (a bot challenge, a changed mechanism, a
    reply that stops short); the message is the column's failure reason."""


def parse_date(text: str) -> date | None:
    m = _DATE.search(text or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _holder(a):
    """The element that is one list item around link ``a``: its ``<li>``/``<tr>`` (when that row
    holds only this item), else the largest ancestor that holds no other link."""
    row = a.find_parent(["li", "tr"])
    if row is not None and not row.find(["li", "tr"]) and len(row.find_all("a", href=True)) <= 3:
        return row
    holder = a
    while True:
        parent = holder.parent
        if parent is None or parent.name in _CONTAINERS or len(parent.find_all("a", href=True)) > 1:
            return holder
        holder = parent
        if holder.name in ("li", "tr"):
            return holder


def _item_date(holder, a) -> tuple[date | None, list]:
    """The item's publication date and the elements that hold only a date.

    A date-classed cell wins; else the latest of the date-only cells (a row may show 成文日期 and
    发布日期; publication is never earlier); else a date in the row's text outside the title.
    """
    for el in holder.find_all(_DATE_TAGS, class_=_DATE_CLASS):
        got = parse_date(el.get_text(" ", strip=True))
        if got:
            return got, [el]
    cells = [
        el
        for el in holder.find_all(_DATE_TAGS)
        if _DATE_ONLY.match(el.get_text(" ", strip=True)) and not el.find(_DATE_TAGS)
    ]
    dates = [d for d in (parse_date(el.get_text(" ", strip=True)) for el in cells) if d]
    if dates:
        return max(dates), cells
    text = holder.get_text(" ", strip=True).replace(a.get_text(" ", strip=True), " ")
    return parse_date(text), []


def parse_items(fragment: str, base_url: str) -> list[ListItem]:
    """List items from Hanweb list HTML: ``<li>``/``<tr>``/``<div>`` rows holding a link and a date.

    The date may sit in a ``<span>``, ``<i>``, ``<b>`` or cell, before or after the link, inside the
    link (``<a><span>title</span><i>date</i></a>``), beside a 文号 cell; an item without a date is
    not a list item (navigation, pager). The title is the ``title`` attribute when there is one
    (link text is often truncated or carries CMS debris), else the link text without its date.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(fragment, "lxml")
    items: list[ListItem] = []
    for a in soup.find_all("a", href=True):
        href = a["href"].strip()
        if not href or href.startswith(("#", "javascript:")):
            continue
        holder = _holder(a)
        published, date_cells = _item_date(holder, a)
        if published is None:
            continue
        title = (a.get("title") or "").strip()
        if not title:
            parts = [s for s in a.find_all(string=True) if not any(c in s.parents for c in date_cells)]
            title = " ".join(" ".join(s.strip() for s in parts).split())
        category = holder.find(class_="zpfl")
        items.append(
            ListItem(
                urljoin(base_url + "/", href),
                title,
                published,
                category.get_text(strip=True) if category else None,
            )
        )
    return items


# Bot defences seen in front of Hanweb portals: Knownsec/jiasule (``__jsl_clearance``, HTTP 521 with
# a cookie-setting script), Chaitin SafeLine, Aliyun WAF (``acw_sc__v2``), generic "verify you are a
# browser" interstitials. Vendor cookies/paths are sure signs; words (创宇盾 in a footer, 人机验证 by a
# form) count only on a page without content (few links, no list or article markup).
_CHALLENGE = [
    (re.compile(r"__jsl_clearance|jiasule", re.I), "Knownsec/jiasule JS cookie challenge"),
    (re.compile(r"safeline", re.I), "SafeLine bot challenge"),
    (re.compile(r"acw_sc__v2|aliyun_waf", re.I), "Aliyun WAF challenge"),
    (re.compile(r"cf-browser-verification|challenge-platform|<title>Just a moment", re.I), "Cloudflare challenge"),
]
_CHALLENGE_WORDS = [
    (re.compile(r"知道创宇|创宇盾|雷池"), "WAF block page"),
    (
        re.compile(r"访问验证|人机验证|滑动验证|安全验证|正在进行安全检测|请(开启|启用)\s*(JavaScript|浏览器)"),
        "browser verification page",
    ),
]
_CONTENT = re.compile(r"<(record|datastore|table)\b|querydata|ZJEG_RSS|\"success\"", re.I)


def challenge_reason(text: str) -> str | None:
    """Why ``text`` is a bot-challenge page rather than content (``None`` when it is not one).

    Challenge pages are small; a big page that merely mentions a WAF cookie in a script is content.
    """
    if len(text) > 20000:
        return None
    for pattern, reason in _CHALLENGE:
        if pattern.search(text):
            return f"blocked: {reason}"
    if _CONTENT.search(text) or len(re.findall(r"<a\s", text, re.I)) > 5:
        return None
    for pattern, reason in _CHALLENGE_WORDS:
        if pattern.search(text):
            return f"blocked: {reason}"
    if re.search(r"document\.cookie\s*=", text) and re.search(r"location\.(reload|href|replace)", text):
        return "blocked: JS cookie challenge"
    return None


def check_list_page(text: str, url: str) -> None:
    """Raise :class:`ListPageError` when a list response is a bot challenge, not a list."""
    reason = challenge_reason(text)
    if reason:
        raise ListPageError(f"{reason} at {url} (not parsed as an empty list)")
