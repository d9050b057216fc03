"""What one replica serves (columns, directories, redirects, files), its fault state and its
request counters: :class:`Site`, shared by the server and the site builders."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from replica import faults as fault_hooks
from replica.render import article
from replica.render.model import Directory, ListColumn
from replica.site import Article, Attachment


@dataclass
class Site:
    """What one replica serves, plus its fault state and request counters."""

    columns: dict[str, ListColumn]
    directories: dict[str, Directory] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    files: dict[str, Article] = field(default_factory=dict)  # lazily built attachment -> its article
    real: bool = False  # real-site behaviour: browser UA + Referer required on list endpoints
    faults: set[str] = field(default_factory=set)
    hits: Counter = field(default_factory=Counter)
    requests: Counter = field(default_factory=Counter)  # by kind: list | article | attachment | other
    lock: threading.Lock = field(default_factory=threading.Lock)
    throttled: int = 0
    hidden_units: set[str] = field(default_factory=set)  # column ids left out of directories

    def __post_init__(self) -> None:
        self.articles: dict[str, Article] = {}
        self.attachments: dict[str, Attachment] = {}
        self.by_area: dict[str, ListColumn] = {}
        for col in self.columns.values():
            if col.area:
                self.by_area.setdefault(col.area, col)
            for a in col.articles:
                if a.path in self.redirects or a.path in self.gone:
                    continue  # an old URL still listed somewhere: it answers 301 or 404
                self.articles.setdefault(a.path, a)
                for att in a.attachments:
                    self.attachments[att.filename] = att
        self.extras = fault_hooks.extra_articles(self.columns)
        for a in self.extras["non_report"] + self.extras["reposted"]:  # dead_url ones are never served
            self.articles[a.path] = a
        self.redirects.update(fault_hooks.moved_redirects(self.extras))
        self.attachments[fault_hooks.OVERSIZE.filename] = fault_hooks.OVERSIZE
        self.attachments[article.GUIDE.filename] = Attachment(
            article.GUIDE.name, article.GUIDE.filename, _guide_pdf()
        )

    def listing(self, col_id: str) -> list[Article]:
        items = list(self.columns[col_id].articles)
        for fault, extra in self.extras.items():
            if fault in self.faults:
                items += [a for a in extra if a.column_id == col_id]
        return items

    def attachment(self, filename: str) -> Attachment | None:
        att = self.attachments.get(filename)
        if att is None and filename in self.files:
            for a in self.files[filename].materialise().attachments:
                self.attachments.setdefault(a.filename, a)
            att = self.attachments.get(filename)
        if att is not None and att.link == "dead":
            return None
        return att

    def first_hit(self, key: str) -> bool:
        with self.lock:
            self.hits[key] += 1
            return self.hits[key] == 1


def _guide_pdf() -> bytes:
    from replica.layout import parse_layout
    from replica.pdf import text_pdf

    return text_pdf(parse_layout("海曙区政府信息公开指南\n\n一、主动公开\n本机关主动公开政府信息。"))
