"""Sample career sites with schema.org JobPosting JSON-LD, reached through a sitemap."""

from __future__ import annotations

import html
import json
from datetime import date
from typing import Any

from crawlers.demo.corpus import SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "jsonld"


def host(employer: SampleEmployer) -> str:
    return f"careers.{employer.slug}.example"


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {
        "board": f"https://{host(employer)}/",
        "start_urls": [f"https://{host(employer)}/sitemap.xml"],
        "follow": "/jobs/",
    }


def jobposting(posting: SamplePosting, url: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": posting.title,
        "description": posting.description_html,
        "identifier": {"@type": "PropertyValue", "name": posting.employer.name,
                       "value": posting.req_id},
        "datePosted": posting.posted.isoformat(),
        "employmentType": posting.employment_type,
        "hiringOrganization": {"@type": "Organization", "name": posting.employer.name,
                               "sameAs": f"https://{host(posting.employer)}/"},
        "url": url,
    }
    if posting.closes:
        data["validThrough"] = f"{posting.closes.isoformat()}T23:59"
    if posting.remote:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "State", "name": posting.state}
    else:
        data["jobLocation"] = {"@type": "Place", "address": {
            "@type": "PostalAddress", "streetAddress": posting.street,
            "addressLocality": posting.city, "addressRegion": posting.state,
            "postalCode": posting.zip, "addressCountry": "US"}}
    if posting.structured_pay and posting.pay_min is not None:
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "USD", "value": {
            "@type": "QuantitativeValue", "minValue": posting.pay_min,
            "maxValue": posting.pay_max, "unitText": posting.pay_period}}
    return data


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    base = f"https://{host(employer)}"
    entries = []
    for posting in postings:
        url = f"{base}/jobs/{posting.uid}/"
        entries.append(f"<url><loc>{url}</loc><lastmod>{posting.posted.isoformat()}</lastmod></url>")
        block = json.dumps(jobposting(posting, url), indent=1).replace("</", "<\\/")
        site.put(url, (
            f"<!doctype html><html><head><title>{html.escape(posting.title)}</title>"
            f'<script type="application/ld+json">{block}</script></head>'
            f"<body><h1>{html.escape(posting.title)}</h1>{posting.description_html}</body></html>"
        ))
    site.put(f"{base}/sitemap.xml", (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}/</loc></url>{''.join(entries)}</urlset>\n"
    ))
    site.put(f"{base}/", f"<html><body><h1>{html.escape(employer.name)}</h1>"
             "<p>Sample career site for the peerjobs demo.</p></body></html>")
