"""``peerjobs``: the command line, a thin layer over crawlers/, normalize/, db/ and datasette/."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from crawlers import config
from crawlers.progress import showing

REPO_ROOT = Path(__file__).resolve().parent.parent
DATASETTE_DIR = REPO_ROOT / "datasette"


def _settings_from(pairs: tuple[str, ...]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="-s")
        settings[name.strip()] = value
    return settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar=config.DATA_DIR_ENV, help="Data folder (default ./data; env PEERJOBS_DATA_DIR).")
@click.option("-v", "--verbose", is_flag=True, help="Log progress.")
@click.version_option(package_name="peerjobs")
def main(data_dir: Path | None, verbose: bool) -> None:
    """Collect, normalize and publish US peer-support job postings."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    if data_dir:
        os.environ[config.DATA_DIR_ENV] = str(data_dir.expanduser().resolve())
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


# -- crawl ------------------------------------------------------------------------------------


@main.command()
@click.argument("sources", nargs=-1)
@click.option("--api-base", help="Send every request to this mirror (e.g. http://127.0.0.1:8000).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy setting for this crawl (repeatable).")
@click.option("--strict", is_flag=True, help="Exit non-zero when any source fails.")
@click.option("--scrapyd", "scrapyd_nodes", metavar="URL[,URL...]",
              help="Run one job per board on these Scrapyd nodes (the data folder must be a "
                   "path every node mounts).")
@click.option("--scrapyd-slots", default=4, show_default=True, type=int,
              help="Jobs each Scrapyd node runs at once (its max_proc).")
def crawl(sources: tuple[str, ...], api_base: str | None, overrides: tuple[str, ...],
          strict: bool, scrapyd_nodes: str | None, scrapyd_slots: int) -> None:
    """Run the spiders for SOURCES (platforms, source keys or board tokens; default: all enabled)."""
    from crawlers.crawl import crawl_sources, print_summary
    from crawlers.scrapyd_crawl import ScrapydError, crawl_with_scrapyd

    try:
        with showing():
            if scrapyd_nodes:
                outcomes = crawl_with_scrapyd(sources, scrapyd_nodes, slots=scrapyd_slots,
                                              api_base=api_base,
                                              settings=_settings_from(overrides),
                                              echo=click.echo)
            else:
                outcomes = crawl_sources(sources, api_base=api_base,
                                         settings=_settings_from(overrides))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    except ScrapydError as exc:
        raise click.ClickException(f"Scrapyd: {exc} (no job was scheduled)") from exc
    code = print_summary(outcomes, strict=strict)
    sys.exit(code)


@main.command()
def sources() -> None:
    """List the boards in sources.toml with their last run's status."""
    from crawlers.crawl import print_sources

    print_sources()


# -- build ------------------------------------------------------------------------------------


def _build(rebuild: bool) -> None:
    from db.build import BuildError
    from db.pipeline import build_database

    try:
        with showing():
            report = build_database(config.data_dir(), rebuild=rebuild)
    except BuildError as exc:
        click.echo(f"build failed, the published database is unchanged: {exc}", err=True)
        sys.exit(1)
    click.echo(report.summary())
    for problem in report.problems[:20]:
        click.echo(f"  problem: {problem}", err=True)
    if len(report.problems) > 20:
        click.echo(f"  ... and {len(report.problems) - 20} more", err=True)


@main.command()
def build() -> None:
    """Normalize and load new runs from the raw archive, refresh derived tables."""
    _build(rebuild=False)


@main.command()
def rebuild() -> None:
    """Recreate the whole database from the raw archive alone."""
    _build(rebuild=True)


@main.command()
@click.argument("sources", nargs=-1)
@click.option("--api-base", help="Crawl a mirror instead of the real sources.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy setting for the crawl (repeatable).")
@click.option("--export-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the CSV exports (default DATA_DIR/exports).")
@click.option("--notify", "notify_url", metavar="URL",
              help="POST the night's summary as JSON to this webhook.")
def nightly(sources: tuple[str, ...], api_base: str | None, overrides: tuple[str, ...],
            export_dir: Path | None, notify_url: str | None) -> None:
    """The scheduled job: crawl every enabled source, build, export, report health.

    Exits 0 when healthy, 2 when degraded (warnings: see the health report, also written to
    DATA_DIR/reports/), 1 when no source could be read or the build failed.
    """
    from crawlers.nightly import notify, run_nightly

    try:
        with showing():
            summary = run_nightly(sources, api_base=api_base,
                                  settings=_settings_from(overrides), export_dir=export_dir,
                                  echo=click.echo)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if notify_url:
        problem = notify(notify_url, summary.as_dict())
        if problem:
            summary.warnings.append(problem)
        else:
            click.echo(f"summary posted to {notify_url}")
    click.echo(summary.text(), err=summary.exit_code != 0)
    sys.exit(summary.exit_code)


# -- publish ----------------------------------------------------------------------------------


def datasette_command(database: Path, *, host: str, port: int,
                      metadata: Path | None = None) -> list[str]:
    command = [
        sys.executable, "-m", "datasette", "serve", str(database),
        "--metadata", str(metadata or DATASETTE_DIR / "metadata.yml"),
        "--plugins-dir", str(DATASETTE_DIR / "plugins"),
        "--host", host, "--port", str(port),
        "--setting", "sql_time_limit_ms", "5000",
        "--setting", "max_returned_rows", "5000",
        # Table pages cut long texts (descriptions) to this; the row page shows them whole.
        "--setting", "truncate_cells_html", "200",
        # Suggesting facets ran a query per column on every table page (80 for postings): a
        # third of the page's time. The facets metadata.yml names are still offered.
        "--setting", "suggest_facets", "off",
        # A facet counted over a whole table at a million postings takes a second or more: a
        # page waits at most this long for each, and one that takes longer is counted in the
        # background and kept until the next build for later visitors (plugins/peerjobs_swap.py).
        "--setting", "facet_time_limit_ms", "150",
    ]
    if (DATASETTE_DIR / "templates").is_dir():
        command += ["--template-dir", str(DATASETTE_DIR / "templates")]
    if (DATASETTE_DIR / "static").is_dir():
        command += ["--static", f"static:{DATASETTE_DIR / 'static'}"]
    return command


def _become(command: list[str]) -> None:
    """Replace this process with Datasette, so signals (Ctrl-C, a supervisor's stop) reach it."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--public", is_flag=True,
              help="For a site on the internet: hide Datasette's debug pages and the file path.")
def serve(host: str, port: int, public: bool) -> None:
    """Start Datasette on the database with the project's metadata and plugins.

    Every connection is limited (value size, SQL length, bytes a query returns) whether public
    or not; --public also hides /-/settings, /-/versions, /-/threads, /-/databases and the like."""
    from crawlers.demo import served_metadata

    database = config.database_path()
    if not database.exists():
        raise click.ClickException(f"{database} does not exist yet: run `peerjobs build` first")
    if public:
        os.environ["PEERJOBS_PUBLIC"] = "1"
    # A demo database (SAMPLE_DATA.txt beside it) is served labelled as sample data.
    metadata = served_metadata(database, DATASETTE_DIR / "metadata.yml")
    click.echo(f"Datasette at http://{host}:{port}/ (Ctrl-C stops it)"
               + (" in public mode" if public else "")
               + (" (SAMPLE DATA)" if metadata else ""))
    _become(datasette_command(database, host=host, port=port, metadata=metadata))


@main.command()
@click.option("--no-serve", is_flag=True, help="Stop after building the database.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--weeks", default=8, show_default=True, type=int,
              help="Weekly snapshots of the sample corpus to crawl.")
def demo(no_serve: bool, host: str, port: int, weeks: int) -> None:
    """Offline demonstration: sample corpus → local server → real spiders → database → Datasette."""
    from crawlers.demo import demo_metadata, run_demo

    folder = config.data_dir() / "demo"
    database = run_demo(folder, weeks=weeks, echo=click.echo)
    metadata = demo_metadata(DATASETTE_DIR / "metadata.yml", folder / "metadata.yml")
    if no_serve:
        click.echo(f"database: {database} (serve it with: peerjobs --data-dir {folder} serve)")
        return
    click.echo(f"Datasette at http://{host}:{port}/peerjobs (SAMPLE DATA; Ctrl-C stops it)")
    _become(datasette_command(database, host=host, port=port, metadata=metadata))


@main.command()
@click.argument("infile", type=click.File("rb"), default="-")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
@click.option("--csv", "as_csv", is_flag=True, help="Read and write CSV instead of JSON lines.")
def normalize(infile: Any, output: Any, as_csv: bool) -> None:
    """Normalize postings: JSON lines (or CSV) in, the same plus normalized fields out."""
    from crawlers.normalize_io import normalize_csv, normalize_jsonlines

    try:
        count, errors = (normalize_csv if as_csv else normalize_jsonlines)(infile, output)
    except OSError as exc:
        raise click.ClickException(f"cannot read input: {exc}") from exc
    if not count:
        click.echo("no input: nothing to normalize", err=True)
    if errors:
        click.echo(f"{errors} of {count} line(s) could not be normalized (see error objects)",
                   err=True)


@main.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the CSVs (default DATA_DIR/exports).")
def export(out_dir: Path | None) -> None:
    """Write every table and trend series as CSV, with a data dictionary."""
    from db.exports import export_all

    database = config.database_path()
    if not database.exists():
        raise click.ClickException(f"{database} does not exist yet: run `peerjobs build` first")
    target = out_dir or config.data_dir() / "exports"
    with showing():
        written = export_all(database, target)
    click.echo(json.dumps({"folder": str(target), "files": [p.name for p in written]}))


if __name__ == "__main__":
    main()
