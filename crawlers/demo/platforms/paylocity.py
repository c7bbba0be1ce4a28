"""Sample Paylocity Recruiting boards: the listing page embedding ``window.pageData`` and one
detail page per posting with JobPosting JSON-LD and the job-preview HTML, at the real paths
(sample data). The company GUID is derived from the sample employer's slug."""

from __future__ import annotations

import html
import json
import uuid
from datetime import date
from typing import Any

from crawlers.demo.corpus import SAMPLE_NOTE, SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "paylocity"
HOST = "https://recruiting.paylocity.com"


def guid(employer: SampleEmployer) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sample-paylocity-{employer.slug}"))


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": guid(employer)}


def job(posting: SamplePosting) -> dict[str, Any]:
    return {"JobId": posting.uid, "JobTitle": posting.title,
            "LocationName": "Remote" if posting.remote else posting.city,
            "ShouldDisplayLocation": True,
            "PublishedDate": f"{posting.posted.isoformat()}T08:00:00-05:00", "Description": "",
            "IsInternal": False, "HiringDepartment": None,
            "JobLocation": {"Name": posting.city, "Address": posting.street, "Address2": None,
                            "Metro": None, "City": posting.city, "State": posting.state,
                            "Zip": posting.zip, "Country": "USA", "County": None},
            "IsRemote": posting.remote, "IndeedRemoteType": 1 if posting.remote else 2}


def jsonld(posting: SamplePosting) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org/", "@type": "JobPosting", "title": posting.title,
        "description": posting.description_html, "datePosted": posting.posted.isoformat(),
        "employmentType": posting.employment_type,
        "hiringOrganization": {"@type": "Organization", "name": posting.employer.name},
        "jobLocation": {"@type": "Place", "address": {
            "@type": "PostalAddress", "streetAddress": posting.street,
            "addressLocality": posting.city, "addressRegion": posting.state,
            "postalCode": posting.zip, "addressCountry": "USA"}},
    }
    if posting.closes:
        data["validThrough"] = posting.closes.isoformat()
    if posting.structured_pay and posting.pay_min is not None:
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "USD", "value": {
            "@type": "QuantitativeValue", "minValue": posting.pay_min,
            "maxValue": posting.pay_max, "unitText": posting.pay_period}}
    return data


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    jobs = [job(p) for p in sorted(postings, key=lambda p: (p.posted, p.uid), reverse=True)]
    data = {"Jobs": jobs, "ModuleTitle": employer.name, "ShowInternal": False}
    site.put(f"{HOST}/recruiting/jobs/All/{guid(employer)}",
             f"<!DOCTYPE html><html><head><title>{html.escape(employer.name)} - Job "
             f"Opportunities</title></head><body><p>{SAMPLE_NOTE}</p><script>\n    "
             f"window.pageData = {json.dumps(data)};\n  </script></body></html>")
    for posting in postings:
        block = json.dumps(jsonld(posting)).replace("</", "<\\/")
        site.put(f"{HOST}/Recruiting/Jobs/Details/{posting.uid}", (
            f"<!DOCTYPE html><html><head><title>{html.escape(posting.title)}</title>"
            f'<script type="application/ld+json">{block}</script></head><body>'
            '<div class="job-preview"><div class="job-preview-header">'
            f'<span class="job-preview-title left"><span>{html.escape(posting.title)}</span>'
            f'</span><div class="preview-location">{html.escape(posting.city)}, '
            f'{posting.state}</div></div><div class="job-preview-details">'
            f'<div class="job-listing-header">Description</div><div>{posting.description_html}'
            "</div></div></div></body></html>"))
