"""One row per report version: the agency the report speaks for, in its own words — 填报单位
(the form's filler, read from the text), the title, else the registry's name for its column —
normalised by gongkai.agency (full/short names, 人民政府/办事处 suffixes, level)."""

FILLER = r"填报单位\s*[（(]?\s*(?:盖章|章)?\s*[)）]?\s*[:：]\s*([^\s（(，。,:：]{2,40})"


def model(dbt, session):
    dbt.config(materialized="table")
    import pandas as pd

    from gongkai.agency import identify, name_from_title

    docs = dbt.ref("stg_documents").project(
        "document_id, version, agency_code, agency_name, portal, column_id, title, published_date, "
        "document_status, coalesce(is_synthetic, false) as is_synthetic"
    ).df()
    fillers = dbt.ref("stg_raw_texts").project(
        f"document_id, version, nullif(regexp_extract(text, '{FILLER}', 1), '') as filler"
    ).df()
    parsed = dbt.ref("stg_parse_results").project(
        "document_id, version, report_year, parse_status, agency_as_written"
    ).df()
    frame = docs.merge(fillers, on=["document_id", "version"], how="left").merge(
        parsed, on=["document_id", "version"], how="left"
    )

    def text(value):
        return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)

    rows = []
    for r in frame.itertuples(index=False):
        title = text(r.title)
        title_name, title_year = name_from_title(title or "")
        who = identify(
            filler=text(r.filler),
            title=title if title_name else text(r.agency_as_written),
            registry_name=text(r.agency_name),
        )
        report_year = r.report_year if not pd.isna(r.report_year) else title_year
        rows.append(
            {
                "document_id": r.document_id,
                "version": int(r.version),
                "agency_code": text(r.agency_code) or "unknown",
                "portal": text(r.portal),
                "column_id": text(r.column_id),
                "published_date": r.published_date,
                "document_status": text(r.document_status),
                "parse_status": text(r.parse_status),
                "report_year": None if report_year is None or pd.isna(report_year) else int(report_year),
                "year_source": "report" if not pd.isna(r.report_year) else ("title" if title_year else None),
                "name_source": who.source if who else None,
                "name_as_read": who.name.name if who else None,
                "name_full": who.name.display if who else None,
                "name_core": who.name.core if who else None,
                "name_district": who.name.district if who else None,
                "level_from_name": who.name.level if who else None,
                "aliases": "；".join(who.aliases) if who else None,
                "name_conflict": bool(who.conflict) if who else False,
                "is_synthetic": bool(r.is_synthetic),
            }
        )
    columns = [
        "document_id", "version", "agency_code", "portal", "column_id", "published_date",
        "document_status", "parse_status", "report_year", "year_source", "name_source", "name_as_read",
        "name_full", "name_core", "name_district", "level_from_name", "aliases", "name_conflict",
        "is_synthetic",
    ]
    out = pd.DataFrame(rows, columns=columns)
    out["report_year"] = out["report_year"].astype("Int64")
    out["version"] = out["version"].astype("Int64")
    out["published_date"] = pd.to_datetime(out["published_date"]).dt.date  # DATE, not TIMESTAMP
    out = out.astype({c: "string" for c in ['document_id', 'agency_code', 'portal', 'column_id', 'document_status', 'parse_status', 'year_source', 'name_source', 'name_as_read', 'name_full', 'name_core', 'name_district', 'level_from_name', 'aliases']})
    return out
