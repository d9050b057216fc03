"""One row per report version: the agency the report speaks for, in its own words — 填报单位
(the form's filler, read from the text), the title, else the registry's name for its column —
normalised by gongkai.agency (full/short names, 人民政府/办事处 suffixes, level). The texts and
titles are searched by DuckDB; gongkai.agency runs once per distinct combination of names."""

HAN = "一-鿿"
FILLER = r"填报单位\s*[（(]?\s*(?:盖章|章)?\s*[)）]?\s*[:：]\s*([^\s（(，。,:：]{2,40})"
TITLE = (  # (year)(agency)(year) 政府信息公开…: plain concatenation (dbt rejects Jinja-like braces here)
    r"^(?:((?:19|20)\d\d)年度?)?([" + HAN + r"（）()]{2,40}?)(?:((?:19|20)\d\d)年度?)?"
    r"(?:政府)?(?:信息公[开開]|政[务務]公[开開])"
)
COLUMNS = [
    "document_id", "version", "agency_code", "portal", "column_id", "published_date", "document_status",
    "parse_status", "report_year", "year_source", "name_source", "name_as_read", "name_full", "name_core",
    "name_district", "level_from_name", "aliases", "name_conflict", "is_synthetic",
]
TEXT = [c for c in COLUMNS if c not in ("version", "published_date", "report_year", "name_conflict", "is_synthetic")]


def model(dbt, session):
    dbt.config(materialized="table")
    import pandas as pd

    from gongkai.agency import identify, name_from_title

    flat = f"regexp_replace(coalesce(title, ''), '[^{HAN}A-Za-z0-9（）()]', '', 'g')"
    docs = dbt.ref("stg_documents").project(
        "document_id, version, coalesce(agency_code, 'unknown') as agency_code, agency_name, portal, "
        "column_id, title, published_date, document_status, coalesce(is_synthetic, false) as is_synthetic, "
        f"nullif(regexp_extract({flat}, '{TITLE}', 2), '') as title_name, "
        f"try_cast(nullif(regexp_extract({flat}, '{TITLE}', 1) || regexp_extract({flat}, '{TITLE}', 3), '') "
        "as integer) as title_year"
    ).df()
    fillers = dbt.ref("stg_raw_texts").project(
        f"document_id, version, nullif(regexp_extract(text, '{FILLER}', 1), '') as filler"
    ).df()
    parsed = dbt.ref("stg_parse_results").project(
        "document_id, version, report_year as parsed_year, parse_status, agency_as_written"
    ).df()
    frame = docs.merge(fillers, on=["document_id", "version"], how="left").merge(
        parsed, on=["document_id", "version"], how="left"
    )
    frame = frame.astype(object).where(frame.notna(), None)

    def names(filler, title_name, as_written, title, registry):
        if title_name is None and title:  # what DuckDB's pattern missed (e.g. full-width digits)
            title_name = name_from_title(title)[0]
        who = identify(filler=filler, title_name=title_name or as_written, registry_name=registry)
        if who is None:
            return (None,) * 8 + (False,)
        n = who.name
        return (who.source, n.name, n.display, n.core, n.district, n.level, "；".join(who.aliases), who.conflict)

    keys = ["filler", "title_name", "agency_as_written", "title", "agency_name"]
    cache = {}
    rows = []
    for r in frame.itertuples(index=False):
        key = tuple(getattr(r, k) for k in keys)
        if key[1] is not None:
            key = key[:3] + (None,) + key[4:]  # the title matters only when DuckDB found no name in it
        if key not in cache:
            cache[key] = names(*key)
        year = r.parsed_year if r.parsed_year is not None else r.title_year
        source = "report" if r.parsed_year is not None else ("title" if r.title_year is not None else None)
        rows.append(
            (r.document_id, r.version, r.agency_code, r.portal, r.column_id, r.published_date,
             r.document_status, r.parse_status, year, source, *cache[key], bool(r.is_synthetic))
        )
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["version"] = out["version"].astype("Int64")
    out["report_year"] = pd.array(out["report_year"], dtype="Int64")
    out["published_date"] = pd.to_datetime(out["published_date"]).dt.date  # DATE, not TIMESTAMP
    out["name_conflict"] = out["name_conflict"].astype(bool)
    out["is_synthetic"] = out["is_synthetic"].astype(bool)
    return out.astype({c: "string" for c in TEXT})
