"""Sample iCIMS portals: search pages of 20 cards (``li.iCIMS_JobCardItem``, the captured card
template, with a pager) and one posting page per card with JobPosting JSON-LD and the header
group, at the real ``/jobs/search`` and ``/jobs/{id}/{slug}/job`` paths (sample data).

Portal hosts are ``careers-<employer slug>.icims.com``. Structured pay is written the way real
portals do: a bare ``baseSalary`` MonetaryAmount (no unit) plus a "Pay Range" header field.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta
from typing import Any

from crawlers.demo.corpus import SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "icims"
PAGE = 20
POSITION_TYPE = {"FULL_TIME": "Full Time", "Full-time": "Full Time", "PART_TIME": "Part Time",
                 "PER_DIEM": "PRN"}
UNIT = {"HOUR": "/Hr.", "YEAR": "/Yr."}


def host(employer: SampleEmployer) -> str:
    return f"careers-{employer.slug}.icims.com"


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": f"https://{host(employer)}"}


def job_id(posting: SamplePosting) -> str:
    return str(100000 + posting.uid)


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def job_path(posting: SamplePosting) -> str:
    return f"/jobs/{job_id(posting)}/{slug(posting.title)}/job"


def location_code(posting: SamplePosting) -> str:
    return f"US-{posting.state}-{'Remote' if posting.remote else posting.city}"


def pay_range(posting: SamplePosting) -> str | None:
    if not posting.structured_pay or posting.pay_min is None or posting.pay_max is None:
        return None
    unit = UNIT.get(posting.pay_period or "", "")
    return f"USD ${posting.pay_min:,.2f}{unit} - USD ${posting.pay_max:,.2f}{unit}"


def header_tag(label: str, value: str, *, icon: bool = False) -> str:
    field = (f'<span class="glyphicons glyphicons-map-marker" aria-hidden="true"></span>\n'
             f'<span class="sr-only field-label">{html.escape(label)}</span>\n'
             if icon else html.escape(label))
    return (f'<div class="iCIMS_JobHeaderTag">\n<dt class="iCIMS_JobHeaderField">{field}</dt>\n'
            f'<dd class="iCIMS_JobHeaderData"><span >\n{html.escape(value)}</span>\n</dd>\n</div>\n')


def card(base: str, posting: SamplePosting) -> str:
    title = html.escape(posting.title)
    tags = (header_tag("Category", "Behavioral Health")
            + header_tag("ID", f"{posting.posted.year}-{job_id(posting)}")
            + header_tag("Job Location", location_code(posting), icon=True)
            + header_tag("Position Type", POSITION_TYPE.get(posting.employment_type, "Full Time")))
    return (
        '<li class="iCIMS_JobCardItem">\n<div class="row">\n<div class="col-xs-6 header left">\n'
        '<span class="sr-only field-label">Facility</span>\n<span >\n'
        f"{html.escape(posting.employer.name)}</span>\n</div>\n"
        '<div class="col-xs-6 header right">\n</div>\n<div class="col-xs-12 title">\n'
        f'<a href="{base}{job_path(posting)}?in_iframe=1" class="iCIMS_Anchor" '
        f'title="{job_id(posting)} - {title}">\n<span class="sr-only field-label">Title</span>\n'
        f"<h3 >\n{title}</h3>\n</a>\n</div>\n"
        '<div class="col-xs-12 description">\nSample posting (sample data)...</div>\n'
        '<div class="col-xs-12 additionalFields">\n<dl class="iCIMS_JobHeaderGroup">\n'
        f"{tags}</dl>\n</div>\n</div>\n</li>\n")


def pager(base: str, number: int, of: int) -> str:
    following = ""
    if number < of:
        following = (f'\n<a class="glyph iCIMS_Pager_Next" href="{base}/jobs/search?pr={number}'
                     '&amp;in_iframe=1&amp;ss=1" title="Next page of results">'
                     '<span class="sr-only">Next page of results</span></a>')
    return (f'\n<div class="iCIMS_Paging text-center">\n<div class="iCIMS_PagingBatch">{following}'
            f'\n<span class="iCIMS_Pager">Page {number} of {of}</span>\n</div>\n</div>\n')


def detail(base: str, posting: SamplePosting) -> str:
    data: dict[str, Any] = {
        "hiringOrganization": {"@type": "Organization", "name": posting.employer.name,
                               "sameAs": "UNAVAILABLE"},
        "validThrough": (posting.posted + timedelta(days=365)).isoformat() + "T04:00:00.000Z",
        "employmentType": "OTHER" if posting.employment_type == "PER_DIEM" else
        ("PART_TIME" if posting.employment_type == "PART_TIME" else "FULL_TIME"),
        "@type": "JobPosting",
        "description": posting.description_html,
        "directApply": True,
        "datePosted": posting.posted.isoformat() + "T04:00:00.000Z",
        "title": posting.title,
        "@context": "http://schema.org",
        "url": f"{base}{job_path(posting)}",
    }
    if posting.remote:
        data["jobLocationType"] = "TELECOMMUTE"
    else:
        data["jobLocation"] = [{"address": {
            "addressCountry": "US", "streetAddress": posting.street, "@type": "PostalAddress",
            "postalCode": posting.zip, "addressLocality": posting.city.upper(),
            "addressRegion": posting.state, "postOfficeBoxNumber": "UNAVAILABLE"},
            "@type": "Place"}]
    if pay_range(posting):
        data["baseSalary"] = {"minValue": posting.pay_min, "maxValue": posting.pay_max,
                              "@type": "MonetaryAmount", "currency": "USD"}
    block = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    tags = (header_tag("Requisition ID", posting.req_id)
            + header_tag("Position Type", POSITION_TYPE.get(posting.employment_type, "Full Time")))
    if pay_range(posting):
        tags += header_tag("Pay Range", pay_range(posting) or "")
    return (f'<html><head>\n<script type="application/ld+json">{block}</script>\n</head><body>\n'
            '<div class="iCIMS_JobHeaderGroup-wrap">\n<dl class="iCIMS_JobHeaderGroup">\n'
            f"{tags}</dl>\n</div>\n</body></html>\n")


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    base = f"https://{host(employer)}"
    newest_first = sorted(postings, key=lambda p: (p.posted, p.uid), reverse=True)
    pages = [newest_first[i:i + PAGE] for i in range(0, len(newest_first), PAGE)]
    for number, chunk in enumerate(pages, start=1):
        body = ('<html><body><ul class="container-fluid iCIMS_JobsTable">\n'
                + "".join(card(base, p) for p in chunk) + "</ul>"
                + (pager(base, number, len(pages)) if len(pages) > 1 else "") + "</body></html>\n")
        site.route(f"{base}/jobs/search", body, content_type="text/html",
                   query={"pr": str(number - 1)})
    if not pages:
        site.route(f"{base}/jobs/search", (
            '<html><body><div class="iCIMS_MainWrapper iCIMS_ListingsPage">\n<div class="iCIMS_'
            'Message">Sorry, no jobs were found that match your search criteria.</div>\n</div>'
            "</body></html>\n"), content_type="text/html", query={"pr": "0"})
    for posting in newest_first:
        site.route(f"{base}{job_path(posting)}", detail(base, posting), content_type="text/html")
