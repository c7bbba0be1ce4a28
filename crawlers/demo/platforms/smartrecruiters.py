"""Sample SmartRecruiters companies: Posting API list pages (100 a page) and one detail per
posting with ``jobAd.sections``, at the real ``api.smartrecruiters.com`` paths (sample data).

Company identifiers are the sample employer's slug in CamelCase (``Sample...``). There is no
pay field on SmartRecruiters: structured pay is written into Additional Information's prose.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from typing import Any

from crawlers.demo.corpus import SAMPLE_NOTE, STATE_NAMES, SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "smartrecruiters"
API = "https://api.smartrecruiters.com/v1/companies"
PAGE = 100
EMPLOYMENT = {"FULL_TIME": ("permanent", "Full-time"), "Full-time": ("permanent", "Full-time"),
              "PART_TIME": ("part-time", "Part-time"), "PER_DIEM": ("part-time", "Part-time")}
_NAMESPACE = uuid.UUID("6f1d2a8e-5c3b-4e7a-9d10-2b4c6e8f0a13")


def company(employer: SampleEmployer) -> str:
    return "".join(part.capitalize() for part in employer.slug.split("-"))


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": company(employer)}


def posting_id(posting: SamplePosting) -> str:
    return str(744_000_900_000_000 + posting.uid)


def entry(posting: SamplePosting) -> dict[str, Any]:
    employer = posting.employer
    kind, label = EMPLOYMENT.get(posting.employment_type, ("permanent", "Full-time"))
    ident = company(employer)
    return {
        "id": posting_id(posting),
        "name": posting.title,
        "uuid": str(uuid.uuid5(_NAMESPACE, f"posting-{posting.uid}")),
        "jobAdId": str(uuid.uuid5(_NAMESPACE, f"ad-{posting.uid}")),
        "defaultJobAd": True,
        "refNumber": f"REF{posting.uid}S",
        "company": {"identifier": ident, "name": employer.name},
        "releasedDate": posting.updated.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "location": {"city": posting.city, "region": posting.state, "country": "us",
                     "remote": posting.remote, "hybrid": False,
                     "fullLocation": f"{posting.city}, {posting.state}, United States"},
        "industry": {"id": "mental_health_care", "label": "Mental Health Care"},
        "department": {},
        "function": {"id": "health_care_provider", "label": "Health Care Provider"},
        "typeOfEmployment": {"id": kind, "label": label},
        "experienceLevel": {"id": "entry_level", "label": "Entry Level"},
        "customField": [{"fieldId": "COUNTRY", "fieldLabel": "Country/Region", "valueId": "us",
                         "valueLabel": "United States"}],
        "visibility": "PUBLIC",
        "ref": f"{API}/{ident}/postings/{posting_id(posting)}",
        "language": {"code": "en", "label": "English", "labelNative": "English (US)"},
    }


def detail(posting: SamplePosting) -> dict[str, Any]:
    data = entry(posting)
    ident = company(posting.employer)
    slug = re.sub(r"[^a-z0-9]+", "-", posting.title.lower()).strip("-")
    url = f"https://jobs.smartrecruiters.com/{ident}/{posting_id(posting)}-{slug}"
    pay = ""
    if posting.structured_pay and posting.pay_min is not None and posting.pay_max is not None:
        unit = (posting.pay_period or "").lower() or "hour"
        pay = (f"<p>The pay range for this role is ${posting.pay_min:,.2f} - "
               f"${posting.pay_max:,.2f} per {unit}.</p>")
    data.update({
        "postingUrl": url,
        "applyUrl": f"{url}?oga=true",
        "jobAd": {"sections": {
            "companyDescription": {
                "title": "Company Description",
                "text": f"<p>{posting.employer.name} serves people across "
                        f"{STATE_NAMES[posting.employer.state]}. {SAMPLE_NOTE}</p>"},
            "jobDescription": {"title": "Job Description", "text": posting.description_html},
            "qualifications": {"title": "Qualifications", "text": ""},
            "additionalInformation": {"title": "Additional Information", "text": pay},
        }},
        "active": True,
    })
    return data


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    ident = company(employer)
    entries = [entry(p) for p in postings]
    for offset in range(0, max(len(entries), 1), PAGE):
        page = {"offset": offset, "limit": PAGE, "totalFound": len(entries),
                "content": entries[offset:offset + PAGE]}
        site.route(f"{API}/{ident}/postings", json.dumps(page, indent=1, ensure_ascii=False),
                   query={"limit": str(PAGE), "offset": str(offset)})
    for posting in postings:
        site.route(f"{API}/{ident}/postings/{posting_id(posting)}",
                   json.dumps(detail(posting), indent=1, ensure_ascii=False))
