"""Fixtures of the adapter tests: real local HTTP servers answering with saved real-shaped pages."""

from __future__ import annotations

import pytest
from fixture_server import serve


@pytest.fixture
def portal_server():
    """A portal host serving fixtures (``.route(path, handler)``)."""
    server, httpd = serve()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def file_hosts():
    """Three more hosts standing in for file hosts (provincial OSS buckets): two to allow-list, one not."""
    started = [serve() for _ in range(3)]
    try:
        yield [s for s, _ in started]
    finally:
        for _, httpd in started:
            httpd.shutdown()
            httpd.server_close()
