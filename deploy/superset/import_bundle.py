"""Import the dashboards-as-code bundle (``bundle/``) into Superset, pointing its database at the
serving warehouse. Runs with Superset's own Python (the compose image, or the test's venv):

    python import_bundle.py [--uri URI] [--bundle DIR] [--username admin]

The database URI comes from ``--uri`` or ``GONGKAI_SERVING_URI``. Assets keep their UUIDs, so a
second import overwrites them in place (Superset's "assets" import: databases, datasets, charts and
dashboards are all overwritten, unlike ``superset import-dashboards``).
"""

from __future__ import annotations

import argparse
import os
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


def import_assets(archive: Path, username: str) -> None:
    """Superset's "assets" import (what ``POST /api/v1/assets/import/`` runs): every asset of the bundle
    is created or overwritten by UUID, the database URI included."""
    from flask import g
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import security_manager
        from superset.commands.importers.v1.assets import ImportAssetsCommand
        from superset.commands.importers.v1.utils import get_contents_from_bundle

        g.user = security_manager.find_user(username=username)
        if g.user is None:
            raise SystemExit(f"error: no Superset user {username!r} (run superset fab create-admin first)")
        with zipfile.ZipFile(archive) as bundle:
            contents = get_contents_from_bundle(bundle)
        ImportAssetsCommand(contents).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uri", default=os.environ.get("GONGKAI_SERVING_URI", PLACEHOLDER))
    parser.add_argument("--bundle", type=Path, default=HERE / "bundle")
    parser.add_argument("--username", default=os.environ.get("SUPERSET_ADMIN_USER", "admin"))
    args = parser.parse_args(argv)
    if not (args.bundle / "metadata.yaml").is_file():
        print(f"error: no Superset bundle at {args.bundle}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        archive = make_zip(args.bundle, args.uri, Path(tmp) / "gongkai_bundle.zip")
        import_assets(archive, args.username)
    print(f"imported {sum(1 for _ in args.bundle.rglob('*.yaml')) - 1} assets from {args.bundle}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
