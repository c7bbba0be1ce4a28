"""The replay server answers like the real platforms: real paths, routes, hosts, robots.txt."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from crawlers.apibase import ORIGINAL_HOST_HEADER, normalize_api_base, rewrite_url
from crawlers.replay import ReplayServer


def fetch(url: str, *, host: str | None = None, data: bytes | None = None,
          content_type: str = "application/json") -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, data=data)
    if host:
        request.add_header(ORIGINAL_HOST_HEADER, host)
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "a.example" / "jobs").mkdir(parents=True)
    (tmp_path / "a.example" / "jobs" / "list.json").write_text('{"host": "a"}')
    (tmp_path / "b.example" / "jobs").mkdir(parents=True)
    (tmp_path / "b.example" / "jobs" / "list.json").write_text('{"host": "b"}')
    (tmp_path / "a.example" / "jobs" / "list.json?page=2").write_text('{"page": 2}')
    (tmp_path / "body.json").write_text('{"offset": 20}')
    (tmp_path / "routes.json").write_text(json.dumps({"routes": [
        {"method": "POST", "host": "a.example", "path": "/search", "json": {"offset": 20},
         "file": "body.json"},
        {"method": "POST", "path": "/form", "form": {"page": "3"}, "body": "third"},
        {"path": "/flaky", "status": 429, "headers": {"Retry-After": "0"}, "times": 1},
        {"path": "/flaky", "body": "ok now"},
        {"path": "/q", "query": {"a": "1"}, "body": "a is 1"},
    ]}))
    return tmp_path


def test_files_are_served_per_original_host(folder: Path) -> None:
    with ReplayServer(folder) as server:
        assert fetch(f"{server.url}/jobs/list.json", host="a.example")[:2] == (200, '{"host": "a"}')
        assert fetch(f"{server.url}/jobs/list.json", host="b.example")[:2] == (200, '{"host": "b"}')
        assert fetch(f"{server.url}/jobs/list.json?page=2", host="a.example")[1] == '{"page": 2}'
        _, _, headers = fetch(f"{server.url}/jobs/list.json", host="a.example")
        assert headers["Content-Type"] == "application/json"
        assert fetch(f"{server.url}/nothing", host="a.example")[0] == 404
        assert fetch(f"{server.url}/robots.txt", host="c.example")[:2] == (
            200, "User-agent: *\nAllow: /\n")
        assert server.folder.count(host="a.example") == 4


def test_routes_match_bodies_queries_and_counts(folder: Path) -> None:
    with ReplayServer(folder) as server:
        assert fetch(f"{server.url}/search", host="a.example",
                     data=b'{"offset": 20, "limit": 20}')[1] == '{"offset": 20}'
        assert fetch(f"{server.url}/search", host="a.example", data=b'{"offset": 40}')[0] == 404
        assert fetch(f"{server.url}/form", data=b"page=3&x=1",
                     content_type="application/x-www-form-urlencoded")[1] == "third"
        first = fetch(f"{server.url}/flaky")
        assert first[0] == 429 and first[2]["Retry-After"] == "0"
        assert fetch(f"{server.url}/flaky")[:2] == (200, "ok now")
        assert fetch(f"{server.url}/q?b=2&a=1")[1] == "a is 1"
        assert fetch(f"{server.url}/q?a=2")[0] == 404
        assert [e.path for e in server.log] == ["/search", "/search", "/form", "/flaky",
                                                 "/flaky", "/q", "/q"]


def test_an_answer_the_server_closes_after_says_so(tmp_path: Path) -> None:
    # Without "Connection: close" a keep-alive client (Playwright's route.fetch) pools the
    # socket, sends its next request down it as the server's FIN arrives and gets "socket hang
    # up": a redirect loop behind an oversized page then failed as render_failed under load.
    (tmp_path / "routes.json").write_text(json.dumps({"routes": [
        {"path": "/huge", "fault": "huge", "size": 4096, "body": "<html></html>"},
        {"path": "/loop", "fault": "redirect_loop"},
    ]}))
    with ReplayServer(tmp_path) as server:
        port = int(server.url.rsplit(":", 1)[1])
        kept = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        kept.request("GET", "/loop")
        loop = kept.getresponse()
        assert (loop.status, loop.getheader("Location"), loop.getheader("Connection"),
                loop.read()) == (302, "/loop", None, b"")
        loop.close()
        kept.request("GET", "/loop")  # the same socket, still open
        again = kept.getresponse()
        assert (again.status, again.read()) == (302, b"")
        again.close()
        kept.request("GET", "/huge")
        huge = kept.getresponse()
        body = huge.read()
        assert (huge.status, huge.getheader("Connection"), len(body)) == (200, "close", 4096)
        assert body.startswith(b"<html></html>   ")
        assert huge.will_close
        kept.close()


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("https://boards-api.greenhouse.io/v1/boards/x/jobs?content=true",
         "http://127.0.0.1:8000", "http://127.0.0.1:8000/v1/boards/x/jobs?content=true"),
        ("https://a.wd5.myworkdayjobs.com/wday/cxs/a/Site/jobs", "http://127.0.0.1:9",
         "http://127.0.0.1:9/wday/cxs/a/Site/jobs"),
        ("https://x.example", "http://127.0.0.1:9", "http://127.0.0.1:9/"),
    ],
)
def test_api_base_keeps_path_and_query(url: str, base: str, expected: str) -> None:
    assert rewrite_url(url, base) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [("127.0.0.1:8000", "http://127.0.0.1:8000"), ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
     (None, None), ("", None)],
)
def test_api_base_forms(given: str | None, expected: str | None) -> None:
    assert normalize_api_base(given) == expected
