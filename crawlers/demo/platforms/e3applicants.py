"""Sample e3applicants tenant boards: ``/careers/`` with one ``div.row.JobPostRow`` per posting
and one page per posting at ``/careers/{Title-Slug}-{id}`` (sample data).

Tenants are the employer's slug without punctuation. e3applicants boards give pay only in the
posting's prose, so structured pay is written there as "Pay Rate: $x - $y per hour".
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from crawlers.demo.corpus import SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "e3applicants"
KIND = {"FULL_TIME": "Full Time", "Full-time": "Full Time", "PART_TIME": "Part Time",
        "PER_DIEM": "Per Diem"}
PERIOD = {"HOUR": "per hour", "YEAR": "annually"}


def tenant(employer: SampleEmployer) -> str:
    return re.sub(r"[^a-z0-9]", "", employer.slug.lower())


def host(employer: SampleEmployer) -> str:
    return f"{tenant(employer)}.e3applicants.com"


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": tenant(employer)}


def path(posting: SamplePosting) -> str:
    title_slug = re.sub(r"[^A-Za-z0-9]+", "-", posting.title).strip("-")
    return f"/careers/{title_slug}-{posting.uid}"


def page(title: str, body: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<div class=\"container\">\n"
            f"{body}\n</div>\n</body>\n</html>\n")


def listing(employer: SampleEmployer, postings: list[SamplePosting]) -> str:
    rows = "".join(
        '\n<div class="row JobPostRow">\n    <div class="col-lg-8 col-lg-offset-2">\n'
        f'        <a href="{path(p)}">\n            <span class="title">{html.escape(p.title)}'
        "</span>\n        </a>\n        <br />\n        <small>\n\t\t\t\t"
        f"{KIND.get(p.employment_type, 'Full Time')}&nbsp;&nbsp;"
        f"{'Remote' if p.remote else f'{p.city}, {p.state}'}\n\t\t\t</small>\n    </div>\n</div>"
        for p in postings)
    if not postings:
        rows = ('\n<div class="row"><div class="col-lg-8 col-lg-offset-2"><p>There are currently '
                "no open positions.</p></div></div>")
    heading = ('<div class="row"><div class="col-lg-8 col-lg-offset-2"><h1>Current Openings'
               "</h1></div></div>")
    return page(f"{employer.name} - Careers", heading + rows)


def posting_page(posting: SamplePosting) -> str:
    body = posting.description_html
    if posting.structured_pay and posting.pay_min is not None and posting.pay_max is not None:
        period = PERIOD.get(posting.pay_period or "", "per hour")
        body = (f"<p><strong>Pay Rate:</strong> ${posting.pay_min:,.2f} - ${posting.pay_max:,.2f} "
                f"{period}</p>\n{body}")
    return page(posting.title, '<div class="row">\n<div class="col-lg-8 col-lg-offset-2 '
                f'divMainContentArea">\n<h2>{html.escape(posting.title)}</h2>\n{body}\n'
                f'<a class="btn btn-primary" href="/careers/Apply/{posting.uid}">Apply Now</a>\n'
                "</div>\n</div>")


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    base = f"https://{host(employer)}"
    newest_first = sorted(postings, key=lambda p: (p.posted, p.uid), reverse=True)
    site.route(f"{base}/careers/", listing(employer, newest_first), content_type="text/html")
    for posting in newest_first:
        site.route(f"{base}{path(posting)}", posting_page(posting), content_type="text/html")
