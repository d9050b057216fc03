"""Word 97 (.doc) via antiword's DocBook output (keeps table structure); catdoc as a fallback."""

from __future__ import annotations

import re
import shutil
import subprocess

from scrapers.extract.common import Extracted, ExtractionError, finish, rows_text


def _tool_version(tool: str) -> str:
    out = subprocess.run([tool, "-h"], capture_output=True, text=True, check=False)
    m = re.search(r"(\d+\.\d+(?:\.\d+)?)", out.stdout + out.stderr)
    return m.group(1) if m else "unknown"


def _entry_text(el) -> str:
    return "".join(el.itertext()).strip("\n ")


def _docbook_lines(node, lines: list[str]) -> bool:
    """Append antiword DocBook ``node`` as lines; return whether the last thing written was a table."""
    last_table = False
    for el in node:
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("informaltable", "table"):
            rows = [[_entry_text(e) for e in row.iter("entry")] for row in el.iter("row")]
            lines.extend(rows_text(rows))
            last_table = True
        elif el.tag == "para" and next(el.iter("informaltable", "table"), None) is None:
            text = "".join(el.itertext()).strip("\n ")
            lines.append(text)
            last_table = False
        elif el.tag not in ("bookinfo", "title"):
            last_table = _docbook_lines(el, lines)
    return last_table


def extract_doc(data: bytes) -> Extracted:
    """Legacy Word via antiword's DocBook output (keeps table structure); catdoc as a fallback."""
    from lxml import etree

    antiword = shutil.which("antiword")
    if antiword is None:
        return _extract_doc_catdoc(data)
    proc = subprocess.run(
        [antiword, "-x", "db", "-m", "UTF-8.txt", "-"],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        raise ExtractionError(f"antiword failed: {proc.stderr.decode('utf-8', 'replace').strip()[:200]}")
    xml = re.sub(rb"<!DOCTYPE[^>]*>", b"", proc.stdout, count=1, flags=re.S)
    root = etree.fromstring(xml, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    lines: list[str] = []
    last_table = _docbook_lines(root, lines)
    return Extracted(finish(lines, last_table), "doc:antiword", _tool_version(antiword))


def _extract_doc_catdoc(data: bytes) -> Extracted:
    catdoc = shutil.which("catdoc")
    if catdoc is None:
        raise ExtractionError("no .doc extractor installed (antiword or catdoc; see scripts/setup.sh)")
    proc = subprocess.run([catdoc, "-d", "utf-8", "-w", "-"], input=data, capture_output=True, timeout=120)
    if proc.returncode != 0:
        raise ExtractionError(f"catdoc failed: {proc.stderr.decode('utf-8', 'replace')[:200]}")
    text = proc.stdout.decode("utf-8", "replace")
    lines: list[str] = []
    for line in text.split("\n"):
        if "\t" in line:
            lines.extend(rows_text([line.split("\t")]))
        else:
            lines.append(line)
    return Extracted("\n".join(lines), "doc:catdoc", _tool_version(catdoc))
