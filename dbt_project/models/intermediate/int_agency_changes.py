"""Renames and merges between agencies (grain: one predecessor → successor edge):

* rename — one agency_code (its column) whose reports change name from a year on
  (gongkai.agency.renames); predecessor and successor are the same code, the names differ;
* town_to_street — a town 某镇 whose reports end the year before a sub-district 某街道 of the same
  stem and portal starts (撤镇设街道), found from the names and years;
* merge / other overrides — the agency_changes seed (by portal and names, so codes may change)."""


def model(dbt, session):
    dbt.config(materialized="table")
    import pandas as pd

    from gongkai.agency import normalise, renames

    obs = dbt.ref("int_agency_observations").project(
        "agency_code, portal, report_year, name_core, name_full, level_from_name"
    ).df()
    obs = obs[obs["name_core"].notna() & obs["report_year"].notna()]
    seed = dbt.ref("agency_changes").df()
    columns = [
        "predecessor_code", "predecessor_name", "successor_code", "successor_name",
        "change_year", "change_kind", "basis",
    ]
    rows = []
    full = {(r.agency_code, r.name_core): r.name_full for r in obs.itertuples(index=False)}
    for change in renames((r.agency_code, int(r.report_year), r.name_core) for r in obs.itertuples(index=False)):
        for code in sorted({r.agency_code for r in obs.itertuples(index=False) if r.name_core == change.successor}):
            if (code, change.predecessor) in full:
                rows.append([code, full[(code, change.predecessor)], code, full[(code, change.successor)],
                             change.year, "rename", "one column's reports change name from this year on"])
    # per code: its (portal, core, level, first year, last year), the latest name
    spans = (
        obs.sort_values("report_year")
        .groupby("agency_code")
        .agg(portal=("portal", "last"), core=("name_core", "last"), full=("name_full", "last"),
             level=("level_from_name", "last"), first=("report_year", "min"), last=("report_year", "max"))
        .reset_index()
    )
    towns = spans[spans["level"] == "township"]
    streets = spans[spans["level"] == "sub_district"]
    for t in towns.itertuples(index=False):
        for s in streets.itertuples(index=False):
            if t.portal == s.portal and t.core[:-1] == s.core[:-2] and int(s.first) == int(t.last) + 1:
                rows.append([t.agency_code, t.full, s.agency_code, s.full, int(s.first), "town_to_street",
                             "same name stem; the town's reports end the year before the sub-district's begin"])
    by_core = {(s.portal, s.core): s for s in spans.itertuples(index=False)}
    for c in seed.itertuples(index=False):
        before, after = normalise(str(c.predecessor_name)), normalise(str(c.successor_name))
        p = by_core.get((c.portal, before.core)) if before else None
        s = by_core.get((c.portal, after.core)) if after else None
        if p is None or s is None:
            continue  # an override for agencies this warehouse has not seen (yet)
        rows.append([p.agency_code, p.full, s.agency_code, s.full, int(c.change_year), str(c.change_kind),
                     str(c.basis)])
    out = pd.DataFrame(rows, columns=columns).drop_duplicates(["predecessor_code", "predecessor_name", "successor_code"])
    out["change_year"] = out["change_year"].astype("Int64")
    out = out.astype({c: "string" for c in ['predecessor_code', 'predecessor_name', 'successor_code', 'successor_name', 'change_kind', 'basis']})
    return out
