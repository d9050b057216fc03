"""The renderers' view of a site: list columns, articles, files, redirects and directory pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from replica.site import Article, Attachment


@dataclass
class ListColumn:
    """One list the portal serves (a unit's annual-report column)."""

    id: str
    mechanism: str  # jpage | jpaas | xxgk
    title: str
    articles: list[Article]  # newest first (pinned ones are moved up by ``ordered``)
    portal: str = ""
    webid: str = "1"
    unitid: str = ""
    area: str = ""
    tpl_set_id: str = ""
    tag_id: str = ""
    list_style: str = "plain"  # plain | yuhang | wenhao (jpage/jpaas rows); zj | fuyang (xxgk rows)
    real: bool = False  # real-site shapes (district) rather than the seeds site's simple ones
    source: str = ""  # the publishing agency's name (ContentSource of its articles)


@dataclass
class Directory:
    """A portal page that lists units (a department/town column listing, the xxgk unit tree)."""

    id: str
    title: str
    portal: str
    entries: list[ListColumn]
    names: dict[str, str] = field(default_factory=dict)  # column id -> the name shown


def ordered(items: list[Article]) -> list[Article]:
    """List order as real lists have it: pinned items first (orderid), then newest first."""
    return sorted(items, key=lambda a: (a.pinned, a.published, a.path), reverse=True)


def file_host_path(webid: str, att: Attachment) -> str:
    """Where a Zhejiang JCMS file lives on the provincial OSS bucket."""
    return f"/jcms_files/jcms1/web{webid}/site/attach/0/{att.filename}"
