"""Agency identity from the reports' own words: the five real seeds' titles and 填报单位, and the
full/short name pairs the district's units use."""

from __future__ import annotations

import re

import pytest

from gongkai.agency import LEVELS, clean, identify, name_from_title, normalise, renames
from gongkai.config import REPO_ROOT

SEEDS = REPO_ROOT / "fixtures" / "reports"
FILLER = re.compile(r"填报单位(?:（盖章）|\(盖章\))?[:：]\s*(\S+)")


def _seed(stem: str) -> tuple[str, str | None]:
    text = (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")
    title = "".join(line.strip() for line in text.strip().splitlines()[:3] if line.strip())
    m = FILLER.search(text)
    return title, (m[1] if m else None)


@pytest.mark.parametrize(
    ("stem", "core", "district", "level", "year"),
    [
        ("000_f4d536c944cec0f0", "新闻中心", "镇海区", "county_department", 2018),
        ("001_ea52101856a8af1f", "人民政府", "海曙区", "county_government", 2018),
        ("002_ac397f543ad98429", "经济合作局", "镇海区", "county_department", 2018),
        ("003_49c6c62204b3e30b", "鄞江镇", None, "township", 2019),
        ("004_5aaa9839169bd157", "咸祥镇", None, "township", 2017),
    ],
)
def test_the_seeds_name_their_agency(stem, core, district, level, year) -> None:
    title, filler = _seed(stem)
    assert name_from_title(title)[1] == year
    who = identify(filler=filler, title=title)
    assert who is not None and not who.conflict, who
    assert (who.name.core, who.name.district, who.name.level) == (core, district, level)


def test_the_filler_wins_and_borrows_the_district_from_the_title() -> None:
    # 002: the form is stamped by 区经济合作局, the title says 镇海区经济合作局
    title, filler = _seed("002_ac397f543ad98429")
    assert filler == "区经济合作局"
    who = identify(filler=filler, title=title, registry_name="镇海区经济合作局")
    assert who.source == "filler"
    assert who.name.district == "镇海区" and who.name.display == "镇海区经济合作局"
    assert who.aliases == ("区经济合作局", "镇海区经济合作局")


@pytest.mark.parametrize(
    "names",
    [
        ("宁波市海曙区人民政府", "海曙区人民政府", "海曙区政府", "浙江省宁波市海曙区人民政府", "海曙區人民政府"),
        ("海曙区人民政府办公室", "海曙区府办", "海曙区政府办公室", "海曙区政府办"),
        ("南门街道办事处", "南门街道", "海曙区南门街道办事处", "南门街道办"),
        ("鄞江镇人民政府", "鄞江镇", "鄞江镇政府", "海曙区鄞江镇人民政府"),
        ("宁波市海曙区卫生健康局（盖章）", "海曙区卫生健康局", "区卫生健康局"),
    ],
)
def test_full_and_short_names_are_one_agency(names) -> None:
    parsed = [normalise(n) for n in names]
    assert len({(p.core, p.level) for p in parsed}) == 1, parsed


def test_levels_and_display_names() -> None:
    cases = {
        "宁波市镇海区人民政府": ("county_government", "镇海区人民政府"),
        "余姚市人民政府": ("county_government", "余姚市人民政府"),
        "区府办": ("county_department", "人民政府办公室"),
        "海曙区住房和城乡建设局": ("county_department", "海曙区住房和城乡建设局"),
        "高桥镇": ("township", "高桥镇人民政府"),
        "石碶街道": ("sub_district", "石碶街道办事处"),
    }
    for raw, (level, display) in cases.items():
        n = normalise(raw)
        assert (n.level, n.display) == (level, display), raw
        assert n.level in LEVELS
    assert normalise("（盖章）") is None
    assert clean("鄞江镇人民政府（盖章）") == "鄞江镇人民政府"


def test_not_a_report_title() -> None:
    assert name_from_title("关于开展2019年度统计工作的通知") == (None, None)


def test_renames_from_one_columns_names_over_the_years() -> None:
    obs = [
        ("haishu/col-a", 2017, "规划局"),
        ("haishu/col-a", 2018, "规划局"),
        ("haishu/col-a", 2019, "自然资源和规划局"),
        ("haishu/col-a", 2020, "自然资源和规划局"),
        # a column whose name flips back and forth is not a rename
        ("haishu/col-b", 2018, "新闻中心"),
        ("haishu/col-b", 2019, "融媒体中心"),
        ("haishu/col-b", 2020, "新闻中心"),
    ]
    (change,) = renames(obs)
    assert (change.predecessor, change.successor, change.year, change.kind) == (
        "规划局",
        "自然资源和规划局",
        2019,
        "rename",
    )
