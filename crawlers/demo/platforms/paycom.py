"""Sample Paycom career portals: the career page with its ``configsFromHost`` token, and the
job-posting service's company name, search (POST, paged by ``skip``) and details, at the real
paths (sample data).

The portal key is derived from the sample employer's slug. Each sample portal gets its own
service host (``portal-applicant-tracking.<slug>.paycomonline.net``) because the replay
server cannot tell portals apart by their token.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from crawlers.demo.corpus import SAMPLE_NOTE, SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "paycom"
PAGE = 50
POSITION = {"FULL_TIME": "Full Time", "Full-time": "Full Time", "PART_TIME": "Part Time",
            "PER_DIEM": "PRN"}
FILTERS = {"distanceFrom": 0, "workEnvironments": [], "positionTypes": [], "educationLevels": [],
           "categories": [], "travelTypes": [], "shiftTypes": [], "otherFilters": [],
           "keywordSearchText": "", "location": "", "sortOption": ""}


def key(employer: SampleEmployer) -> str:
    return hashlib.md5(f"sample-paycom-{employer.slug}".encode()).hexdigest().upper()


def service(employer: SampleEmployer) -> str:
    return f"https://portal-applicant-tracking.{employer.slug}.paycomonline.net/"


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": key(employer).lower()}


def location(posting: SamplePosting) -> str:
    return f"{posting.employer.name} - {posting.city}, {posting.state} {posting.zip}"


def pay(posting: SamplePosting) -> str:
    if posting.pay_min is None:
        return ""
    unit = {"HOUR": "Hourly", "YEAR": "Annually"}.get(posting.pay_period or "", "Hourly")
    return f"${posting.pay_min:,.2f} - ${posting.pay_max or posting.pay_min:,.2f} {unit}"


def preview(posting: SamplePosting) -> dict[str, Any]:
    return {"jobId": posting.uid, "jobTitle": posting.title,
            "positionType": POSITION.get(posting.employment_type, "Full Time"),
            "remoteType": "Remote" if posting.remote else "", "locations": location(posting),
            "description": posting.title + " ...", "postedOn": "", "isHotJob": False}


def detail(posting: SamplePosting) -> dict[str, Any]:
    k = key(posting.employer)
    google: dict[str, Any] = {
        "@context": "https://schema.org/", "@type": "JobPosting", "title": posting.title,
        "identifier": f"JSMPL{posting.uid}",
        "url": f"https://www.paycomonline.net/v4/ats/web.php/portal/{k}/jobs/{posting.uid}",
        "datePosted": posting.posted.isoformat(), "description": SAMPLE_NOTE,
        "employmentType": posting.employment_type,
        "hiringOrganization": {"@type": "Organization", "name": posting.employer.name.upper()},
        "jobLocation": {"@type": "Place", "address": {
            "streetAddress": posting.street, "addressLocality": posting.city,
            "addressRegion": posting.state, "postalCode": posting.zip, "addressCountry": "USA"}},
    }
    if posting.closes:
        google["validThrough"] = posting.closes.isoformat()
    return {"jobPosting": {
        "jobId": posting.uid, "clientCode": "SMPL", "jobTitle": posting.title,
        "location": location(posting), "secondaryLocations": [], "city": posting.city,
        "remoteType": "Remote" if posting.remote else "", "isHotJob": False,
        "salaryRange": pay(posting), "positionType": POSITION.get(posting.employment_type,
                                                                   "Full Time"),
        "description": posting.description_html, "descriptionTitle": "Description",
        "qualifications": "", "qualificationsTitle": "Qualifications",
        "googleJobJson": json.dumps(google), "countryPaidIn": "",
    }}


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    k, base = key(employer), service(employer)
    lib = json.dumps({"atsPortalMantleServiceUrl": base, "locale": "en-US"})
    configs = json.dumps({"sessionJWT": f"sample.{k.lower()}.token", "libConfig": lib})
    site.put(f"https://www.paycomonline.net/v4/ats/web.php/portal/{k}/career-page",
             f"<!DOCTYPE html><html><head><title>{SAMPLE_NOTE}</title></head><body>"
             f"<div id=\"root\">Loading...</div><script>var configsFromHost = {configs}; "
             "var Mountable = {};</script></body></html>")
    site.route(f"{base}api/ats/company-name", json.dumps({"companyName": employer.name}))
    newest_first = sorted(postings, key=lambda p: (p.posted, p.uid), reverse=True)
    previews = [preview(p) for p in newest_first]
    for skip in range(0, max(len(previews), 1), PAGE):
        body = {"jobPostingPreviews": previews[skip:skip + PAGE],
                "jobPostingPreviewsCount": len(previews)}
        site.route(f"{base}api/ats/job-posting-previews/search", json.dumps(body), method="POST",
                   json={"skip": skip})
    for posting in newest_first:
        site.route(f"{base}api/ats/job-postings/{posting.uid}", json.dumps(detail(posting)))
