"""Sample NEOGOV agency boards on governmentjobs.com: the XHR listing fragment (10 postings a
page, each rendered as a card and as a table row, the total, the pager) at
``/careers/home/index?agency=...&page=N`` and one bulletin per posting with JobPosting JSON-LD
(the description entity-escaped, as NEOGOV writes it) and the header block (sample data).

Agencies are the employer's slug without punctuation.
"""

from __future__ import annotations

import html
import json
import math
import re
from datetime import date
from typing import Any

from crawlers.demo.corpus import SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "neogov"
HOST = "www.governmentjobs.com"
PAGE = 10
JOB_TYPE = {"FULL_TIME": "Full-Time", "Full-time": "Full-Time", "PART_TIME": "Part-Time",
            "PER_DIEM": "Extra Help"}
PERIOD = {"HOUR": "Hourly", "YEAR": "Annually"}


def agency(employer: SampleEmployer) -> str:
    return re.sub(r"[^a-z0-9]", "", employer.slug.lower())


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": agency(employer)}


def job_id(posting: SamplePosting) -> str:
    return str(5_000_000 + posting.uid)


def job_path(posting: SamplePosting) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", posting.title.lower()).strip("-")
    return f"/careers/{agency(posting.employer)}/jobs/{job_id(posting)}/{slug}"


def salary(posting: SamplePosting) -> str | None:
    if not posting.structured_pay or posting.pay_min is None or posting.pay_max is None:
        return None
    return (f"${posting.pay_min:,.2f} - ${posting.pay_max:,.2f} "
            f"{PERIOD.get(posting.pay_period or '', 'Hourly')}")


def place(posting: SamplePosting) -> str:
    return "Remote" if posting.remote else f"{posting.city}, {posting.state}"


def card(posting: SamplePosting) -> str:
    title = html.escape(posting.title)
    pay = salary(posting)
    kind = JOB_TYPE.get(posting.employment_type, "Full-Time")
    type_line = f"{kind}<span>-</span>{html.escape(pay)}" if pay else kind
    return (
        f'            <li class="list-item" data-job-id="{job_id(posting)}">\n'
        '                <h3 class="job-item-link-container">\n'
        f'                    <a aria-label="{title} Link will be opened in a flyout." '
        'class="item-details-link" data-department-name="Behavioral Health" '
        f'href="{job_path(posting)}" rel="">{title}</a>\n                </h3>\n'
        '                <ul class="list-meta">\n'
        f"                            <li>{html.escape(place(posting))}</li>\n"
        f"                            <li>\n{type_line}</li>\n"
        '                            <li class="categories-list">Category: Health</li>\n'
        "                            <li>Department: Behavioral Health</li>\n"
        "                </ul>\n"
        '                <div class="list-entry">Sample posting (sample data).</div>\n'
        '                <div class="list-published"><span class="list-entry-starts"><span>'
        "Posted recently</span></span></div>\n            </li>\n")


def row(posting: SamplePosting) -> str:
    closes = posting.closes.strftime("%m/%d/%y") if posting.closes else ""
    return (
        "                    <tr>\n"
        f'                        <th scope="row" class="job-table-title" data-job-id="'
        f'{job_id(posting)}"><a class="item-details-link" href="{job_path(posting)}">'
        f"{html.escape(posting.title)}</a></th>\n"
        f'                                    <td class="job-table-type">'
        f"{JOB_TYPE.get(posting.employment_type, 'Full-Time')}</td>\n"
        f'                                    <td class="job-table-salary hidden-xs">'
        f"{html.escape(salary(posting) or '')}</td>\n"
        f'                                    <td class="job-table-closing">{closes}</td>\n'
        '                                    <td class="job-table-posted hidden-sm hidden-xs">'
        f"{posting.posted.strftime('%m/%d/%y')}</td>\n"
        '                                    <td class="job-table-location hidden-sm hidden-xs">'
        f"{html.escape(place(posting))}</td>\n"
        f'                                    <td class="job-table-jobnumber">{posting.req_id}'
        "</td>\n                    </tr>\n")


def fragment(postings: list[SamplePosting], total: int, number: int, pages: int) -> str:
    if not postings:
        return ('\n    <div class="listing-title"><span class="job-postings-search-result">'
                '<div class="job-postings-number-container"><span id="job-postings-number">0'
                "</span> Job Postings found</div></span></div>\n"
                '    <div class="jobs-not-found-container"><p>No jobs found</p></div>\n')
    following = ('<li class="PagedList-skipToNext"><a aria-disabled="false" aria-label="Go to '
                 f'Next Page" href="/careers/Home?page={number + 1}" rel="next">Next</a></li>'
                 if number < pages else '<li class="disabled PagedList-skipToNext"><a aria-'
                 'disabled="true" aria-label="Go to Next Page" rel="next">Next</a></li>')
    return (
        '\n    <div class="listing-title">\n        <span class="job-postings-search-result">\n'
        '            <div class="job-postings-number-container">\n'
        f'                <span id="job-postings-number">{total}</span> Job Postings found\n'
        "            </div>\n        </span>\n    </div>\n"
        '    <ul class="unstyled search-results-listing-container job-listing-container ">\n'
        + "".join(card(p) for p in postings) + "    </ul>\n"
        '    <div class="search-results-grid-container hidden">\n        <table class="table">\n'
        "            <tbody>\n" + "".join(row(p) for p in postings)
        + "            </tbody>\n        </table>\n    </div>\n"
        '    <div class="pager-container"><div class="pagination-container"><ul class="pagination">'
        f"{following}</ul></div></div>\n")


def escape_like_neogov(markup: str) -> str:
    return (markup.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def term(label: str, value: str) -> str:
    return (f'<div class="row term-block"><div class="span4"><div class="term-description">'
            f'{label}</div></div><div class="span8"><p>{html.escape(value)}</p></div></div>\n')


def bulletin(posting: SamplePosting) -> str:
    data: dict[str, Any] = {
        "@context": "https://schema.org/", "@type": "JobPosting", "title": posting.title,
        "description": escape_like_neogov(posting.description_html),
        "datePosted": posting.posted.isoformat(), "employmentType": "OTHER", "directApply": True,
        "hiringOrganization": {"@type": "Organization", "name": posting.employer.name},
        "jobLocation": {"@type": "Place", "address": {
            "@type": "PostalAddress", "addressLocality": posting.city,
            "addressRegion": posting.state, "postalCode": posting.zip, "addressCountry": "US"}},
    }
    if salary(posting):
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "USD", "value": {
            "@type": "QuantitativeValue", "minValue": posting.pay_min,
            "maxValue": posting.pay_max, "unitText": posting.pay_period}}
    if posting.closes:
        data["validThrough"] = posting.closes.isoformat()
    header = (term("Location", place(posting))
              + term("Job Type", JOB_TYPE.get(posting.employment_type, "Full-Time"))
              + term("Job Number", posting.req_id) + term("Department", "Behavioral Health")
              + term("Opening Date", posting.posted.strftime("%m/%d/%Y"))
              + term("Closing Date", posting.closes.strftime("%m/%d/%Y") if posting.closes
                     else "Continuous"))
    if salary(posting):
        header = term("Salary", salary(posting) or "") + header
    return ('<!DOCTYPE html>\n<html><head>\n<script type="application/ld+json">\n'
            f"{json.dumps(data, indent=8, ensure_ascii=False)}\n</script>\n</head><body>\n"
            '<div class="job-details-header">\n'
            f'<h2 class="entity-title">{html.escape(posting.title)}</h2>\n'
            f'<div class="summary container" id="summary-info">\n{header}</div>\n</div>\n'
            '<div id="details-info" class="tab-pane active fr-view">'
            f"{posting.description_html}</div>\n</body></html>\n")


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    newest_first = sorted(postings, key=lambda p: (p.posted, p.uid), reverse=True)
    pages = max(1, math.ceil(len(newest_first) / PAGE))
    for number in range(1, pages + 1):
        chunk = newest_first[(number - 1) * PAGE:number * PAGE]
        site.route(f"https://{HOST}/careers/home/index",
                   fragment(chunk, len(newest_first), number, pages), content_type="text/html",
                   query={"agency": agency(employer), "page": str(number)})
    for posting in newest_first:
        site.route(f"https://{HOST}{job_path(posting)}", bulletin(posting),
                   content_type="text/html")
