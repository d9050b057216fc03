"""The HTTP layer against real sockets: retries with Retry-After, allowlist, robots, size cap."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from scrapers.http import FetchError, HttpClient


class _Handler(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        n = self.hits[self.path] = self.hits.get(self.path, 0) + 1
        if self.path == "/robots.txt":
            body = b"User-agent: *\nDisallow: /private/\n"
        elif self.path == "/throttled" and n == 1:
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        elif self.path == "/away":
            self.send_response(302)
            self.send_header("Location", "http://elsewhere.invalid/file.pdf")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        elif self.path in ("/drip", "/drip-head"):
            try:
                if self.path == "/drip-head":
                    for byte in b"HTTP/1.1 200 OK\r\n":
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(1.0)
                self.send_response(200)
                self.send_header("Content-Length", "12")
                self.end_headers()
                for byte in b"hello, drip!":
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(1.0)
            except OSError:
                pass  # the client hung up
            return
        elif self.path == "/big":
            body = b"x" * 5000
        else:
            body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def origin():
    _Handler.hits = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _client(origin: str, **kw) -> HttpClient:
    return HttpClient(allowed_hosts={urlsplit(origin).netloc}, interval=0.0, backoff=0.01, **kw)


def test_429_waits_for_retry_after_then_succeeds(origin) -> None:
    client = _client(origin)
    started = time.monotonic()
    resp = client.get(origin + "/throttled")
    assert resp.status == 200 and resp.content == b"ok"
    assert time.monotonic() - started >= 1.0
    statuses = [r.status for r in client.log if r.url.endswith("/throttled")]
    assert statuses == [429, 200]


def test_redirect_to_another_host_is_refused_and_logged(origin) -> None:
    client = _client(origin)
    with pytest.raises(FetchError, match="host not in allowlist"):
        client.get(origin + "/away")
    assert client.log[-1].url == "http://elsewhere.invalid/file.pdf"
    assert client.log[-1].error == "refused: host not in allowlist"


def test_robots_txt_is_obeyed(origin) -> None:
    client = _client(origin)
    with pytest.raises(FetchError, match="robots"):
        client.get(origin + "/private/report.html")
    assert "/private/report.html" not in _Handler.hits


def test_download_size_is_capped(origin) -> None:
    with pytest.raises(FetchError, match="oversize"):
        _client(origin, max_bytes=1000).get(origin + "/big")
    assert _client(origin).get(origin + "/big").content == b"x" * 5000


def test_identifying_user_agent_and_politeness_interval(origin) -> None:
    client = HttpClient(allowed_hosts={urlsplit(origin).netloc}, interval=0.2)
    started = time.monotonic()
    for _ in range(3):
        client.get(origin + "/page")
    assert time.monotonic() - started >= 0.4  # three requests, two waits
    assert client.user_agent.startswith("Mozilla/5.0")  # portals refuse bare clients


def test_a_dripping_server_is_cut_at_the_request_deadline(origin) -> None:
    """One byte per second of a 12-byte body (and of the status line): each read returns within
    the read timeout, so only a total deadline stops it."""
    for path in ("/drip", "/drip-head"):
        client = _client(origin, deadline=1.5)
        started = time.monotonic()
        with pytest.raises(FetchError, match="deadline"):
            client.get(origin + path)
        assert time.monotonic() - started < 3.0
        assert client.log[-1].error.startswith("deadline")
    # a normal request on the same client afterwards is unaffected
    assert client.get(origin + "/page").content == b"ok"
