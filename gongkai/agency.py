"""Agency identity from what a report says about itself: the title, 发布机构 (the page's publisher)
and 填报单位 (the form's filler), normalised so that the full and short names one agency uses agree
(宁波市海曙区人民政府 = 海曙区人民政府 = 海曙区政府; 区府办 = 区人民政府办公室; 南门街道办事处 = 南门街道;
鄞江镇人民政府 = 鄞江镇), with its level (county government, county department, township,
sub-district), and renames found from one column's names over the years.

Pure functions (standard library + OpenCC); read by the dbt model ``int_agency_observations`` and
by tests. Layer 0: imports nothing from the project."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

LEVELS = {
    "county_government": "县级人民政府",
    "county_department": "县级政府部门",
    "township": "乡镇",
    "sub_district": "街道",
}
SOURCES = ("filler", "publisher", "title", "registry")  # most to least trusted

_HAN = r"\u4e00-\u9fff"
_SEAL = re.compile(r"[（(]\s*(?:盖章|章|公章|签章)\s*[)）]")
_NOISE = re.compile(rf"[^{_HAN}A-Za-z0-9（）()]")
_PROVINCE = re.compile(rf"^[{_HAN}]{{2,3}}(?:省|自治区)")
# a prefecture-level city in front of a district/county name: 宁波市海曙区… → 海曙区…
_CITY = re.compile(rf"^[{_HAN}]{{2,4}}市(?=[{_HAN}]{{1,4}}?[区县])")
_DISTRICT = re.compile(rf"^(?P<district>[{_HAN}]{{1,4}}?(?:区|县|(?<=[{_HAN}]{{2}})市))(?=[{_HAN}])")
_SHORT = (  # short forms, applied after the district prefix is split off
    (re.compile(r"^[区县市]?府办(?:公室)?$"), "人民政府办公室"),
    (re.compile(r"^[区县市]?政府办(?:公室)?$"), "人民政府办公室"),
    (re.compile(r"^[区县市]?政府$"), "人民政府"),
)
_GOVERNMENT = re.compile(r"^(?:人民)?政府$")
_TOWN = re.compile(rf"^(?P<core>[{_HAN}]{{1,6}}?[镇乡])(?:人民政府|政府)?$")
_STREET = re.compile(rf"^(?P<core>[{_HAN}]{{1,6}}?街道)(?:办事处|办)?$")
_TITLE = re.compile(  # Simplified or Traditional: titles are matched before any conversion
    rf"^(?:(?P<y1>(?:19|20)\d\d)\s*年度?)?\s*(?P<agency>[{_HAN}（）()]{{2,40}}?)\s*"
    rf"(?:(?P<y2>(?:19|20)\d\d)\s*年度?)?\s*(?:政府)?(?:信息公[开開]|政[务務]公[开開])"
)
_TITLE_NOISE = re.compile(rf"[^{_HAN}A-Za-z0-9（）()]")


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


@dataclass(frozen=True)
class AgencyName:
    """One name of an agency, normalised. ``core`` is the identity within a district: the name
    without region prefix and without the 人民政府/办事处 suffixes of towns and sub-districts."""

    raw: str
    name: str  # cleaned, as the agency writes it (Simplified), e.g. 宁波市海曙区人民政府
    core: str  # e.g. 人民政府 (the district's government), 经济合作局, 鄞江镇, 南门街道
    district: str | None  # the district/county the name carries, e.g. 海曙区; None when left out
    level: str  # a key of LEVELS

    @property
    def display(self) -> str:
        """The full name, with the district when the name carries it: 海曙区人民政府, 鄞江镇人民政府."""
        if self.level == "township":
            return f"{self.core}人民政府"
        if self.level == "sub_district":
            return f"{self.core}办事处"
        return f"{self.district or ''}{self.core}"


@lru_cache(maxsize=65536)
def clean(raw: str) -> str:
    """NFKC, Simplified characters, no seal marks, spaces or punctuation."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = _to_simplified().convert(text)
    text = _SEAL.sub("", text)
    return _NOISE.sub("", text).replace("(", "（").replace(")", "）")


@lru_cache(maxsize=65536)
def normalise(raw: str) -> AgencyName | None:
    """The normalised name, or ``None`` when nothing name-like is left (memoised: an agency's
    names repeat across its reports)."""
    name = clean(raw)
    if len(name) < 2:
        return None
    rest = _CITY.sub("", _PROVINCE.sub("", name))
    district = None
    m = _DISTRICT.match(rest)
    if m and len(rest) - m.end() >= 2:
        district, rest = m["district"], rest[m.end() :]
    elif rest[:1] in "区县" and len(rest) > 2:  # 区经济合作局: the district left implicit
        rest = rest[1:]
    for pattern, full in _SHORT:
        if pattern.match(rest):
            rest = full
            break
    if _GOVERNMENT.match(rest):
        return AgencyName(raw, name, "人民政府", district, "county_government")
    if town := _TOWN.match(rest):
        return AgencyName(raw, name, town["core"], district, "township")
    if street := _STREET.match(rest):
        return AgencyName(raw, name, street["core"], district, "sub_district")
    return AgencyName(raw, name, rest, district, "county_department")


def name_from_title(title: str) -> tuple[str | None, int | None]:
    """(agency name, report year) from a report title such as 镇海区新闻中心2018年度政府信息公开工作年度报告
    or 2018年度镇海区经济合作局政府信息公开工作报告; ``(None, None)`` when it is not a report title."""
    text = _SEAL.sub("", unicodedata.normalize("NFKC", title or ""))
    m = _TITLE.match(_TITLE_NOISE.sub("", text).replace("（", "(").replace("）", ")"))
    if not m:
        return None, None
    year = m["y1"] or m["y2"]
    agency = clean(m["agency"].strip("()"))
    return agency or None, int(year) if year else None


@dataclass(frozen=True)
class Identity:
    """Who a report speaks for: the chosen name, where it came from, and every name seen."""

    name: AgencyName
    source: str  # one of SOURCES
    aliases: tuple[str, ...] = field(default_factory=tuple)  # every distinct cleaned name seen
    conflict: bool = False  # the sources name different agencies


@lru_cache(maxsize=65536)
def identify(
    *,
    filler: str | None = None,
    publisher: str | None = None,
    title: str | None = None,
    title_name: str | None = None,
    registry_name: str | None = None,
) -> Identity | None:
    """The agency a report speaks for, from its own words first (填报单位, then 发布机构, then the
    title — or ``title_name``, the agency part already taken from it), the registry's name last.
    ``conflict`` is set when two sources give different cores."""
    from_title = title_name or (name_from_title(title)[0] if title else None)
    seen: list[tuple[str, AgencyName]] = []
    for source, raw in zip(SOURCES, (filler, publisher, from_title, registry_name), strict=True):
        n = normalise(raw) if raw else None
        if n is not None:
            seen.append((source, n))
    if not seen:
        return None
    source, chosen = seen[0]
    cores = {n.core for _, n in seen}
    aliases = tuple(dict.fromkeys(n.name for _, n in seen))
    if chosen.district is None:  # borrow the district from a fuller name of the same agency
        fuller = next((n for _, n in seen if n.core == chosen.core and n.district), None)
        if fuller is not None:
            chosen = AgencyName(chosen.raw, chosen.name, chosen.core, fuller.district, chosen.level)
    return Identity(chosen, source, aliases, conflict=len(cores) > 1)


@dataclass(frozen=True)
class Change:
    """A unit renamed (one column, a new name from ``year`` on) or merged (two or more
    predecessors, one successor)."""

    predecessor: str  # core
    successor: str  # core
    year: int  # first report year under the successor's name
    kind: str  # rename | merge


def renames(observations: Iterable[tuple[str, int, str]]) -> list[Change]:
    """Renames from ``(column key, report year, core)``: a column whose reports change name from
    one year to a later one, the old name never coming back on it. Merges are not visible in a
    single column: they come from the registry's overrides."""
    by_column: dict[str, dict[int, str]] = {}
    for column, year, core in observations:
        by_column.setdefault(column, {})[int(year)] = core
    out: dict[tuple[str, str], Change] = {}
    for years in by_column.values():
        ordered = sorted(years.items())
        runs = [c for i, (_, c) in enumerate(ordered) if i == 0 or ordered[i - 1][1] != c]
        if len(runs) != len(set(runs)):  # a name comes back: not a rename, a mislabelled column
            continue
        for (_, before), (year, after) in zip(ordered, ordered[1:], strict=False):
            if before != after and (before, after) not in out:
                out[(before, after)] = Change(before, after, year, "rename")
    return sorted(out.values(), key=lambda c: (c.year, c.predecessor))
