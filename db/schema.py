"""The schema, as named sqlite-utils migrations; a database is always migrated before use.

Raw fields keep the spider's values (``raw_`` where a normalized column has the same name);
normalized columns come from normalize/ and can be re-derived at any time from the raw ones.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("peerjobs")

RAW_POSTING_COLUMNS: dict[str, type] = {
    "id": int,
    "source": str,
    "source_id": str,
    "platform": str,
    "board": str,
    "board_state": str,
    "url": str,
    "title": str,
    "employer": str,
    "location": str,
    "locations": str,
    "pay_text": str,
    "raw_pay_min": float,
    "raw_pay_max": float,
    "raw_pay_period": str,
    "raw_pay_currency": str,
    "description": str,
    "posted_at": str,
    "closes_at": str,
    "employment_type": str,
    "raw_remote": int,
    "source_updated_at": str,
    "extra": str,
    "content_hash": str,
    "fetched_at": str,
    "first_seen": str,
    "last_seen": str,
    "times_seen": int,
    "last_run_id": str,
}

NORMALIZED_POSTING_COLUMNS: dict[str, type] = {
    "is_peer": int,
    "role_family": str,
    "role_title": str,
    "title_score": float,
    "title_match": str,
    "title_clean": str,
    "pay_min": float,
    "pay_max": float,
    "pay_period": str,
    "pay_currency": str,
    "hourly_min": float,
    "hourly_max": float,
    "pay_period_inferred": int,
    "pay_source": str,
    "pay_flags": str,
    "cert_requirement": str,
    "cert_within_days": int,
    "credentials": str,
    "lived_experience_required": int,
    "min_education": str,
    "drivers_license_required": int,
    "state": str,
    "county": str,
    "county_fips": str,
    "cbsa_code": str,
    "cbsa_title": str,
    "region": str,
    "division": str,
    "remote": int,
    "taxonomy_version": str,
}


@migrations(name="0001_runs_postings_sightings")
def m0001(db: Database) -> None:
    db["run_files"].create(
        {
            "run_id": str,
            "spider": str,
            "platform": str,
            "started_at": str,
            "finished_at": str,
            "finish_reason": str,
            "feed_file": str,
            "lines": int,
            "items_loaded": int,
            "bad_lines": int,
        },
        pk="run_id",
    )
    db["runs"].create(
        {
            "run_id": str,
            "source": str,
            "spider": str,
            "platform": str,
            "board": str,
            "board_state": str,
            "employer": str,
            "started_at": str,
            "finished_at": str,
            "finish_reason": str,
            "status": str,
            "items": int,
            "items_loaded": int,
            "requests": int,
            "listing_pages": int,
            "problem_count": int,
            "problems": str,
            "http_status": str,
        },
        pk=("run_id", "source"),
    )
    db["postings"].create({**RAW_POSTING_COLUMNS, **NORMALIZED_POSTING_COLUMNS}, pk="id")
    db["postings"].create_index(["source", "source_id"], unique=True)
    db["sightings"].create(
        {"posting_id": int, "run_id": str, "source": str, "seen_at": str, "detail_skipped": int},
        pk=("posting_id", "run_id"),
    )
    db["sightings"].create_index(["run_id"])
    db["runs"].create_index(["source", "started_at"])


def migrate(db: Database) -> None:
    migrations.apply(db)
