"""Sample Ashby job boards: the whole board with compensation in one response, at the real
``api.ashbyhq.com/posting-api/job-board`` path (sample data)."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from crawlers.demo.corpus import STATE_NAMES, SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite
from crawlers.text import html_to_text

PLATFORM = "ashby"
EMPLOYMENT = {"FULL_TIME": "FullTime", "PART_TIME": "PartTime", "PER_DIEM": "Temporary",
              "Full-time": "FullTime"}
INTERVAL = {"HOUR": "1 HOUR", "YEAR": "1 YEAR"}


def board_name(employer: SampleEmployer) -> str:
    return employer.slug


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": board_name(employer)}


def job_id(posting: SamplePosting) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"peerjobs-demo-ashby-{posting.uid}"))


def _money(value: float, hourly: bool) -> str:
    return f"${value:.2f}" if hourly else f"${value / 1000:g}K"


def compensation(posting: SamplePosting) -> dict[str, Any]:
    if not (posting.structured_pay and posting.pay_period in INTERVAL
            and posting.pay_min is not None and posting.pay_max is not None):
        return {"compensationTierSummary": None, "scrapeableCompensationSalarySummary": None,
                "compensationTiers": [], "summaryComponents": []}
    hourly = posting.pay_period == "HOUR"
    low, high = _money(posting.pay_min, hourly), _money(posting.pay_max, hourly)
    suffix = " per hour" if hourly else ""
    component = {"compensationType": "Salary", "interval": INTERVAL[posting.pay_period],
                 "currencyCode": "USD", "minValue": posting.pay_min,
                 "maxValue": posting.pay_max}
    summary = f"{low} \u2013 {high}{suffix}"
    return {
        "compensationTierSummary": summary,
        "scrapeableCompensationSalarySummary": f"{low} - {high}{suffix}",
        "compensationTiers": [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, job_id(posting))),
                               "tierSummary": summary, "title": None,
                               "additionalInformation": None,
                               "components": [{"id": job_id(posting), "summary": summary,
                                               **component}]}],
        "summaryComponents": [component],
    }


def job(posting: SamplePosting) -> dict[str, Any]:
    employer = posting.employer
    url = f"https://jobs.ashbyhq.com/{board_name(employer)}/{job_id(posting)}"
    place = (f"Remote - {STATE_NAMES[posting.state]}" if posting.remote
             else f"{posting.city}, {posting.state}")
    return {
        "id": job_id(posting),
        "title": posting.title,
        "department": "Peer Services" if posting.is_peer_title else "Clinical Services",
        "team": employer.name,
        "employmentType": EMPLOYMENT.get(posting.employment_type, "FullTime"),
        "location": place,
        "shouldDisplayCompensationOnJobPostings": True,
        "secondaryLocations": [],
        "publishedAt": f"{posting.posted.isoformat()}T15:00:00.000+00:00",
        "isListed": True,
        "isRemote": posting.remote,
        "workplaceType": "Remote" if posting.remote else "OnSite",
        "address": {"postalAddress": {"addressRegion": STATE_NAMES[posting.state],
                                      "addressCountry": "USA", "addressLocality": posting.city}},
        "jobUrl": url,
        "applyUrl": f"{url}/application",
        "descriptionHtml": posting.description_html,
        "descriptionPlain": html_to_text(posting.description_html),
        "compensation": compensation(posting),
    }


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    site.put(f"https://api.ashbyhq.com/posting-api/job-board/{board_name(employer)}"
             "?includeCompensation=true",
             json.dumps({"jobs": [job(p) for p in postings], "apiVersion": "1"},
                        ensure_ascii=False))
