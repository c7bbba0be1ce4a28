"""Sample WP Job Manager peer job boards (PeerForce's software): the ``jm-ajax/get_listings``
JSON and one posting page with the plugin's JobPosting JSON-LD per job (sample data).

The demo gives each platform a share of the sample employers and renders one employer at a
time, so each employer gets its own sample board host; the board is still read the way a
multi-employer board is (``multi_employer``: the employer comes from each posting)."""

from __future__ import annotations

import html
import json
from datetime import date
from typing import Any

from crawlers.demo.corpus import SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "peerforce"
TYPES = {"FULL_TIME": "Full Time", "PART_TIME": "Part Time", "PER_DIEM": "Per Diem"}


def site_url(employer: SampleEmployer) -> str:
    return f"https://peerjobs.{employer.slug}.example/"


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": site_url(employer), "multi_employer": True}


def _job_url(posting: SamplePosting) -> str:
    return f"{site_url(posting.employer)}job/sample-{posting.uid}/"


def _place(posting: SamplePosting) -> str:
    return "Remote" if posting.remote else f"{posting.city}, {posting.state}"


def _li(posting: SamplePosting) -> str:
    kind = TYPES.get(posting.employment_type, posting.employment_type)
    return (f'<li class="post-{posting.uid} job_listing type-job_listing status-publish hentry" '
            f'data-longitude="" data-latitude="">\n\t<a href="{_job_url(posting)}">\n\t\t'
            f'<div class="position">\n\t\t\t<h3>{html.escape(posting.title)}</h3>\n\t\t\t'
            f'<div class="company">\n\t\t\t\t<strong>{html.escape(posting.employer.name)}'
            f'</strong> \t\t\t</div>\n\t\t</div>\n\t\t<div class="location">\n\t\t\t'
            f'{html.escape(_place(posting))}\t\t</div>\n\t\t<ul class="meta">\n\t\t\t'
            f'<li class="job-type">{kind}</li>\n\t\t\t<li class="date"><time datetime="'
            f'{posting.posted.isoformat()}">Posted on {posting.posted.isoformat()}</time></li>'
            "\n\t\t</ul>\n\t</a>\n</li>\n")


def _page(posting: SamplePosting) -> str:
    data: dict[str, Any] = {
        "@context": "http://schema.org/", "@type": "JobPosting",
        "datePosted": f"{posting.posted.isoformat()}T09:00:00+00:00",
        "title": posting.title, "description": posting.description_html,
        "employmentType": [posting.employment_type],
        "hiringOrganization": {"@type": "Organization", "name": posting.employer.name},
        "jobLocation": {"@type": "Place", "address": _place(posting)},
    }
    if posting.closes:
        data["validThrough"] = f"{posting.closes.isoformat()}T23:59:00+00:00"
    if posting.structured_pay and posting.pay_min is not None:
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "USD", "value": {
            "@type": "QuantitativeValue", "value": posting.pay_min,
            "unitText": posting.pay_period}}
    block = json.dumps(data).replace("</", "<\\/")
    return (f"<!DOCTYPE html><html><head><title>{html.escape(posting.title)}</title>"
            f'<script type="application/ld+json">{block}</script></head><body>'
            f'<h1 class="entry-title">{html.escape(posting.title)}</h1><div class="single_job_'
            f'listing"><div class="job_description">{posting.description_html}</div></div>'
            "</body></html>")


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    html_list = "".join(_li(p) for p in postings) or \
        '<li class="no_job_listings_found">There are currently no vacancies.</li>\n'
    body = {"found_jobs": bool(postings), "showing": "", "max_num_pages": 1 if postings else 0,
            "showing_links": "", "html": html_list}
    site.route(f"{site_url(employer)}jm-ajax/get_listings/", json.dumps(body), method="POST",
               form={"page": "1"})
    for posting in postings:
        site.put(_job_url(posting), _page(posting))
