"""Build the replica's binary forms of the seed reports into ``replica/assets/`` (run by hand, once).

    .venv/bin/python -m replica.build_assets

.docx comes from python-docx; .doc (Word 97) and .pdf come from LibreOffice headless, which is
needed only here (``apt-get install libreoffice-writer-nogui fonts-wqy-microhei``): the generated
files are committed, so test and runtime machines only need antiword/catdoc for .doc extraction.
The files are committed rather than built at runtime because the replica must serve identical
bytes on every start (a re-scrape must find nothing changed).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from replica.forms import render_docx
from replica.layout import parse_layout

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "fixtures" / "reports"
ASSETS = Path(__file__).resolve().parent / "assets"


def build() -> list[Path]:
    ASSETS.mkdir(exist_ok=True)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed to build the .doc/.pdf assets")
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in sorted(SEEDS.glob("*.txt")):
            docx_path = ASSETS / f"{seed.stem}.docx"
            docx_path.write_bytes(render_docx(parse_layout(seed.read_text(encoding="utf-8"))))
            written.append(docx_path)
            for target, fmt in (("doc", "doc:MS Word 97"), ("pdf", "pdf:writer_pdf_Export")):
                subprocess.run(
                    [
                        soffice,
                        f"-env:UserInstallation=file://{tmp}/profile",
                        "--headless",
                        "--convert-to",
                        fmt,
                        "--outdir",
                        tmp,
                        str(docx_path),
                    ],
                    check=True,
                    capture_output=True,
                    timeout=300,
                )
                out = ASSETS / f"{seed.stem}.{target}"
                shutil.move(str(Path(tmp) / f"{seed.stem}.{target}"), out)
                written.append(out)
    return written


if __name__ == "__main__":
    for path in build():
        print(path.relative_to(ROOT), path.stat().st_size)
