"""What the replica serves, one module per mechanism: each function takes the site's content and
the request and returns a :class:`Response`; ``replica.server`` only routes and sends."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Response:
    status: int
    body: bytes = b""
    ctype: str = "text/html; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)


def html_page(body: str, title: str = "", status: int = 200) -> Response:
    page = f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'
    return Response(status, page.encode("utf-8"))


NOT_FOUND = Response(404, b"<h1>404 Not Found</h1>")
