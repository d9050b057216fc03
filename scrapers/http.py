"""The HTTP layer: one polite client per run.

Per-host rate limit and concurrency, retries with exponential backoff honouring ``Retry-After``
(429, 5xx, timeouts, resets, truncated bodies), conditional GET, robots.txt, a host allowlist
(links and redirects elsewhere are refused and logged), a maximum download size, connect/read
timeouts, a total deadline per request (retries and redirects included; a server that drips
bytes cannot hold a worker longer) and an identifying User-Agent. Every attempt is recorded as a
fetch-log row.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

# Browser-like: Hanweb/jpaas portals answer 403 to clients that do not look like a browser
# (politeness is kept by the per-host interval and robots.txt, not by the User-Agent string).
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.8,*/*;q=0.7"
RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_BYTES = 50 * 1024 * 1024
DEADLINE = 120.0  # seconds for one request, retries and redirects included
MIN_RATE = 64 * 1024  # bytes/s: a declared large body extends the deadline by its size at this rate
_ROBOTS: dict[str, object] = {}  # origin -> parsed robots.txt, shared by the clients of a process
_ROBOTS_LOCK = threading.Lock()


@dataclass
class HostGate:
    """Politeness state of one host, shared by every client of the process (worker threads)."""

    slots: threading.Semaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_at: float = 0.0


_GATES: dict[str, HostGate] = {}
_GATES_LOCK = threading.Lock()
SHORTCUTS: dict[str, str] = {}  # host -> origin serving its /attach/ files (learned from redirects)


def host_gate(host: str, per_host: int) -> HostGate:
    with _GATES_LOCK:
        gate = _GATES.get(host)
        if gate is None:
            gate = _GATES[host] = HostGate(threading.BoundedSemaphore(per_host))
        return gate


_ACTIVE = threading.local()  # .watch: the _Watchdog of this thread's request in flight


class _Watchdog:
    """Enforces a request's deadline: once it has passed, the socket of the connection in flight
    is shut down (a blocked read returns at once), again every 50 ms until the request is over."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.sock: socket.socket | None = None
        self.expired = False
        self._over = threading.Event()
        threading.Thread(target=self._watch, name="gongkai-http-deadline", daemon=True).start()

    def extend(self, seconds: float) -> None:
        self.at += seconds

    def _watch(self) -> None:
        while not self._over.wait(max(0.0, self.at - time.monotonic())):
            if time.monotonic() >= self.at:
                break
        while not self._over.is_set():
            self.expired = True
            sock = self.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._over.wait(0.05)

    def stop(self) -> None:
        self._over.set()


def _watch_socket(conn: HTTPConnection) -> None:
    """Tell this thread's watchdog which socket carries its request (kept by the watchdog: a
    response that closes the connection keeps reading from a socket the connection forgot)."""
    watch = getattr(_ACTIVE, "watch", None)
    if watch is not None and conn.sock is not None:
        watch.sock = conn.sock


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watch_socket(self)

    def request(self, *args, **kwargs) -> None:
        _watch_socket(self)  # a reused keep-alive connection does not connect again
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watch_socket(self)

    def request(self, *args, **kwargs) -> None:
        _watch_socket(self)
        super().request(*args, **kwargs)


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections tell the thread's :class:`_Watchdog` which socket to cut."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedPool, "https": _WatchedHTTPSPool}

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS managers bring their own connections
            manager.pool_classes_by_scheme = {"http": _WatchedPool, "https": _WatchedHTTPSPool}
        return manager


class FetchError(Exception):
    """A request that failed for good (after retries, or refused); ``reason`` is the row's reason."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


@dataclass
class FetchRecord:
    url: str
    method: str
    status: int | None
    bytes: int | None
    elapsed_ms: float
    error: str | None
    fetched_at: str  # ISO timestamp, UTC


@dataclass
class Response:
    url: str  # final URL after redirects
    status: int
    content: bytes
    headers: dict[str, str]

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class HttpClient:
    allowed_hosts: set[str]
    interval: float = 0.5  # seconds between requests to one host
    per_host: int = 2  # concurrent requests per host
    retries: int = 4
    backoff: float = 0.25
    max_retry_after: float = 30.0
    timeout: tuple[float, float] = (5.0, 30.0)
    max_bytes: int = MAX_BYTES
    deadline: float = DEADLINE
    user_agent: str = USER_AGENT
    obey_robots: bool = True
    log: list[FetchRecord] = field(default_factory=list)
    shortcuts: dict[str, str] = field(default_factory=lambda: SHORTCUTS)  # shared unless given

    def __post_init__(self) -> None:
        self._session = requests.Session()
        self._session.mount("http://", _WatchedAdapter())
        self._session.mount("https://", _WatchedAdapter())
        self._session.headers.update(
            {"User-Agent": self.user_agent, "Accept": ACCEPT, "Accept-Language": "zh-CN,zh;q=0.9"}
        )
        self._lock = threading.Lock()

    # ------------------------------------------------------------ politeness
    def _wait_turn(self, host: str) -> None:
        """Keep ``interval`` seconds between the starts of two requests to ``host`` (all threads)."""
        if self.interval <= 0:
            return
        gate = host_gate(host, self.per_host)
        with gate.lock:
            now = time.monotonic()
            at = max(now, gate.next_at)
            gate.next_at = at + self.interval
        if at > now:
            time.sleep(at - now)

    def _record(
        self, url: str, method: str, status: int | None, nbytes: int | None, started: float, error: str | None
    ) -> None:
        rec = FetchRecord(
            url,
            method,
            status,
            nbytes,
            round((time.perf_counter() - started) * 1000, 2),
            error,
            datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" "),
        )
        with self._lock:
            self.log.append(rec)

    def drain_log(self) -> list[dict]:
        with self._lock:
            out = [asdict(r) for r in self.log]
            self.log.clear()
        return out

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = parts.netloc
        return parts.scheme in ("http", "https") and (
            host in self.allowed_hosts
            or any(p.startswith("*.") and host.endswith(p[1:]) for p in self.allowed_hosts)
        )

    def robots_allows(self, url: str) -> bool:
        if not self.obey_robots:
            return True
        from protego import Protego

        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        with _ROBOTS_LOCK:
            rules = _ROBOTS.get(key)
        if rules is None:
            try:
                resp = self._with_retries(
                    "GET", key + "/robots.txt", None, {}, time.monotonic() + self.deadline
                )
                text = resp.content.decode("utf-8", "replace") if resp.status == 200 else ""
            except FetchError:
                text = ""  # no robots.txt reachable: everything allowed (RFC 9309 for 4xx)
            rules = Protego.parse(text)
            with _ROBOTS_LOCK:
                _ROBOTS[key] = rules
        return rules.can_fetch(url, self.user_agent)  # type: ignore[attr-defined]

    # ------------------------------------------------------------ one attempt
    def _deadline_reason(self) -> str:
        return f"deadline: no complete answer within {self.deadline:g} s"

    def _once(
        self, method: str, url: str, data: dict | None, headers: dict[str, str], until: float
    ) -> Response:
        host = urlsplit(url).netloc
        started = time.perf_counter()
        self._wait_turn(host)
        remaining = until - time.monotonic()
        if remaining <= 0:
            self._record(url, method, None, None, started, self._deadline_reason())
            raise FetchError(url, self._deadline_reason())
        watch = _ACTIVE.watch = _Watchdog(remaining)
        try:
            with host_gate(host, self.per_host).slots:
                return self._exchange(method, url, data, headers, started, watch)
        finally:
            watch.stop()
            _ACTIVE.watch = None

    def _exchange(
        self, method: str, url: str, data: dict | None, headers: dict[str, str], started: float, watch
    ) -> Response:
        """Send one request and read the whole body under ``watch`` (the deadline)."""

        def failed(exc: BaseException, status: int | None) -> FetchError:
            expired = watch.expired or time.monotonic() >= watch.at
            reason = self._deadline_reason() if expired else type(exc).__name__
            detail = reason if expired else f"{type(exc).__name__}: {exc}"[:300]
            self._record(url, method, status, None, started, detail)
            return FetchError(url, reason, None)

        remaining = max(0.1, watch.at - time.monotonic())
        try:
            r = self._session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=(min(self.timeout[0], remaining), self.timeout[1]),  # reads: the watchdog
                allow_redirects=False,
                stream=True,
            )
        except (requests.RequestException, OSError) as exc:
            raise failed(exc, None) from exc
        try:
            declared = r.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                reason = f"oversize: Content-Length {declared} > {self.max_bytes}"
                self._record(url, method, r.status_code, None, started, reason)
                raise FetchError(url, reason, r.status_code)
            if declared and declared.isdigit():
                watch.extend(int(declared) / MIN_RATE)  # a big file may take longer, at a fair rate
            chunks, size = [], 0
            for chunk in r.iter_content(65536):
                size += len(chunk)
                if size > self.max_bytes:
                    reason = f"oversize: more than {self.max_bytes} bytes"
                    self._record(url, method, r.status_code, size, started, reason)
                    raise FetchError(url, reason, r.status_code)
                chunks.append(chunk)
            body = b"".join(chunks)
            identity = r.headers.get("Content-Encoding", "identity") == "identity"
            if (
                identity
                and declared
                and declared.isdigit()
                and len(body) != int(declared)
                and method != "HEAD"
            ):
                raise requests.exceptions.ChunkedEncodingError(f"truncated: {len(body)} of {declared} bytes")
        except (requests.RequestException, OSError) as exc:
            raise failed(exc, r.status_code) from exc
        finally:
            r.close()
        error = None if r.status_code < 400 else f"HTTP {r.status_code}"
        self._record(url, method, r.status_code, len(body), started, error)
        return Response(url, r.status_code, body, dict(r.headers))

    # ------------------------------------------------------------ public
    def request(
        self,
        method: str,
        url: str,
        *,
        data: dict | None = None,
        referer: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        max_redirects: int = 5,
    ) -> Response:
        """Fetch ``url``; retry transient failures; follow redirects within the allowlist.

        Returns the final response (200, or 304 for a conditional hit); raises :class:`FetchError`
        for anything else (4xx, retries exhausted, refused host, robots, oversize).
        """
        headers: dict[str, str] = {}
        parts = urlsplit(url)
        headers["Referer"] = referer or f"{parts.scheme}://{parts.netloc}/"  # bare requests get 403
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        until = time.monotonic() + self.deadline
        for _ in range(max_redirects + 1):
            if not self.allowed(url):
                self._record(url, method, None, None, time.perf_counter(), "refused: host not in allowlist")
                raise FetchError(url, "refused: host not in allowlist")
            if not self.robots_allows(url):
                self._record(
                    url, method, None, None, time.perf_counter(), "refused: disallowed by robots.txt"
                )
                raise FetchError(url, "refused: disallowed by robots.txt")
            resp = self._with_retries(method, url, data, headers, until)
            if resp.status in (301, 302, 303, 307, 308) and "Location" in resp.headers:
                url = urljoin(url, resp.headers["Location"])
                if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
                    method, data = "GET", None
                continue
            if resp.status in (200, 304):
                return resp
            raise FetchError(url, f"HTTP {resp.status}", resp.status)
        raise FetchError(url, "too many redirects")

    def get(self, url: str, **kw) -> Response:
        return self.request("GET", url, **kw)

    def _with_retries(
        self, method: str, url: str, data: dict | None, headers: dict[str, str], until: float
    ) -> Response:
        last: FetchError | None = None
        for attempt in range(self.retries + 1):
            delay = self.backoff * (2**attempt)
            try:
                resp = self._once(method, url, data, headers, until)
            except FetchError as exc:
                if exc.reason.startswith(("oversize", "refused", "deadline")):
                    raise
                last = exc
            else:
                if resp.status not in RETRY_STATUS:
                    return resp
                last = FetchError(url, f"HTTP {resp.status}", resp.status)
                delay = max(delay, _retry_after(resp.headers.get("Retry-After"), self.max_retry_after))
            if attempt < self.retries:
                if time.monotonic() + delay >= until:
                    break  # no time left for another attempt
                time.sleep(delay)
        assert last is not None
        raise FetchError(url, f"{last.reason} (after {attempt + 1} attempts)", last.status)


def _retry_after(value: str | None, cap: float) -> float:
    if not value:
        return 0.0
    try:
        return min(float(value), cap)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
            return min(max(0.0, (when - datetime.now(when.tzinfo)).total_seconds()), cap)
        except (TypeError, ValueError):
            return 0.0
