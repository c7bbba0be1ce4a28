"""Sample JobAps agency boards: the listing table and one recruitment bulletin per posting at
the real ``www.jobapscloud.com/{agency}/`` paths (sample data; one sample agency per employer)."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from crawlers.demo.corpus import SAMPLE_NOTE, SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "jobaps"
HOST = "https://www.jobapscloud.com"
KINDS = {"FULL_TIME": "Full-Time", "PART_TIME": "Part-Time", "PER_DIEM": "Contractual"}


def agency(employer: SampleEmployer) -> str:
    return f"SAMPLE{employer.index:02d}"


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": f"{HOST}/{agency(employer)}/"}


def _ids(posting: SamplePosting) -> tuple[str, str, str]:
    return f"{posting.posted.year % 100:02d}", f"{posting.uid:06d}", "0001"


def _bulletin_url(posting: SamplePosting) -> str:
    r1, r2, r3 = _ids(posting)
    return f"{HOST}/{agency(posting.employer)}/sup/bulpreview.asp?R1={r1}&R2={r2}&R3={r3}"


def _salary(posting: SamplePosting) -> str | None:
    if posting.pay_text:
        return posting.pay_text
    if posting.pay_min is None:
        return None
    unit = "hour" if posting.pay_period == "HOUR" else "year"
    return f"${posting.pay_min:,.2f} - ${posting.pay_max or posting.pay_min:,.2f}/{unit}"


def _deadline(day: date | None) -> str:
    return f"{day.strftime('%A')},<br />{day.strftime('%B')} {day.day}, {day.year} 11:59 PM" \
        if day else "Open Until Filled"


def _row(posting: SamplePosting) -> str:
    rn = "-".join(_ids(posting))
    url = html.escape(_bulletin_url(posting).replace("?", "?b=&"))
    title = html.escape(posting.title)
    place = "Remote" if posting.remote else posting.city
    return (f'<tr class="even"><th scope="row"><a href="{url}" class="JobTitle" '
            f'title="{title}-{rn}">{title} </a><br><a href="{url}" class="JobNum">{rn} </a></th>'
            f'<td class="Locs">{html.escape(place)}<br> </td>'
            f'<td class="Dept">{html.escape(posting.employer.name)} </td>'
            f'<td class="Salary">{html.escape(_salary(posting) or "")} </td>'
            f"<td>{_deadline(posting.closes)} </td></tr>")


def _bulletin(posting: SamplePosting) -> str:
    rn = "-".join(_ids(posting))
    rows = [("Department", posting.employer.name),
            ("Date Opened", f"{posting.posted.month}/{posting.posted.day}/{posting.posted.year} "
                            "9:00:00 AM"),
            ("Filing Deadline", f"{posting.closes.month}/{posting.closes.day}/"
                                f"{posting.closes.year} 11:59:00 PM" if posting.closes
             else "Open Until Filled")]
    if _salary(posting):
        rows.append(("Salary", _salary(posting) or ""))
    rows += [("Employment Type", KINDS.get(posting.employment_type, posting.employment_type)),
             ("Work Location", "Remote" if posting.remote else posting.city)]
    table = "".join(f'<tr><th scope="row">{label}</th><td>{html.escape(value)}</td></tr>'
                    for label, value in rows)
    place = "Statewide (telework)" if posting.remote else \
        f"{posting.street}, {posting.city}, {posting.state} {posting.zip}"
    return (f"<html><head><title>Job Announcement: {html.escape(posting.title)}</title></head>"
            f'<body><div id="JobBulletin"><h1 id="JobBulletinTitle">{html.escape(posting.title)}'
            f'</h1><p class="JobNumTitle">Recruitment #<span id="JobBulletinNum">{rn}</span></p>'
            f'<table class="DetailTable">{table}</table><div class="BulletinPreview">'
            f'<div id="JobBulletinBody"><h2>Introduction</h2><div><p><em>{SAMPLE_NOTE}</em></p>'
            f"</div><h2>LOCATION OF POSITION</h2><div>{html.escape(place)}</div>"
            f"<h2>POSITION DUTIES</h2><div>{posting.description_html}</div></div></div></div>"
            "</body></html>")


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    rows = "".join(_row(p) for p in postings)
    site.put(f"{HOST}/{agency(employer)}/", (
        f"<html><head><title>{html.escape(employer.name)} Job Openings (sample data)</title>"
        '</head><body><table class="ui-responsive JobListing ListingPanel" id="BeginJobListing">'
        "<thead><tr><th>Job Title</th><th>Work Locations</th><th>Agency</th><th>Salary</th>"
        f"<th>Filing Deadline</th></tr></thead><tbody>{rows}</tbody></table></body></html>"))
    for posting in postings:
        site.put(_bulletin_url(posting), _bulletin(posting))
