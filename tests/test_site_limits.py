"""One anonymous query must not take the site down (issue 15): SQLite's own limits on every
connection, a budget on the bytes a query returns, and public mode hiding the debug pages and
the database's path. The server runs under an address-space cap, so a failure of the limits
ends in a refused allocation, never in harm to the machine."""

from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import datasette_server

# Datasette maps about 1 GB of address space at rest (thread stacks, arenas); 1.5 GB leaves room
# to answer queries and none to build a 1 GB value.
ADDRESS_SPACE = 1_500_000_000
PEAK_RSS_LIMIT_KB = 500 * 1024

HOSTILE = {
    "zeroblob": "select zeroblob(1000000000)",
    "randomblob": "select randomblob(1e9)",
    "group_concat of a recursive CTE": (
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000000) "
        "select group_concat(printf('%0100d', i)) from n"),
    "many large rows": (
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 5000) "
        "select zeroblob(4000000) from n"),
}


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


class Site:
    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process, self.port = process, port

    def get(self, path: str) -> tuple[int, dict[str, object] | str]:
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode()
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body

    def peak_rss_kb(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines()
                        if line.startswith("VmHWM:")))


def serve(data: Path, *extra: str) -> Iterator[Site]:
    with datasette_server(data, *extra, ready_path="/peerjobs.json", stdout=subprocess.DEVNULL,
                          preexec_fn=_cap_memory) as (process, port):
        yield Site(process, port)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    conn = sqlite3.connect(folder / "peerjobs.db")
    conn.execute("create table notes (id integer primary key, title text, description text)")
    conn.executemany("insert into notes values (?, ?, ?)",
                     [(i, f"Peer Support Specialist {i}", "x" * 2000) for i in range(1, 301)])
    conn.commit()
    conn.close()
    return folder


@pytest.fixture(scope="module")
def site(data: Path) -> Iterator[Site]:
    yield from serve(data)


@pytest.fixture(scope="module")
def public_site(data: Path) -> Iterator[Site]:
    yield from serve(data, "--public")


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_query_ends_in_a_clear_4xx_and_the_server_stays_small(site: Site,
                                                                         name: str) -> None:
    started = time.monotonic()
    status, body = site.get("/peerjobs.json?" + urllib.parse.urlencode({"sql": HOSTILE[name]}))
    elapsed = time.monotonic() - started
    assert status == 400, body
    assert isinstance(body, dict) and body["ok"] is False
    error = str(body["error"])
    assert ("string or blob too big" in error or "result too large" in error
            or "SQL query took too long" in error), error
    assert elapsed < 30  # the time limit is 5 s; the slack is for a loaded machine
    assert site.process.poll() is None
    assert site.peak_rss_kb() < PEAK_RSS_LIMIT_KB
    # and the site still answers ordinary questions
    status, rows = site.get("/peerjobs/notes.json?_shape=array&_size=3")
    assert status == 200 and isinstance(rows, list) and [r["id"] for r in rows] == [1, 2, 3]


def test_ordinary_large_pages_stay_within_the_budget(site: Site) -> None:
    status, body = site.get("/peerjobs.json?" + urllib.parse.urlencode(
        {"sql": "select * from notes", "_shape": "array"}))
    assert status == 200 and isinstance(body, list) and len(body) == 300


def test_debug_pages_and_the_path_are_open_locally_and_hidden_in_public_mode(
        site: Site, public_site: Site, data: Path) -> None:
    for path in ("/-/settings.json", "/-/versions.json", "/-/threads.json", "/-/databases.json",
                 "/-/allow-debug", "/-/messages"):
        assert public_site.get(path)[0] == 404, path
    status, body = site.get("/-/databases.json")
    assert status == 200 and str(data / "peerjobs.db") in json.dumps(body)
    status, body = public_site.get("/peerjobs/notes.json?_shape=array&_size=1")
    assert status == 200 and body == [{"id": 1, "title": "Peer Support Specialist 1",
                                       "description": "x" * 2000}]
    status, page = public_site.get("/peerjobs")
    assert status == 200 and str(data) not in str(page)


@pytest.mark.parametrize("query", ["_sort=nope", "_sort_desc=nope", "_sort=id&_sort_desc=id"])
def test_a_bad_sort_is_the_visitors_error_not_the_servers(site: Site, query: str) -> None:
    status, body = site.get(f"/peerjobs/notes.json?{query}")
    assert status == 400
    assert isinstance(body, dict) and str(body["error"]).startswith("Cannot ")
    with pytest.raises(urllib.error.HTTPError) as page:
        urllib.request.urlopen(f"http://127.0.0.1:{site.port}/peerjobs/notes?{query}", timeout=30)
    assert page.value.code == 400
