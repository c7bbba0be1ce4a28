"""Sample Greenhouse job boards: the list with escaped HTML content, one detail per job with
``pay_input_ranges`` in cents, at the real ``boards-api.greenhouse.io`` paths (sample data)."""

from __future__ import annotations

import html
import json
from datetime import date
from typing import Any

from crawlers.demo.corpus import SAMPLE_NOTE, STATE_NAMES, SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "greenhouse"
API = "https://boards-api.greenhouse.io/v1/boards"
EMPLOYMENT = {"FULL_TIME": "Full-time", "PART_TIME": "Part-time", "PER_DIEM": "Per Diem"}


def token(employer: SampleEmployer) -> str:
    return employer.slug.replace("-", "")


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": token(employer)}


def job_id(posting: SamplePosting) -> int:
    return 4_000_000_000 + posting.uid


def job(posting: SamplePosting) -> dict[str, Any]:
    employer = posting.employer
    place = (f"Remote - {STATE_NAMES[posting.state]}" if posting.remote
             else f"{posting.city}, {posting.state}")
    workplace = "Remote" if posting.remote else "On-site"
    return {
        "absolute_url": f"https://job-boards.greenhouse.io/{token(employer)}/jobs/{job_id(posting)}",
        "data_compliance": [{"type": "gdpr", "requires_consent": False,
                             "requires_processing_consent": False,
                             "requires_retention_consent": False, "retention_period": None,
                             "demographic_data_consent_applies": False}],
        "internal_job_id": 3_000_000_000 + posting.uid,
        "location": {"name": place},
        "metadata": [
            {"id": 1, "name": "Employment Type",
             "value": EMPLOYMENT.get(posting.employment_type, posting.employment_type),
             "value_type": "single_select"},
            {"id": 2, "name": "Workplace Type", "value": workplace,
             "value_type": "single_select"},
        ],
        "id": job_id(posting),
        "updated_at": f"{posting.updated.isoformat()}+00:00",
        "requisition_id": posting.req_id,
        "title": posting.title,
        "company_name": employer.name,
        "first_published": f"{posting.posted.isoformat()}T08:00:00+00:00",
        "language": "en",
        "application_deadline": f"{posting.closes.isoformat()}T23:59:00Z" if posting.closes
        else None,
        # Real boards send the description entity-escaped once.
        "content": html.escape(posting.description_html),
        "departments": [{"id": 10, "name": "Peer Services" if posting.is_peer_title
                         else "Clinical Services", "child_ids": [], "parent_id": None}],
        "offices": [{"id": 20, "name": posting.city,
                     "location": f"{posting.city}, {STATE_NAMES[posting.state]}, United States",
                     "child_ids": [], "parent_id": None}],
    }


def pay_ranges(posting: SamplePosting) -> list[dict[str, Any]]:
    if not posting.structured_pay or posting.pay_min is None or posting.pay_max is None:
        return []
    hourly = posting.pay_period == "HOUR"
    return [{"min_cents": round(posting.pay_min * 100), "max_cents": round(posting.pay_max * 100),
             "currency_type": "USD",
             "title": "Hourly Pay Range" if hourly else "Annual Salary Range",
             "blurb": SAMPLE_NOTE}]


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    base = f"{API}/{token(employer)}"
    jobs = [job(p) for p in postings]
    site.put(f"{base}/jobs?content=true",
             json.dumps({"meta": {"total": len(jobs)}, "jobs": jobs}, ensure_ascii=False))
    for posting, listed in zip(postings, jobs, strict=True):
        detail = {**listed, "pay_input_ranges": pay_ranges(posting)}
        site.put(f"{base}/jobs/{job_id(posting)}?pay_transparency=true",
                 json.dumps(detail, ensure_ascii=False))
