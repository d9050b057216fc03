"""The district replica's content: a Haishu-like district portal (≥ 60 reporting units: the district
government, its bureaus and offices, towns 镇 and sub-districts 街道) and two smaller portals
(Zhenhai-like on jpage, Yinzhou-like on xxgk), each unit with its 政府信息公开工作年度报告 of
2008–2025, generated deterministically (no randomness outside a fixed seed, no network).

Everything here is invented except the five real seeds, placed at their real unit and year.
What the world contains (``DISTRICT_EVENTS`` lists it for tests and the README):

- the jpage→jpaas migration of Haishu's department columns (``MIGRATED``): their articles moved to
  ``/col/colN/art/YYYY/art_<hex>.html``; the old ``/art/…`` URLs redirect (301) or are gone (404),
  and the district's jpage aggregate column still links some of the old URLs;
- reports as page body, as attachments (.doc, .docx, .pdf, .xls; a scanned image-only PDF; a .wps
  that is really a .doc and an .et that is really an .xls) and both (body + 统计表 .xls);
- a bureau renamed (区卫生和计划生育局 → 区卫生健康局, same column), two towns merged into one
  sub-district (栎社镇 + 石碶镇 → 石碶街道 from report year 2017; the towns' lists stay, with
  their old reports), a unit that stops existing (区物价局, last report 2018; its column stays),
  a unit that skips a year (章水镇, no 2015 report), reports posted late (six units' 2022 reports
  in Feb–May 2023, four units' 2024 reports in Feb–Apr 2025, 区司法局 every year), a report
  revised after publication, and department reports posted twice (own column + the district
  aggregate column);
- a few reports that break their own arithmetic on purpose (``BROKEN``).
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from replica.forms import render_docx_fast, render_html_body
from replica.layout import Table, parse_layout
from replica.pdf import scanned_pdf, text_pdf
from replica.reports import build_report
from replica.site import ASSET_DIR, SEED_DIR, Article, Attachment, seed_title

YEARS = range(2008, 2026)
MIGRATION = date(2021, 6, 1)  # Haishu's department columns move from jpage to jpaas
SEED = 20240101


@dataclass
class Unit:
    """A reporting unit and its annual-report column on one portal."""

    portal: str
    key: str  # stable slug (replica-internal)
    names: tuple[tuple[int, str], ...]  # (from report year, full name)
    short: str  # as the directory lists it
    kind: str  # government | department | town | street
    mechanism: str  # jpage | jpaas | xxgk
    column_id: str
    unitid: str = ""  # jpage
    area: str = ""  # xxgk
    tpl_set_id: str = ""  # jpaas
    tag_id: str = ""  # jpaas
    first_year: int = 2008
    last_year: int = 2025
    skip: frozenset[int] = frozenset()
    listed: bool = True  # in the portal's directory today
    list_style: str = "plain"  # plain | yuhang | wenhao | zj (xxgk) | fuyang (xxgk)
    articles: list[Article] = field(default_factory=list)

    def name_in(self, year: int) -> str:
        name = self.names[0][1]
        for since, n in self.names:
            if year >= since:
                name = n
        return name


@dataclass
class DistrictPortal:
    name: str
    title: str
    host: str
    webid: str
    directories: dict[str, tuple[str, tuple[str, ...]]]  # directory column id -> (title, unit kinds)
    units: list[Unit] = field(default_factory=list)


@dataclass
class District:
    portals: dict[str, DistrictPortal]
    files: dict[str, Article] = field(default_factory=dict)  # attachment file name -> its article
    redirects: dict[str, str] = field(default_factory=dict)  # old /art/ path -> new path (301)
    gone: set[str] = field(default_factory=set)  # old paths that answer 404

    def units(self) -> list[Unit]:
        return [u for p in self.portals.values() for u in p.units]


def _hex(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def _num(*parts: object, digits: int) -> str:
    return str(int(_hex(*parts), 16) % 10**digits).zfill(digits)


def _tpl_set_id(*parts: object) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    n = int(_hex("tpl", *parts), 16)
    out = ""
    for _ in range(21):
        n, r = divmod(n, len(alphabet))
        out += alphabet[r]
    return out


# ---------------------------------------------------------------------- the units
HAISHU_DEPARTMENTS = (
    # key, full name (from 2019 where renamed: see RENAMES), short
    ("qfb", "宁波市海曙区人民政府办公室", "区府办"),
    ("fgj", "宁波市海曙区发展和改革局", "区发改局"),
    ("jyj", "宁波市海曙区教育局", "区教育局"),
    ("kjj", "宁波市海曙区科学技术局", "区科技局"),
    ("jxj", "宁波市海曙区经济和信息化局", "区经信局"),
    ("mzj", "宁波市海曙区民族宗教事务局", "区民宗局"),
    ("gafj", "宁波市公安局海曙分局", "公安海曙分局"),
    ("mzhj", "宁波市海曙区民政局", "区民政局"),
    ("sfj", "宁波市海曙区司法局", "区司法局"),
    ("czj", "宁波市海曙区财政局", "区财政局"),
    ("rsj", "宁波市海曙区人力资源和社会保障局", "区人力社保局"),
    ("zrzy", "宁波市自然资源和规划局海曙分局", "自然资源规划海曙分局"),
    ("hbj", "宁波市生态环境局海曙分局", "生态环境海曙分局"),
    ("zjj", "宁波市海曙区住房和城乡建设局", "区住建局"),
    ("jtj", "宁波市海曙区交通运输局", "区交通局"),
    ("slj", "宁波市海曙区水利局", "区水利局"),
    ("nyj", "宁波市海曙区农业农村局", "区农业农村局"),
    ("swj", "宁波市海曙区商务局", "区商务局"),
    ("wgl", "宁波市海曙区文化和广电旅游体育局", "区文广旅体局"),
    ("wjj", "宁波市海曙区卫生健康局", "区卫健局"),
    ("tyj", "宁波市海曙区退役军人事务局", "区退役军人局"),
    ("yjj", "宁波市海曙区应急管理局", "区应急管理局"),
    ("sjj", "宁波市海曙区审计局", "区审计局"),
    ("scj", "宁波市海曙区市场监督管理局", "区市场监管局"),
    ("tjj", "宁波市海曙区统计局", "区统计局"),
    ("ybj", "宁波市海曙区医疗保障局", "区医保局"),
    ("zfj", "宁波市海曙区综合行政执法局", "区综合执法局"),
    ("xfj", "宁波市海曙区信访局", "区信访局"),
    ("jgsw", "宁波市海曙区机关事务管理中心", "区机关事务中心"),
    ("sjzx", "宁波市海曙区大数据发展管理中心", "区大数据中心"),
    ("rfb", "宁波市海曙区人民防空办公室", "区人防办"),
    ("dag", "宁波市海曙区档案馆", "区档案馆"),
    ("tcj", "宁波市海曙区投资合作局", "区投资合作局"),
    ("gxb", "宁波市海曙区国有资产管理中心", "区国资中心"),
    ("swzx", "宁波市海曙区行政审批服务中心", "区审批中心"),
    ("jrb", "宁波市海曙区金融工作服务中心", "区金融中心"),
    ("lyj", "宁波市海曙区林业特产服务中心", "区林特中心"),
    ("cgj", "宁波市海曙区城市管理局", "区城管局"),
    ("lsj", "宁波市海曙区粮食和物资储备局", "区粮储局"),
    ("zwb", "宁波市海曙区政务服务办公室", "区政务办"),
    ("qwb", "宁波市海曙区人民政府侨务办公室", "区侨办"),
    ("wbzx", "宁波市海曙区文化遗产管理中心", "区文保中心"),
    ("yjs", "宁波市海曙区人民政府研究室", "区政府研究室"),
    ("wjb", "宁波市海曙区物价局", "区物价局"),
)
RENAMES = {"wjj": ((2008, "宁波市海曙区卫生和计划生育局"), (2019, "宁波市海曙区卫生健康局"))}
HAISHU_TOWNS = (
    ("gqz", "高桥镇人民政府", "高桥镇", "town"),
    ("hjz", "横街镇人民政府", "横街镇", "town"),
    ("jsg", "集士港镇人民政府", "集士港镇", "town"),
    ("glz", "古林镇人民政府", "古林镇", "town"),
    ("dqz", "洞桥镇人民政府", "洞桥镇", "town"),
    ("yjz", "鄞江镇人民政府", "鄞江镇", "town"),
    ("zsz", "章水镇人民政府", "章水镇", "town"),
    ("lgx", "龙观乡人民政府", "龙观乡", "town"),
    ("lsz", "栎社镇人民政府", "栎社镇", "town"),
    ("sqz", "石碶镇人民政府", "石碶镇", "town"),
    ("nmjd", "宁波市海曙区南门街道办事处", "南门街道", "street"),
    ("jxjd", "宁波市海曙区江厦街道办事处", "江厦街道", "street"),
    ("xmjd", "宁波市海曙区西门街道办事处", "西门街道", "street"),
    ("yhjd", "宁波市海曙区月湖街道办事处", "月湖街道", "street"),
    ("gljd", "宁波市海曙区鼓楼街道办事处", "鼓楼街道", "street"),
    ("byjd", "宁波市海曙区白云街道办事处", "白云街道", "street"),
    ("dtjd", "宁波市海曙区段塘街道办事处", "段塘街道", "street"),
    ("wcjd", "宁波市海曙区望春街道办事处", "望春街道", "street"),
    ("sqjd", "宁波市海曙区石碶街道办事处", "石碶街道", "street"),
)
ZHENHAI_UNITS = (
    ("zf", "宁波市镇海区人民政府", "区政府", "government"),
    ("xwzx", "镇海区新闻中心", "区新闻中心", "department"),
    ("jjhz", "镇海区经济合作局", "区经济合作局", "department"),
    ("jyj", "宁波市镇海区教育局", "区教育局", "department"),
    ("mzj", "宁波市镇海区民政局", "区民政局", "department"),
    ("zhjd", "宁波市镇海区招宝山街道办事处", "招宝山街道", "street"),
    ("jcz", "九龙湖镇人民政府", "九龙湖镇", "town"),
)
YINZHOU_UNITS = (
    ("zf", "宁波市鄞州区人民政府", "区政府", "government"),
    ("xxz", "咸祥镇人民政府", "咸祥镇", "town"),
    ("hxz", "横溪镇人民政府", "横溪镇", "town"),
    ("tjz", "塘溪镇人民政府", "塘溪镇", "town"),
    ("dqz", "东钱湖镇人民政府", "东钱湖镇", "town"),
    ("jsjd", "宁波市鄞州区钟公庙街道办事处", "钟公庙街道", "street"),
)
# the five real seeds: (stem, portal, unit key, year, published, form)
SEED_PLACEMENTS = (
    ("001_ea52101856a8af1f", "haishu", "zf", 2018, date(2019, 1, 12), "html"),
    ("003_49c6c62204b3e30b", "haishu", "yjz", 2019, date(2020, 1, 20), "pdf"),
    ("000_f4d536c944cec0f0", "zhenhai", "xwzx", 2018, date(2019, 1, 11), "doc"),
    ("002_ac397f543ad98429", "zhenhai", "jjhz", 2018, date(2019, 1, 10), "docx"),
    ("004_5aaa9839169bd157", "yinzhou", "xxz", 2017, date(2018, 3, 23), "html"),
)
LATE_2023 = {
    "fgj": date(2023, 2, 14),
    "kjj": date(2023, 3, 2),
    "rfb": date(2023, 4, 18),
    "dqz": date(2023, 4, 7),
    "wcjd": date(2023, 5, 22),
    "xfj": date(2023, 2, 3),
}
LATE_2025 = {
    "jxj": date(2025, 3, 12),
    "ybj": date(2025, 2, 20),
    "gljd": date(2025, 4, 1),
    "zwb": date(2025, 2, 6),
}
ALWAYS_LATE = "sfj"  # 区司法局 posts its report in April every year
BROKEN = {
    ("haishu", "kjj", 2024),
    ("zhenhai", "jyj", 2025),
    ("haishu", "tjj", 2016),
    ("haishu", "czj", 2020),
    ("haishu", "mzhj", 2023),
    ("yinzhou", "hxz", 2022),
}
REVISED = ("haishu", "jyj", 2022, date(2023, 3, 15))  # unit, year, date of the correction
SCANNED = ("haishu", "dag", 2014)  # 区档案馆 2014: a scanned image-only PDF
SPECIAL_FORMS = {
    ("haishu", "jtj", 2011): "doc",
    ("haishu", "jtj", 2012): "doc",
    ("haishu", "jtj", 2013): "wps",  # really a Word 97 .doc
    ("haishu", "nyj", 2010): "doc",
    ("haishu", "swj", 2012): "et",  # really an Excel 97 .xls (statistics table; prose in the body)
    ("haishu", "swj", 2013): "both",
    ("haishu", "scj", 2015): "both",
    ("haishu", "czj", 2017): "both",
}
DEAD_ATTACHMENT = ("haishu", "hbj", 2021)  # its 附件 link answers 404 (the report text is in the body)
MIGRATED = True  # Haishu departments are on jpaas today


def _towns_merge(key: str) -> tuple[int, int]:
    """(first, last) report year of the merged towns and their successor."""
    return {"lsz": (2008, 2016), "sqz": (2008, 2016), "sqjd": (2017, 2025)}.get(key, (2008, 2025))


def _units() -> dict[str, DistrictPortal]:
    haishu = DistrictPortal(
        "haishu",
        "宁波市海曙区人民政府门户网站",
        "www.haishu.gov.cn",
        "2963",
        {
            "1229500001": ("部门信息公开年报", ("government", "department")),
            "1229500002": ("乡镇（街道）信息公开年报", ("town", "street")),
        },
    )
    haishu.units.append(
        Unit(
            "haishu",
            "zf",
            ((2008, "宁波市海曙区人民政府"),),
            "区政府",
            "government",
            "jpage",
            "1229102208",
            unitid="7006473",
            list_style="plain",
        )
    )
    for key, name, short in HAISHU_DEPARTMENTS:
        col = "12295" + _num("haishu", key, digits=5)
        mech = "jpage" if key in ("dag", "wjb") else "jpaas"
        u = Unit(
            "haishu",
            key,
            RENAMES.get(key, ((2008, name),)),
            short,
            "department",
            mech,
            col,
            unitid=_num("u", key, digits=7),
            tpl_set_id=_tpl_set_id("haishu"),
            tag_id="阳光政务_分页列表",
        )
        if key == "wjb":
            u.last_year = 2018  # abolished in the 2019 reform; its column stays, with its old reports
        if key == "sfj":
            u.list_style = "yuhang"
        if key == "dag":
            u.list_style = "wenhao"
        haishu.units.append(u)
    for key, name, short, kind in HAISHU_TOWNS:
        first, last = _towns_merge(key)
        u = Unit(
            "haishu",
            key,
            ((2008, name),),
            short,
            kind,
            "xxgk",
            "12296" + _num("haishu", key, digits=5),
            area=("1133020" + _num("area", key, digits=11))
            if kind == "street"
            else "0029" + _num(key, digits=5),
            first_year=first,
            last_year=last,
            list_style="zj",
        )
        if key == "zsz":
            u.skip = frozenset({2015})
        if key == "yjz":  # a town with its own jpaas column (where the real 2019 seed sits)
            u.first_year, u.mechanism, u.column_id, u.area = 2016, "jpaas", "1229565861", ""
            u.tpl_set_id, u.tag_id, u.list_style = _tpl_set_id("haishu"), "阳光政务_分页列表", "plain"
        haishu.units.append(u)
    zhenhai = DistrictPortal(
        "zhenhai",
        "宁波市镇海区人民政府门户网站",
        "www.zh.gov.cn",
        "2841",
        {"1229600001": ("政府信息公开年报", ("government", "department", "town", "street"))},
    )
    ids = {"xwzx": ("1229045481", "6412894"), "jjhz": ("1229045478", "6412891")}
    for key, name, short, kind in ZHENHAI_UNITS:
        col, unitid = ids.get(key, ("12294" + _num("zhenhai", key, digits=5), _num("zu", key, digits=7)))
        zhenhai.units.append(
            Unit(
                "zhenhai",
                key,
                ((2008, name),),
                short,
                kind,
                "jpage",
                col,
                unitid=unitid,
                first_year=2014,
                list_style="yuhang" if key == "mzj" else "plain",
            )
        )
    yinzhou = DistrictPortal(
        "yinzhou",
        "宁波市鄞州区人民政府门户网站",
        "www.nbyz.gov.cn",
        "2756",
        {"1229700001": ("政府信息公开年报", ("government", "town", "street"))},
    )
    for key, name, short, kind in YINZHOU_UNITS:
        area = "002964115" if key == "xxz" else "0029" + _num("yz", key, digits=5)
        yinzhou.units.append(
            Unit(
                "yinzhou",
                key,
                ((2008, name),),
                short,
                kind,
                "xxgk",
                "xxgk-xianxiang" if key == "xxz" else "12297" + _num("yinzhou", key, digits=5),
                area=area,
                first_year=2014,
                list_style="fuyang",
            )
        )
    return {p.name: p for p in (haishu, zhenhai, yinzhou)}


# ---------------------------------------------------------------------- publication dates
def published_on(unit: Unit, year: int, rng: random.Random) -> date:
    """When ``unit`` posts its report for ``year``: January (departments, towns) or February–March
    (governments), with the late ones of ``LATE_2023`` and ``ALWAYS_LATE``."""
    if year == 2022 and unit.portal == "haishu" and unit.key in LATE_2023:
        return LATE_2023[unit.key]
    if year == 2024 and unit.portal == "haishu" and unit.key in LATE_2025:
        return LATE_2025[unit.key]
    if unit.key == ALWAYS_LATE and unit.portal == "haishu":
        return date(year + 1, 4, 8) + timedelta(days=rng.randint(0, 10))
    if unit.kind == "government":
        return date(year + 1, 2, 1) + timedelta(days=rng.randint(0, 50))
    return date(year + 1, 1, 5) + timedelta(days=rng.randint(0, 24))


def _form(unit: Unit, year: int, rng: random.Random) -> str:
    special = SPECIAL_FORMS.get((unit.portal, unit.key, year))
    if special:
        return special
    if (unit.portal, unit.key, year) == SCANNED:
        return "scanned"
    r = rng.random()
    if r < 0.7:
        return "html"
    if r < 0.88:
        return "docx"
    if r < 0.93 and year >= 2012:
        return "pdf"
    return "html"


def _doc_from_template(name: str, year: int) -> bytes:
    """Seed 002's Word 97 file with the agency and years substituted (same length, UTF-16 text)."""
    data = (ASSET_DIR / "002_ac397f543ad98429.doc").read_bytes()
    short = "区" + name.split("区", 1)[1] if "区" in name else name
    subs = [
        ("镇海区经济合作局", name),
        ("区经济合作局", short),
        ("镇海区", name[3:6]),
        ("2019", str(year + 1)),
        ("2018", str(year)),
    ]
    for old, new in subs:
        if len(old) == len(new):
            data = data.replace(old.encode("utf-16-le"), new.encode("utf-16-le"))
    return data


def _xls(table_blocks: list[Table]) -> bytes:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("统计表")
    r = 0
    for t in table_blocks:
        for row in t.rows:
            for c, cell in enumerate(row):
                ws.write(r, c, "\n".join(cell))
            r += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _report_article(unit: Unit, year: int, rng: random.Random, files: dict[str, Article]) -> Article:
    """The report's article; its body and files are built when first served (``Article.lazy``)."""
    name = unit.name_in(year)
    published = published_on(unit, year, rng)
    form = _form(unit, year, rng)
    title = f"{name}{year}年政府信息公开工作年度报告"
    if form in ("doc", "wps"):
        title = f"{year}年度{name}政府信息公开工作报告"
    n = int(_num(unit.column_id, year, digits=6))
    link = "oss" if unit.portal == "haishu" and unit.mechanism == "jpaas" and year % 2 else "downfile"
    if unit.portal == "haishu" and unit.mechanism == "jpaas" and year % 3 == 0:
        link = "direct-oss"
    fname = _hex(unit.portal, unit.key, year)
    ext = {"et": "et", "both": "xls", "scanned": "pdf"}.get(form, form)
    a = Article(
        _article_path(unit, published, n),
        title,
        published,
        name,
        "",
        is_report=True,
        column_id=unit.column_id,
    )
    key = (unit.portal, unit.key, year)

    def build() -> tuple[str, list[Attachment]]:
        rep = build_report(
            name, year, SEED, broken=key in BROKEN, scale=3 if unit.kind == "government" else 1
        )
        blocks = parse_layout(rep.text)
        atts: list[Attachment] = []
        body = ""
        if form == "html":
            body = render_html_body(blocks)
        elif form == "docx":
            atts.append(
                Attachment(f"附件：{title}.docx", f"{fname}.docx", render_docx_fast(blocks), link=link)
            )
            body = f"<p>{title}（详见附件）</p>"
        elif form == "pdf":
            atts.append(Attachment(f"附件：{title}.pdf", f"{fname}.pdf", text_pdf(blocks), link=link))
        elif form in ("doc", "wps"):
            atts.append(
                Attachment(f"{title}.{form}", f"{fname}.{form}", _doc_from_template(name, year), link=link)
            )
        elif form in ("et", "both"):
            body = render_html_body([b for b in blocks if not isinstance(b, Table)])
            atts.append(
                Attachment(
                    f"附件：{name}{year}年政府信息公开情况统计表.{ext}",
                    f"{fname}.{ext}",
                    _xls([b for b in blocks if isinstance(b, Table)]),
                    link=link,
                )
            )
        elif form == "scanned":
            atts.append(
                Attachment(
                    f"附件：{title}（扫描件）.pdf", f"{fname}.pdf", scanned_pdf(2, seed=year), link=link
                )
            )
            body = "<p>（扫描件，见附件）</p>"
        if key == DEAD_ATTACHMENT:
            atts.append(
                Attachment(
                    "附件：政府信息公开工作年度报告（图解）.pdf",
                    f"{_hex('dead', year)}.pdf",
                    b"",
                    link="dead",
                )
            )
        if key == REVISED[:3]:
            body += f"<p>更正说明：本报告于{REVISED[3]:%Y年%-m月%-d日}更正了个别数据表述。</p>"
        return body, atts

    if form != "html":
        files[f"{fname}.{ext}"] = a
    a.lazy = build
    if unit.portal == "haishu" and unit.mechanism == "jpaas":
        a.template = "art-con" if year % 2 else "zc_article_con"
    if key == REVISED[:3]:
        a.modified = REVISED[3]
    if unit.list_style == "wenhao":
        a.doc_no = f"海档〔{published.year}〕{year % 7 + 1}号"
    return a


def _article_path(unit: Unit, published: date, n: int) -> str:
    if unit.mechanism == "jpaas":
        return f"/col/col{unit.column_id}/art/{published.year}/art_{_hex(unit.column_id, published, n)}.html"
    return f"/art/{published.year}/{published.month}/{published.day}/art_{unit.column_id}_{n}.html"


def _old_path(unit: Unit, a: Article) -> str:
    return (
        f"/art/{a.published.year}/{a.published.month}/{a.published.day}/art_{unit.column_id}_"
        f"{_num(a.path, digits=7)}.html"
    )


def _news(unit: Unit, k: int) -> Article:
    published = date(2016 + 3 * k, 4, 10 + k)
    title = f"{unit.short}{published.year}年政务公开工作要点（合成示例，非年报）"
    path = _article_path(unit, published, 900000 + k)
    return Article(
        path,
        title,
        published,
        unit.names[-1][1],
        "<p>本地复制站点的合成示例，不是政府信息公开年度报告。</p>",
        column_id=unit.column_id,
    )


def _seed_article(unit: Unit, stem: str, year: int, published: date, form: str) -> Article:
    text = (SEED_DIR / f"{stem}.txt").read_text(encoding="utf-8")
    title = seed_title(text)
    path = _article_path(unit, published, 100 + int(stem[:3]))
    if form == "html":
        return Article(
            path,
            title,
            published,
            unit.name_in(year),
            render_html_body(parse_layout(text)),
            is_report=True,
            seed=stem,
            column_id=unit.column_id,
        )
    att = Attachment(
        f"{title}.{form}", f"{_hex(path, form)}.{form}", (ASSET_DIR / f"{stem}.{form}").read_bytes()
    )
    return Article(
        path,
        title,
        published,
        unit.name_in(year),
        "",
        [att],
        is_report=True,
        seed=stem,
        column_id=unit.column_id,
    )


@lru_cache(maxsize=2)
def build_district() -> District:
    """The whole district, deterministic (fixed seed)."""
    portals = _units()
    district = District(portals)
    seeds = {(p, k, y): (stem, pub, form) for stem, p, k, y, pub, form in SEED_PLACEMENTS}
    for portal in portals.values():
        for unit in portal.units:
            rng = random.Random(f"{SEED}|{unit.portal}|{unit.key}")
            for year in YEARS:
                if year < unit.first_year or year > unit.last_year or year in unit.skip:
                    continue
                seed = seeds.get((unit.portal, unit.key, year))
                if seed:
                    unit.articles.append(_seed_article(unit, seed[0], year, seed[1], seed[2]))
                    continue
                unit.articles.append(_report_article(unit, year, rng, district.files))
            unit.articles += [_news(unit, k) for k in range(2)]
            unit.articles.sort(key=lambda a: (a.published, a.path), reverse=True)
    haishu = portals["haishu"]
    # a pinned report out of date order (the oldest, listed first)
    tjj = next(u for u in haishu.units if u.key == "tjj")
    oldest = min((a for a in tjj.articles if a.is_report), key=lambda a: a.published)
    oldest.pinned = True
    # the jpage→jpaas migration: pre-migration articles of migrated columns had /art/ URLs; even ones
    # redirect, odd ones are gone. The district aggregate column still links a few of them.
    zf = next(u for u in haishu.units if u.key == "zf")
    for unit in haishu.units:
        if unit.mechanism != "jpaas":
            continue
        for i, a in enumerate(a for a in unit.articles if a.is_report and a.published < MIGRATION):
            old = _old_path(unit, a)
            if i % 2 == 0:
                district.redirects[old] = a.path
            else:
                district.gone.add(old)
            if unit.key in ("fgj", "jyj", "czj") and a.published.year in (2019, 2020):
                zf.articles.append(
                    Article(old, a.title, a.published, a.source, "", is_report=True, column_id=zf.column_id)
                )
    zf.articles.sort(key=lambda a: (a.published, a.path), reverse=True)
    return district


def events() -> dict[str, object]:
    """What the district contains on purpose (for tests and docs)."""
    return {
        "renamed": RENAMES,
        "merged": {"石碶街道": ("栎社镇", "石碶镇"), "from_year": 2017},
        "stopped": {"区物价局": 2018},
        "skipped": {"章水镇": 2015},
        "late_2023": sorted(LATE_2023),
        "late_2025": sorted(LATE_2025),
        "always_late": ALWAYS_LATE,
        "broken": sorted(BROKEN),
        "revised": REVISED,
        "scanned": SCANNED,
        "special_forms": SPECIAL_FORMS,
        "dead_attachment": DEAD_ATTACHMENT,
    }


def district_site():
    """The district as the server's :class:`replica.server.Site` (real-site shapes on)."""
    from replica.render.model import Directory, ListColumn
    from replica.state import Site

    d = build_district()
    columns: dict[str, ListColumn] = {}
    directories: dict[str, Directory] = {}
    for portal in d.portals.values():
        for dir_id, (title, _kinds) in portal.directories.items():
            directories[dir_id] = Directory(dir_id, title, portal.name, [])
        for u in portal.units:
            col = ListColumn(
                u.column_id,
                u.mechanism,
                f"{u.short}政府信息公开年报",
                u.articles,
                portal=portal.name,
                webid=portal.webid,
                unitid=u.unitid,
                area=u.area,
                tpl_set_id=u.tpl_set_id,
                tag_id=u.tag_id,
                list_style=u.list_style,
                real=True,
                source=u.names[-1][1],
            )
            columns[col.id] = col
            if not u.listed:
                continue
            for dir_id, (_, kinds) in portal.directories.items():
                if u.kind in kinds:
                    directories[dir_id].entries.append(col)
                    directories[dir_id].names[col.id] = u.short if u.mechanism != "xxgk" else u.names[-1][1]
    return Site(columns, directories, dict(d.redirects), set(d.gone), dict(d.files), real=True)
