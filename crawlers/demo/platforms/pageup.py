"""Sample PageUp boards: the whole board as RSS at the real
``careers.pageuppeople.com/{account}/cw/en-us/rss`` path (sample data; one account per employer).
Each description opens with the Virginia template's labelled lines ("Agency:", "Hiring Range:")."""

from __future__ import annotations

import html
from datetime import date, datetime, time
from email.utils import format_datetime
from typing import Any

from crawlers.demo.corpus import STATE_NAMES, SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "pageup"
WORK_TYPES = {"FULL_TIME": "Full Time", "PART_TIME": "Part Time", "PER_DIEM": "Casual"}


def base(employer: SampleEmployer) -> str:
    return f"https://careers.pageuppeople.com/{9000 + employer.index}/cw/en-us/"


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": base(employer)}


def _rfc822(day: date, at: time) -> str:
    return format_datetime(datetime.combine(day, at)).replace("-0000", "Z")


def _item(posting: SamplePosting) -> str:
    employer = posting.employer
    link = f"{base(employer)}job/{500000 + posting.uid}"
    lines = [f"<strong>Agency:</strong> {html.escape(employer.name)}"]
    if posting.pay_min is not None:
        unit = "per hour" if posting.pay_period == "HOUR" else "per year"
        lines.append(f"<strong>Hiring Range:</strong> ${posting.pay_min:,.2f} to "
                     f"${posting.pay_max or posting.pay_min:,.2f} {unit}")
    header = f"<p>{'<br />'.join(lines)}</p>"
    description = html.escape(header + posting.description_html)
    place = "Telework" if posting.remote else f"{posting.city}, {STATE_NAMES[posting.state]}"
    closing = (f"<job:closingDate>{_rfc822(posting.closes, time(23, 59))}</job:closingDate>"
               if posting.closes else "<job:closingDate />")
    kind = WORK_TYPES.get(posting.employment_type, posting.employment_type)
    return (f'<item><guid isPermaLink="true">{link}</guid><link>{link}</link>'
            f"<title>{html.escape(posting.title)}</title>"
            f"<description>{html.escape(posting.title)} (sample data)</description>"
            f"<pubDate>{_rfc822(posting.posted, time(8, 0))}</pubDate>"
            f"<a10:updated>{posting.updated.isoformat()}Z</a10:updated>"
            f"<job:category>Behavioral Health</job:category><job:refNo>{500000 + posting.uid}"
            f"</job:refNo><job:description>{description}</job:description>"
            f"<job:applyLink>{link}/apply</job:applyLink>{closing}"
            f"<job:location>{html.escape(place)}</job:location><job:workType>{kind}"
            f"</job:workType><job:subCategory /><job:businessLayer1>{html.escape(employer.name)}"
            "</job:businessLayer1></item>")


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    items = "".join(_item(p) for p in postings)
    site.put(f"{base(employer)}rss", (
        '<?xml version="1.0" encoding="utf-8"?><rss xmlns:a10="http://www.w3.org/2005/Atom" '
        'version="2.0"><channel xmlns:job="http://pageuppeople.com/"><title />'
        f"<link>{base(employer)}listing/</link><description />{items}</channel></rss>"))
