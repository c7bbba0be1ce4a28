"""Sample Workday career sites: CXS list pages (POST, 20 a page, ``total`` on the first page only,
as Workday sends it) and one detail per posting, at the real ``/wday/cxs`` paths (sample data).

Tenants are the sample employer's slug (``sample...``) and the site is ``SampleCareers``.
Workday has no pay field: structured pay is written into the description's prose.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Any

from crawlers.demo.corpus import SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "workday"
SITE = "SampleCareers"
PAGE = 20
USA = {"descriptor": "United States of America", "id": "bc33aa3152ec42d4995f4791a106ed09"}
TIME_TYPE = {"FULL_TIME": "Full time", "Full-time": "Full time", "PART_TIME": "Part time",
             "PER_DIEM": "Part time"}


def tenant(employer: SampleEmployer) -> str:
    return re.sub(r"[^a-z0-9]", "", employer.slug.lower())


def host(employer: SampleEmployer) -> str:
    return f"{tenant(employer)}.wd5.myworkdayjobs.com"


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": f"https://{host(employer)}/{SITE}"}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def location(posting: SamplePosting) -> str:
    return f"US, {posting.state}, {'Remote' if posting.remote else posting.city}"


def external_path(posting: SamplePosting) -> str:
    return f"/job/{_slug(location(posting))}/{_slug(posting.title)}_{posting.req_id}"


def posted_on(posted: date, when: date) -> str:
    days = (when - posted).days
    if days <= 0:
        return "Posted Today"
    if days == 1:
        return "Posted Yesterday"
    return "Posted 30+ Days Ago" if days >= 30 else f"Posted {days} Days Ago"


def entry(posting: SamplePosting, when: date) -> dict[str, Any]:
    return {"title": posting.title, "externalPath": external_path(posting),
            "locationsText": location(posting), "postedOn": posted_on(posting.posted, when),
            "bulletFields": [posting.req_id]}


def description(posting: SamplePosting) -> str:
    text = posting.description_html
    if posting.structured_pay and posting.pay_min is not None and posting.pay_max is not None:
        unit = (posting.pay_period or "").lower() or "hour"
        text += (f"\n<p>Pay range: ${posting.pay_min:,.2f} - ${posting.pay_max:,.2f} "
                 f"per {unit}</p>")
    return text


def detail(posting: SamplePosting, when: date) -> dict[str, Any]:
    employer = posting.employer
    path = external_path(posting)
    digest = hashlib.sha1(f"sample-{posting.uid}".encode()).hexdigest()
    info: dict[str, Any] = {
        "id": digest[:28] + "0000",
        "title": posting.title,
        "jobDescription": description(posting),
        "location": location(posting),
        "additionalLocations": [],
        "postedOn": posted_on(posting.posted, when),
        "startDate": posting.posted.isoformat(),
        "timeType": TIME_TYPE.get(posting.employment_type, "Full time"),
        "jobReqId": posting.req_id,
        "jobPostingId": path.rsplit("/", 1)[-1],
        "jobPostingSiteId": SITE,
        "country": USA,
        "canApply": True,
        "posted": True,
        "includeResumeParsing": True,
        "jobRequisitionLocation": {"descriptor": location(posting),
                                   "country": {**USA, "alpha2Code": "US"}},
    }
    if posting.remote:
        info["remoteType"] = "Fully Remote"
    info["externalUrl"] = f"https://{host(employer)}/{SITE}{path}"
    info["questionnaireId"] = digest[8:36]
    return {"jobPostingInfo": info, "hiringOrganization": {"name": employer.name, "url": ""},
            "userAuthenticated": False}


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    cxs = f"https://{host(employer)}/wday/cxs/{tenant(employer)}/{SITE}"
    newest_first = sorted(postings, key=lambda p: (p.posted, p.uid), reverse=True)
    entries = [entry(p, when) for p in newest_first]
    offsets = range(0, max(len(entries), 1), PAGE)
    for offset in offsets:
        page = {"total": len(entries) if offset == 0 else 0,
                "jobPostings": entries[offset:offset + PAGE], "userAuthenticated": False}
        site.route(f"{cxs}/jobs", json.dumps(page, indent=1), method="POST",
                   json={"offset": offset})
    for posting in newest_first:
        site.route(f"{cxs}{external_path(posting)}", json.dumps(detail(posting, when), indent=1))
