"""Import the dashboards-as-code bundle (``bundle/``) into Superset, pointing its database at the
serving warehouse. Runs with Superset's own Python (the compose image, or the test's venv):

    python import_bundle.py [--uri URI] [--bundle DIR] [--username admin]

The database URI comes from ``--uri`` or ``GONGKAI_SERVING_URI``. Assets keep their UUIDs, so a
second import overwrites them in place.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLACEHOLDER = "duckdb:////serving/warehouse.duckdb?access_mode=read_only"


def make_zip(bundle: Path, uri: str, target: Path) -> Path:
    """The bundle as the ZIP Superset imports (one root folder), with the database URI replaced."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(bundle.rglob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            if path.parent.name == "databases":
                text = text.replace(PLACEHOLDER, uri)
            zf.writestr(f"gongkai_bundle/{path.relative_to(bundle).as_posix()}", text)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uri", default=os.environ.get("GONGKAI_SERVING_URI", PLACEHOLDER))
    parser.add_argument("--bundle", type=Path, default=HERE / "bundle")
    parser.add_argument("--username", default=os.environ.get("SUPERSET_ADMIN_USER", "admin"))
    args = parser.parse_args(argv)
    if not (args.bundle / "metadata.yaml").is_file():
        print(f"error: no Superset bundle at {args.bundle}", file=sys.stderr)
        return 2
    superset = Path(sys.executable).with_name("superset")
    command = [str(superset)] if superset.exists() else ["superset"]
    with tempfile.TemporaryDirectory() as tmp:
        archive = make_zip(args.bundle, args.uri, Path(tmp) / "gongkai_bundle.zip")
        done = subprocess.run([*command, "import-dashboards", "-p", str(archive), "-u", args.username])
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
