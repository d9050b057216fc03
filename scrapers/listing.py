"""What list adapters yield: one list item (link, title, date), and the shared record parser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin

_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


@dataclass(frozen=True)
class ListItem:
    url: str
    title: str
    published: date | None
    category: str | None = None  # xxgk 组配分类, when the list shows it


def parse_date(text: str) -> date | None:
    m = _DATE.search(text or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_items(fragment: str, base_url: str) -> list[ListItem]:
    """List items from Hanweb list HTML: ``<li><a href title>…</a><span|i>date</span></li>`` or table rows.

    The title is taken from the ``title`` attribute (the link text is often truncated); the date
    from the item's ``<span>``/``<i>``/date cell.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(fragment, "lxml")
    items: list[ListItem] = []
    for a in soup.find_all("a", href=True):
        holder = a.find_parent(["li", "tr"]) or a.parent
        if holder is None:
            continue
        dated = holder.find(["span", "i", "td"], class_=re.compile("date|time|fbrq")) or holder.find(
            ["span", "i"]
        )
        published = parse_date(dated.get_text() if dated else holder.get_text())
        if published is None:
            continue
        title = (a.get("title") or a.get_text()).strip()
        category = holder.find(class_="zpfl")
        items.append(
            ListItem(
                urljoin(base_url + "/", a["href"]),
                title,
                published,
                category.get_text(strip=True) if category else None,
            )
        )
    return items
