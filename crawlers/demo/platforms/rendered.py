"""Sample career pages whose openings appear only after JavaScript runs (sample data).

Each sample employer's page at ``https://jobs.<slug>.example/openings/`` ships an empty list
and a script that fetches the page's own JSON and writes the links into it once the page has
loaded; each posting page carries schema.org JobPosting JSON-LD. A plain request of the listing
sees no openings; the ``rendered`` spider opens it in chromium (one browser page per board per
week) and fetches the posting pages without the browser.
"""

from __future__ import annotations

import html
import json
from datetime import date
from typing import Any

from crawlers.demo.corpus import SAMPLE_NOTE, SampleEmployer, SamplePosting
from crawlers.demo.platforms.jsonld import jobposting
from crawlers.demo.site import ReplaySite

PLATFORM = "rendered"

SCRIPT = """// SAMPLE DATA: peerjobs demo. Lists the openings once the page has loaded, from the
// career site's own JSON, the way client-rendered career pages do.
(function () {
  var list = document.getElementById('openings');
  if (!list) return;
  function render(data) {
    (data.jobs || []).forEach(function (job) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = job.path;
      link.textContent = job.title;
      item.appendChild(link);
      item.appendChild(document.createTextNode(' \\u2014 ' + job.location));
      list.appendChild(item);
    });
    if (!(data.jobs || []).length) {
      var none = document.createElement('p');
      none.className = 'no-openings';
      none.textContent = 'There are no open positions right now.';
      list.parentNode.insertBefore(none, list);
    }
    list.classList.add('loaded');
  }
  window.addEventListener('load', function () {
    setTimeout(function () {
      fetch('/openings/openings.json', {headers: {'Accept': 'application/json'}})
        .then(function (answer) { return answer.json(); })
        .then(render);
    }, 100);
  });
})();
"""


def host(employer: SampleEmployer) -> str:
    return f"jobs.{employer.slug}.example"


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {
        "board": f"https://{host(employer)}/openings/",
        "render": True,
        "wait_for": "#openings.loaded, .no-openings",
        "no_openings": ".no-openings",
        "follow": r"^/openings/\d+/$",
    }


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    base = f"https://{host(employer)}"
    jobs = []
    for posting in postings:
        url = f"{base}/openings/{posting.uid}/"
        place = "Remote" if posting.remote else f"{posting.city}, {posting.state}"
        jobs.append({"path": f"/openings/{posting.uid}/", "title": posting.title,
                     "location": place})
        block = json.dumps(jobposting(posting, url), indent=1).replace("</", "<\\/")
        site.put(url, (
            f"<!doctype html><html><head><title>{html.escape(posting.title)}</title>"
            f'<script type="application/ld+json">{block}</script></head>'
            f"<body><h1>{html.escape(posting.title)}</h1>{posting.description_html}</body></html>"
        ))
    site.put(f"{base}/openings/openings.json",
             json.dumps({"note": SAMPLE_NOTE, "updated": when.isoformat(), "jobs": jobs}, indent=1))
    site.put(f"{base}/openings/app.js", SCRIPT)
    site.put(f"{base}/openings/", (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Careers | {html.escape(employer.name)}</title>"
        '<script src="/openings/app.js" defer></script></head><body>'
        f"<header><a href=\"/\">{html.escape(employer.name)}</a></header>"
        f"<main><h1>Open positions</h1><p>{html.escape(SAMPLE_NOTE)}</p>"
        '<ul id="openings"></ul>'
        "<noscript>Please enable JavaScript to see our openings.</noscript></main></body></html>"
    ))
