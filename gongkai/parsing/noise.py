"""Noise that is not the report: page furniture of PDF dumps and what web mirrors inject.

``clean(text)`` removes, line count kept (so every cell keeps its line number):

- page furniture lines (``Page 9 - 年度报告``, ``P. 9``, ``第 3 页 共 5 页``, and ``- 3 -`` or
  ``3/12`` on a page that also names its pages), each one whole line: never a run of table cells
  one per line such as ``860`` / ``/`` / ``0``;
- annotations in brackets right after a Chinese character (``收[shōu]到``, ``公开【注】``) and
  mojibake runs (``锟斤拷``, U+FFFD), zero-width characters.

Digits are never removed from a line that is kept, so no number can appear or change.
"""

from __future__ import annotations

import re

# A furniture line, with the line break before it: the pattern starts with a literal, so only line
# starts are tried (the text is read with a "\n" before it). Possessive where giving back could
# never let the rest match (a digit before "/", a space before a digit…): a failing line fails fast.
# Whitespace inside it ("_" below) stays within the line: a page mark is one line, and table cells
# one per line ("860" / "/" / "0", "—" / "12" / "—") are never taken for one.
_SP = r"[^\S\r\n]*+"
_FURNITURE = re.compile(
    (
        r"\n[ \t\u3000]*+(?:(?:Page|PAGE|page)_\d++(?:_(?:of|/)_\d++)?(?:_[-–—|].*+)?|P\._\d++"
        r"|第_\d++_页(?:_[,，/]?_共_\d++_页)?|[-–—]_\d++_[-–—]|\d++_/_\d++)"
        r"[ \t\u3000]*+$"
    ).replace("_", _SP),
    re.M,
)
_ANNOTATION = re.compile(r"[\[【](?:[A-Za-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü\s]{1,12}\]|[^】\d\n]{1,12}】)")
_MOJIBAKE = re.compile(r"(?:锟斤拷|烫烫烫|屯屯屯|\ufffd|[\u200b-\u200d\ufeff])+")
_FURNITURE_WORDS = ("Page", "PAGE", "page", "P.")
_HINT = re.compile("[页锟烫屯\ufffd\u200b-\u200d\ufeff\\[【]")  # one scan: which passes may apply
_MOJIBAKE_HINTS = frozenset("锟烫屯\ufffd\u200b\u200c\u200d\ufeff")


def _annotation(m: re.Match[str]) -> str:
    """An annotation right after a Chinese character goes; any other bracket (or one that spans
    lines) stays."""
    at = m.start()
    keep = not at or not "\u4e00" <= m.string[at - 1] <= "\u9fff" or "\n" in m.group()
    return m.group() if keep else ""


def clean(text: str) -> str:
    """``text`` without furniture lines, mirror annotations and mojibake (the same text when none)."""
    hints = set(_HINT.findall(text))
    if "页" in hints or any(w in text for w in _FURNITURE_WORDS):
        text = _FURNITURE.sub("\n", "\n" + text)[1:]  # (a text that names its pages)
    if "[" in hints or "【" in hints:
        text = _ANNOTATION.sub(_annotation, text)
    if not hints.isdisjoint(_MOJIBAKE_HINTS):
        text = _MOJIBAKE.sub("", text)
    return text
