"""The server under abuse: HTTP basics, slow clients, SPARQL load that must not freeze the rest.

Everything runs against 127.0.0.1 only, bounded in time and in the number of requests.
"""
from __future__ import annotations

import socket
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from policykg.api import create_app
from policykg.app import PolicyKG

from conftest import live_server

YASGUI = "http://yasgui.example:8080"


@pytest.fixture(scope="module")
def client(kg):
    with TestClient(create_app(kg), raise_server_exceptions=False) as c:
        yield c


# -- HTTP basics -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/documents", "/documents/jiading-draft", "/query", "/api/documents",
                                  "/api/documents/jiading-draft", "/sparql", "/openapi.json", "/docs", "/static/app.css"])
def test_options_and_head_on_every_route(client, path):
    r = client.options(path)
    assert r.status_code == 204 and "GET" in r.headers["allow"] and "HEAD" in r.headers["allow"]
    assert r.headers["x-content-type-options"] == "nosniff"
    if path == "/sparql":
        assert "POST" in r.headers["allow"]
        return  # a GET without a query is a 400; HEAD is checked with a query below
    get, head = client.get(path), client.head(path)
    assert get.status_code == head.status_code == 200
    assert head.content == b"" and head.headers.get("content-length") == get.headers.get("content-length")
    assert head.headers["content-type"] == get.headers["content-type"]


def test_head_on_sparql_with_a_query(client):
    r = client.head("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 200 and r.content == b"" and r.headers["content-type"].startswith("application/sparql")


@pytest.mark.parametrize("method,path", [("PUT", "/sparql"), ("DELETE", "/api/documents"), ("POST", "/documents"),
                                         ("PATCH", "/api/documents/jiading-draft")])
def test_405_carries_allow(client, method, path):
    r = client.request(method, path)
    assert r.status_code == 405 and "GET" in r.headers["allow"] and "OPTIONS" in r.headers["allow"]
    assert r.json()["error"] and r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/api/documents", "/api/nothing", "/nothing", "/sparql", "/static/app.css",
                                  "/api/search?q=%20", "/documents/no-such-doc"])
def test_nosniff_on_every_response(client, path):
    assert client.get(path).headers["x-content-type-options"] == "nosniff"


def test_yasgui_style_cross_origin_query(client):
    """What a browser on another origin does: a preflight for a form POST with Accept, then the POST."""
    pre = client.options("/sparql", headers={"Origin": YASGUI, "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type, accept"})
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] in ("*", YASGUI)
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert "content-type" in pre.headers["access-control-allow-headers"].lower()
    r = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"},
                    headers={"Origin": YASGUI, "Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    assert r.headers["access-control-allow-origin"] in ("*", YASGUI)
    assert "X-PolicyKG-Truncated" in r.headers["access-control-expose-headers"]
    r = client.get("/api/documents", headers={"Origin": YASGUI})
    assert r.headers["access-control-allow-origin"] in ("*", YASGUI)
    assert "access-control-allow-origin" not in client.get("/documents", headers={"Origin": YASGUI}).headers


def test_cors_origins_setting(store_dir):
    kg = PolicyKG(store=str(store_dir), cors_origins="https://allowed.example, https://other.example")
    with TestClient(create_app(kg), raise_server_exceptions=False) as c:
        ok = c.options("/sparql", headers={"Origin": "https://allowed.example", "Access-Control-Request-Method": "GET"})
        assert ok.status_code == 204 and ok.headers["access-control-allow-origin"] == "https://allowed.example"
        assert ok.headers["vary"] == "Origin"
        bad = c.options("/sparql", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
        assert bad.status_code == 403 and "cors_origins" in bad.json()["error"]
        r = c.get("/api/documents", headers={"Origin": "https://evil.example"})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    kg = PolicyKG(store=str(store_dir), cors_origins="none")
    with TestClient(create_app(kg), raise_server_exceptions=False) as c:
        r = c.get("/api/documents", headers={"Origin": YASGUI})
        assert "access-control-allow-origin" not in r.headers


# -- a live server: slow clients -------------------------------------------------------------
@pytest.fixture(scope="module")
def live(store_dir):
    import os

    old = os.environ.get("POLICYKG_HEADER_TIMEOUT")
    os.environ["POLICYKG_HEADER_TIMEOUT"] = "2"
    try:
        with live_server(store_dir) as url:
            yield url
    finally:
        if old is None:
            os.environ.pop("POLICYKG_HEADER_TIMEOUT", None)
        else:
            os.environ["POLICYKG_HEADER_TIMEOUT"] = old


def _closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closes `sock` (None if still open after `seconds`)."""
    started = time.monotonic()
    sock.settimeout(0.5)
    while time.monotonic() - started < seconds:
        try:
            data = sock.recv(4096)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return time.monotonic() - started
        if not data:
            return time.monotonic() - started
    return None


@pytest.mark.parametrize("sent", [b"", b"GET /api/docu", b"GET /api/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"])
def test_half_sent_request_headers_are_timed_out(live, sent):
    port = int(live.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        if sent:
            sock.sendall(sent)
        took = _closed_within(sock, 8)
    assert took is not None and took < 5, f"still open after 8 s (sent {sent!r})"


def test_keep_alive_then_half_sent_headers_are_timed_out(live):
    port = int(live.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /api/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        time.sleep(0.5)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /api/documents HTTP/1.1\r\nHo")
        took = _closed_within(sock, 8)
    assert took is not None and took < 5


def test_live_server_basics(live):
    r = httpx.head(live + "/api/documents")
    assert r.status_code == 200 and r.headers["x-content-type-options"] == "nosniff"
    r = httpx.options(live + "/sparql")
    assert r.status_code == 204 and "POST" in r.headers["allow"]
