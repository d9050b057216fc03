"""A real local HTTP server that answers with the saved real-shaped fixtures (fixtures/README.md).

Each test registers handlers per path; a handler sees the request (method, path, query, form,
headers) and returns ``(status, body, headers)``. Unknown paths answer 404 (robots.txt included:
everything allowed). Every request is recorded in ``server.requests``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_text(name: str, **values: object) -> str:
    """A saved fixture with its ``{{NAME}}`` placeholders filled in."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", str(value))
    return text


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


Handler = Callable[[Request], tuple[int, bytes | str, dict[str, str]]]


@dataclass
class FixtureServer:
    base_url: str
    netloc: str
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def route(self, path: str, handler: Handler | str, content_type: str = "text/html; charset=UTF-8") -> None:
        if isinstance(handler, str):
            body = handler
            self.routes[path] = lambda req: (200, body, {"Content-Type": content_type})
        else:
            self.routes[path] = handler

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]


def serve() -> tuple[FixtureServer, ThreadingHTTPServer]:
    state: dict[str, FixtureServer] = {}

    class _Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _answer(self) -> None:
            server = state["server"]
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8") if length else ""
            req = Request(
                self.command,
                parts.path,
                {k: v[0] for k, v in parse_qs(parts.query).items()},
                {k: v[0] for k, v in parse_qs(raw).items()},
                {k.lower(): v for k, v in self.headers.items()},
            )
            server.requests.append(req)
            handler = server.routes.get(parts.path)
            status, body, headers = handler(req) if handler else (404, "<h1>404</h1>", {})
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            headers = {"Content-Type": "text/html; charset=UTF-8", **headers}
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    netloc = f"127.0.0.1:{httpd.server_address[1]}"
    state["server"] = FixtureServer(f"http://{netloc}", netloc)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return state["server"], httpd
