"""List rows as real portals mark them up (one function per markup seen on real sites)."""

from __future__ import annotations

import html

from replica.site import Article


def _t(a: Article) -> str:
    return html.escape(a.title, quote=True)


def li(a: Article, style: str = "plain", base: str = "") -> str:
    """One ``<li>`` list item.

    - ``legacy``: the seeds site's ``<li><a href title>…</a><span>date</span></li>``;
    - ``plain``: single-quoted attributes, date in a ``<span>`` after the link (wuyi, idx:21229092834);
    - ``cf``: ``li.cf > a.fl + span.fr`` (jiande/linping jpaas lists);
    - ``yuhang``: absolute link, title in ``<span>`` and date in ``<i>`` inside the link;
    - ``wenhao``: a 文号 ``<span>`` before the date ``<span>``;
    - ``mobile``: the mobile copy of a list (different markup from the PC one).
    """
    t, d = _t(a), a.published.isoformat()
    if style == "legacy":
        return f'<li><a href="{a.path}" title="{t}" target="_blank">{t}</a><span>{d}</span></li>'
    if style == "cf":
        return f'<li class="cf border-line"><a class="fl" href="{a.path}" title="{t}" target="_blank">{t}</a><span class="fr">{d}</span></li>'
    if style == "yuhang":
        return f'<li><a href="{base}{a.path}" target="_blank" title="{t}"><span>{t}</span><i>{d}</i></a></li>'
    if style == "wenhao":
        return (
            f"<li><a href='{a.path}' title='{t}' target='_blank'>{t}</a>"
            f"<span>{html.escape(a.doc_no or '')}</span><span>{d}</span></li>"
        )
    if style == "mobile":
        return f'<li class="m-item"><a href="{a.path}"><p class="m-title">{t}</p><p class="m-date">{d}</p></a></li>'
    return f"<li><a href='{a.path}' title='{t}' target='_blank'>{t}</a><span>{d}</span></li>"


def xxgk_row(a: Article, style: str) -> str:
    """One row of the xxgk module's list: the seeds site's table row, or a real layout.

    - ``zj``: zj.gov.cn ``div > span > a`` with 文号 ``span.cont_right_from2`` and date ``span.cont_right_from4``;
    - ``fuyang``: ``li.tab_box > a > span > span[mc]`` with the date in the link's second span.
    """
    t, d = _t(a), a.published.isoformat()
    if style == "zj":
        return (
            f'<div class="zcwj-row"><span class="cont_right_from1"><a href="{a.path}" title="{t}" target="_blank">{t}</a></span>'
            f'<span class="cont_right_from2">{html.escape(a.doc_no or "")}</span>'
            f'<span class="cont_right_from4">{d}</span></div>'
        )
    if style == "fuyang":
        return (
            f'<li class="tab_box"><a href="{a.path}" title="{t}" target="_blank"><span><span mc="{t}">{t}</span></span>'
            f"<span>{d}</span></a></li>"
        )
    return (
        f'<tr><td class="bt"><a href="{a.path}" title="{t}">{t}</a></td>'
        f'<td class="zpfl">{"政府信息公开年报" if a.is_report else "工作动态"}</td>'
        f'<td class="fbrq">{d}</td></tr>'
    )
