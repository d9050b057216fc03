"""A BI-tool stand-in, run as a separate process: query the serving file through duckdb-engine
(SQLAlchemy, as Superset does) in a loop until a stop file appears; print a JSON report.

Every read checks that the snapshot is complete: each table's row count equals the count the
snapshot's own ``publish_manifest`` lists.

    python bi_reader.py SERVING_DB STOP_FILE
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool


def main(serving_db: str, stop_file: str) -> None:
    engine = create_engine(f"duckdb:///{serving_db}?access_mode=read_only", poolclass=NullPool)
    reads, errors, incomplete, seen = 0, [], [], []
    while not Path(stop_file).exists():
        try:
            with engine.connect() as con:
                manifest = con.execute(
                    text("select publish_id, table_name, row_count from main.publish_manifest")
                ).fetchall()
                ids = {row[0] for row in manifest}
                for _, table, expected in manifest:
                    schema, name = table.split(".")
                    found = con.execute(text(f'select count(*) from "{schema}"."{name}"')).scalar()
                    if found != expected:
                        incomplete.append(f"{ids}: {table} has {found} rows, manifest says {expected}")
                if len(ids) != 1:
                    incomplete.append(f"manifest mixes publishes: {sorted(ids)}")
                reads += 1
                if not seen or seen[-1] != min(ids):
                    seen.append(min(ids))
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.005)
    print(
        json.dumps(
            {
                "reads": reads,
                "errors": errors[:20],
                "n_errors": len(errors),
                "incomplete": incomplete[:20],
                "publishes_seen": seen,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
