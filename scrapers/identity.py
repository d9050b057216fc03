"""One report, one identity: the canonical form of an article URL.

Portals link one article under several URLs: with tracking query strings (``?from=timeline``,
``utm_*``), over http and https, with and without a trailing ``index.html``, with a ``#fragment``.
:func:`fetch_url` drops what never changes the answer (tracking keys, the fragment);
:func:`canonical_url` also drops a trailing ``index.html`` and lower-cases scheme and host, and
is what :func:`document_id` hashes (``gongkai.staging.document_id_for`` already ignores the
scheme and host). URLs without any of these keep the id they always had.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from gongkai import staging

# query keys that only say where a click came from
TRACKING_KEYS = frozenset(
    {"from", "source", "spm", "share", "share_token", "isappinstalled", "scene", "clicktime", "enterid"}
)
_TRACKING_PREFIXES = ("utm_",)
_INDEX = re.compile(r"/index\.(?:s?html?|jsp|php)$", re.I)


def _tracking(key: str) -> bool:
    k = key.lower()
    return k in TRACKING_KEYS or k.startswith(_TRACKING_PREFIXES)


def fetch_url(url: str) -> str:
    """``url`` without tracking query keys and fragment (safe to fetch: the same answer)."""
    parts = urlsplit(url.strip())
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not _tracking(k)]
    query = parts.query if len(kept) == len(pairs) else urlencode(kept)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def canonical_url(url: str) -> str:
    """The identity form of an article URL: :func:`fetch_url`, lower-case scheme and host,
    ``/dir/index.html`` as ``/dir/``."""
    parts = urlsplit(fetch_url(url))
    path = _INDEX.sub("/", parts.path) or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def document_id(url: str) -> str:
    """The staging ``document_id`` of the article at ``url`` (any of its URL spellings)."""
    return staging.document_id_for(canonical_url(url))
