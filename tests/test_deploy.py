"""The ready schedules in deploy/: systemd units that systemd itself accepts, a crontab line whose
command exists and never overlaps a running night, and a GitHub Actions workflow that parses
with the expected job, schedule and steps."""

from __future__ import annotations

import configparser
import fcntl
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO

DEPLOY = REPO / "deploy"
UNITS = DEPLOY / "systemd"
INSTALL_ROOT = "/srv/peerjobs"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(UNITS / name, encoding="utf-8")
    return parser


def installed_units(tmp_path: Path) -> Path:
    """The units as installed under ``tmp_path`` (standing for /srv/peerjobs), where
    ``.venv/bin/peerjobs`` is this checkout's: systemd checks that the commands exist."""
    root = tmp_path / "srv"
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "peerjobs").symlink_to(REPO / ".venv" / "bin" / "peerjobs")
    units = tmp_path / "units"
    units.mkdir()
    for path in UNITS.iterdir():
        (units / path.name).write_text(path.read_text().replace(INSTALL_ROOT, str(root)))
    return units


def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian: apt-get install systemd)")
    units = installed_units(tmp_path)
    names = sorted(p.name for p in units.iterdir())
    assert names == ["peerjobs-alert@.service", "peerjobs-nightly.service",
                     "peerjobs-nightly.timer"]
    result = subprocess.run([analyze, "verify", "--man=no", *(f"./{n}" for n in names)],
                            cwd=units, capture_output=True, text=True, timeout=120, check=False)
    # Unknown keys and bad values are warnings with exit 0: any output at all is a finding.
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    broken = units / "peerjobs-nightly.service"
    broken.write_text(broken.read_text().replace("/usr/bin/flock", "/usr/bin/no-such-flock"))
    result = subprocess.run([analyze, "verify", "--man=no", f"./{broken.name}"], cwd=units,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0 and "no-such-flock is not executable" in result.stderr


def test_the_timer_catches_up_and_the_service_locks_logs_and_alerts() -> None:
    timer = unit("peerjobs-nightly.timer")
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:15:00"
    assert timer["Timer"]["Unit"] == "peerjobs-nightly.service"
    assert timer["Install"]["WantedBy"] == "timers.target"
    service = unit("peerjobs-nightly.service")
    assert service["Unit"]["OnFailure"] == "peerjobs-alert@%n.service"
    assert (service["Service"]["StandardOutput"], service["Service"]["StandardError"]) == (
        "journal", "journal")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"] == (
        f"/usr/bin/flock --nonblock {INSTALL_ROOT}/data/.nightly.lock "
        f"{INSTALL_ROOT}/.venv/bin/peerjobs nightly")
    assert service["Service"]["Environment"] == f"PEERJOBS_DATA_DIR={INSTALL_ROOT}/data"


def cron_command() -> str:
    [line] = [raw for raw in (DEPLOY / "crontab").read_text().splitlines()
              if raw.strip() and not raw.startswith("#") and "=" not in raw.split()[0]]
    fields = line.split(None, 5)
    assert fields[:5] == ["15", "2", "*", "*", "*"]
    assert "%" not in fields[5]  # cron would cut the command at a % sign
    return fields[5]


def test_the_crontab_command_exists_and_a_second_night_does_not_start(tmp_path: Path) -> None:
    command = cron_command()
    match = re.fullmatch(r"cd (\S+) && mkdir -p data/logs && PEERJOBS_CONTACT=\S+ "
                         r"flock --nonblock (\S+) (\.venv/bin/peerjobs nightly) >> (\S+)", command)
    assert match, command
    root, lock, program, log = match.groups()
    assert (root, lock, log) == (INSTALL_ROOT, "data/.nightly.lock", "data/logs/nightly.log")
    assert shutil.which("flock")
    # The same command from this checkout, asking the nightly job for its help: it runs...
    local = command.replace(f"cd {root}", f"cd {REPO}").replace(program, f"{program} --help")
    local = local.replace(lock, str(tmp_path / "nightly.lock")).replace(
        log, str(tmp_path / "nightly.log")).replace("mkdir -p data/logs", f"mkdir -p {tmp_path}")
    env = {**os.environ, "PEERJOBS_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(["sh", "-c", local], env=env, timeout=120, check=False)
    assert done.returncode == 0
    assert "The scheduled job" in (tmp_path / "nightly.log").read_text()
    # ...and while another night holds the lock, it stops at once with 1 and runs nothing.
    (tmp_path / "nightly.log").unlink()
    with (tmp_path / "nightly.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        blocked = subprocess.run(["sh", "-c", local], env=env, timeout=120, check=False)
    assert blocked.returncode == 1
    assert (tmp_path / "nightly.log").read_text() == ""


def workflow() -> dict[Any, Any]:
    loaded = yaml.safe_load((DEPLOY / "github" / "nightly.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_the_workflow_runs_nightly_and_keeps_the_archive() -> None:
    flow = workflow()
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers == {"schedule": [{"cron": "15 2 * * *"}], "workflow_dispatch": None}
    assert flow["concurrency"] == {"group": "peerjobs-nightly", "cancel-in-progress": False}
    assert flow["permissions"] == {"contents": "write"}
    assert list(flow["jobs"]) == ["crawl-and-build"]
    steps = flow["jobs"]["crawl-and-build"]["steps"]
    assert [s.get("uses", s.get("name")) for s in steps] == [
        "actions/checkout@v4", "actions/setup-python@v5", "Install",
        "Install chromium for browser-rendered career pages",
        "Restore the archive and the database of the last night",
        "Crawl, build, export, report health", "Keep the results as release assets",
        "Report how the night went (0 healthy, 2 degraded, 1 failed)"]
    scripts = {s["name"]: s["run"] for s in steps if "run" in s}
    assert ".venv/bin/peerjobs nightly\n" in scripts["Crawl, build, export, report health"]
    assert [s.get("continue-on-error") for s in steps] == [None] * 3 + [True] + [None] * 4
    keep = scripts["Keep the results as release assets"]
    assert "tar -czf archive.tar.gz -C data archive" in keep
    assert "gh release upload \"$RELEASE\" --clobber archive.tar.gz" in keep
    for name, script in scripts.items():
        plain = re.sub(r"\$\{\{[^}]*\}\}", "0", script)
        check = subprocess.run(["bash", "-n"], input=plain, text=True, capture_output=True,
                               check=False)
        assert (name, check.returncode, check.stderr) == (name, 0, "")


def test_every_peerjobs_command_the_schedules_run_exists() -> None:
    texts = [p.read_text() for p in (*UNITS.iterdir(), DEPLOY / "crontab",
                                     DEPLOY / "github" / "nightly.yml")]
    commands = {m for text in texts for m in re.findall(r"bin/peerjobs (\w+)", text)}
    assert commands == {"nightly"}
    help_text = subprocess.run([sys.executable, "-m", "crawlers.cli", "nightly", "--help"],
                               cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert "--notify URL" in help_text
