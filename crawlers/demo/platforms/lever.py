"""Sample Lever job sites: the paged postings list (``skip``/``limit``, bare JSON arrays, an
empty page past the end) at the real ``api.lever.co`` paths (sample data)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from crawlers.demo.corpus import STATE_NAMES, SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite
from crawlers.text import html_to_text

PLATFORM = "lever"
PAGE = 5
"""A small page size so the demo boards page like large real ones."""
COMMITMENT = {"FULL_TIME": "Full-time", "PART_TIME": "Part-time", "PER_DIEM": "Per Diem"}
INTERVAL = {"HOUR": "per-hour-wage", "YEAR": "per-year-salary"}
EQUAL_OPPORTUNITY = ("<div>{name} is an equal opportunity employer. People in recovery are "
                     "encouraged to apply.</div>")


def site_name(employer: SampleEmployer) -> str:
    return employer.slug


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": site_name(employer), "limit": PAGE}


def posting_id(posting: SamplePosting) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"peerjobs-demo-lever-{posting.uid}"))


def posting_json(posting: SamplePosting) -> dict[str, Any]:
    employer = posting.employer
    place = (f"Remote - {STATE_NAMES[posting.state]}" if posting.remote
             else f"{posting.city}, {STATE_NAMES[posting.state]}")
    created = datetime.combine(posting.posted, time(14, 0), tzinfo=UTC)
    url = f"https://jobs.lever.co/{site_name(employer)}/{posting_id(posting)}"
    additional = EQUAL_OPPORTUNITY.format(name=employer.name)
    data: dict[str, Any] = {
        "additionalPlain": html_to_text(additional),
        "additional": additional,
        "categories": {
            "commitment": COMMITMENT.get(posting.employment_type, posting.employment_type),
            "department": "Peer Services" if posting.is_peer_title else "Clinical Services",
            "location": place,
            "team": employer.name,
            "allLocations": [place],
        },
        "createdAt": int(created.timestamp() * 1000),
        "descriptionPlain": html_to_text(posting.description_html),
        "description": posting.description_html,
        "id": posting_id(posting),
        "text": posting.title,
        "country": "US",
        "workplaceType": "remote" if posting.remote else "on-site",
        "hostedUrl": url,
        "applyUrl": f"{url}/apply",
    }
    if posting.structured_pay and posting.pay_period in INTERVAL:
        data["salaryRange"] = {"interval": INTERVAL[posting.pay_period], "currency": "USD",
                               "min": posting.pay_min, "max": posting.pay_max}
    return data


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    base = f"https://api.lever.co/v0/postings/{site_name(employer)}"
    items = [posting_json(p) for p in postings]
    # Every page the spider can ask for, including the empty one past a full last page.
    for skip in range(0, len(items) + 1, PAGE):
        site.put(f"{base}?mode=json&skip={skip}&limit={PAGE}",
                 json.dumps(items[skip:skip + PAGE], ensure_ascii=False))
