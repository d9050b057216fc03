"""What every extractor shares: the result type, the error, the seed text layout and input limits.

Paragraphs become lines; a table becomes, per row, one TAB-prefixed line per cell followed by a
blank line (as in ``fixtures/reports``).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a real report's .docx/.xlsx unpacks to a few MB
MAX_ZIP_ENTRIES = 10_000


class ExtractionError(Exception):
    """The bytes could not be turned into text (corrupt, encrypted, unsupported, tool missing, or
    over an input limit)."""


@dataclass(frozen=True)
class Extracted:
    text: str
    extractor: str
    extractor_version: str


def rows_text(rows: list[list[str]]) -> list[str]:
    out: list[str] = []
    for row in rows:
        out.extend("\t" + cell for cell in row)
        out.append("")
    return out


def finish(lines: list[str], ends_in_table: bool) -> str:
    if ends_in_table and lines and lines[-1] == "":
        lines = lines[:-1]
    return "\n".join(lines)


def check_zip(data: bytes, kind: str, max_unzipped: int = MAX_UNZIPPED_BYTES) -> None:
    """Refuse an OOXML package whose members would unpack to more than ``max_unzipped`` bytes (a zip
    bomb), before any XML is parsed. The sizes come from the central directory; Python's zipfile
    never inflates a member past its declared size, so the declared total bounds the real work."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractionError(f"unreadable .{kind}: {type(exc).__name__}: {exc}") from exc
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ExtractionError(f"refused .{kind}: {len(infos)} zip entries (limit {MAX_ZIP_ENTRIES})")
    total = sum(i.file_size for i in infos)
    if total > max_unzipped:
        raise ExtractionError(
            f"refused .{kind}: unpacks to {total} bytes (limit {max_unzipped}; "
            f"{len(data)} bytes packed): decompression bomb"
        )
