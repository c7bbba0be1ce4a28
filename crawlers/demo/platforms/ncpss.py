"""Sample NC PSS-style peer job boards (a Drupal view, ten postings a page, and one node page per
posting naming its agency in the body) at ``/pssjobs`` paths (sample data).

The demo renders one employer at a time, so each employer gets its own sample board host; the
board is read as the multi-employer board it imitates (the employer comes from the posting)."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from crawlers.demo.corpus import SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "ncpss"
PER_PAGE = 10


def board_url(employer: SampleEmployer) -> str:
    return f"https://pss.{employer.slug}.example/pssjobs"


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": board_url(employer), "multi_employer": True}


def _row(posting: SamplePosting) -> str:
    return (f'<div class="views-row"><span class="field-content"><a href="/pssjobs/sample-'
            f'{posting.uid}">{html.escape(posting.title)}</a></span> <time datetime="'
            f'{posting.posted.isoformat()}T12:00:00Z">{posting.posted.isoformat()}</time></div>')


def _listing(rows: list[SamplePosting], page: int, more: bool) -> str:
    content = ('<div class="view-content">' + "".join(_row(p) for p in rows) + "</div>"
               if rows else '<div class="view-empty"><p>There are no job postings at this '
               "time.</p></div>")
    pager = (f'<nav class="pager"><ul><li class="pager__item pager__item--next"><a href="?page='
             f'{page + 1}" rel="next">Next</a></li></ul></nav>' if more else "")
    return (f'<html><head><title>PSS Job Postings (sample data)</title></head><body><main><div '
            f'class="view view-pssjobs">{content}{pager}</div></main></body></html>')


def _node(posting: SamplePosting) -> str:
    place = "Remote" if posting.remote else f"{posting.city}, {posting.state}"
    lines = [f"<p><strong>Agency:</strong> {html.escape(posting.employer.name)}</p>",
             f"<p><strong>Location:</strong> {html.escape(place)}</p>"]
    if posting.pay_text:
        lines.append(f"<p><strong>Salary:</strong> {html.escape(posting.pay_text)}</p>")
    return (f'<html><head><meta property="article:published_time" content="'
            f'{posting.posted.isoformat()}T12:00:00-04:00" /><title>{html.escape(posting.title)}'
            f'</title></head><body><main><h1 class="page-title">{html.escape(posting.title)}</h1>'
            f'<article class="node"><div class="field field--name-body">{"".join(lines)}'
            f"{posting.description_html}</div></article></main></body></html>")


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    url = board_url(employer)
    pages = [postings[i:i + PER_PAGE] for i in range(0, len(postings), PER_PAGE)] or [[]]
    for number, rows in enumerate(pages):
        more = number + 1 < len(pages)
        site.put(f"{url}/" if number == 0 else f"{url}?page={number}",
                 _listing(rows, number, more))
    for posting in postings:
        site.put(f"{url}/sample-{posting.uid}", _node(posting))
