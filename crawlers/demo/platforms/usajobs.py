"""Sample USAJOBS Search API answers (sample data): each sample employer is found by a keyword
query on its own name, paged with ``Page`` and ``NumberOfPages`` as a string, in the envelope and
item shape of a captured search page (reference/formats/usajobs/search_response_2items.json).

The real API wants a key: the demo crawl must pass dummy ``USAJOBS_API_KEY`` and
``USAJOBS_EMAIL`` settings, or the spider skips these boards.
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from typing import Any

from crawlers.demo.corpus import SAMPLE_NOTE, STATE_NAMES, SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite
from crawlers.platforms.usajobs import SEARCH_URL
from crawlers.text import html_to_text

PLATFORM = "usajobs"
PAGE = 5
"""A small page size so the demo boards page like large real queries."""
RATE = {"HOUR": ("PH", "Per Hour"), "YEAR": ("PA", "Per Year")}
SCHEDULE = {"PART_TIME": "2", "PER_DIEM": "4"}


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    # No series query: the demo's boards must not share one query's answer.
    return {"board": employer.slug, "multi_employer": True, "keywords": [employer.name],
            "series": [], "results_per_page": PAGE}


def control_number(posting: SamplePosting) -> str:
    return str(990000000 + posting.uid)


def item(posting: SamplePosting) -> dict[str, Any]:
    control = control_number(posting)
    state = STATE_NAMES[posting.state]
    place = "Anywhere in the U.S. (remote job)" if posting.remote else f"{posting.city}, {state}"
    closes = posting.closes or posting.posted + timedelta(days=60)
    pay = []
    if posting.structured_pay and posting.pay_period in RATE and posting.pay_min is not None:
        code, words = RATE[posting.pay_period]
        pay = [{"MinimumRange": f"{posting.pay_min:.2f}", "MaximumRange": f"{posting.pay_max:.2f}",
                "RateIntervalCode": code, "Description": words}]
    summary = html_to_text(posting.description_html) or SAMPLE_NOTE
    return {
        "MatchedObjectId": control,
        "MatchedObjectDescriptor": {
            "PositionID": posting.req_id,
            "PositionTitle": posting.title,
            "PositionURI": f"https://www.usajobs.gov:443/GetJob/ViewDetails/{control}",
            "ApplyURI": [f"https://www.usajobs.gov:443/GetJob/ViewDetails/{control}"
                         "?PostingChannelID="],
            "PositionLocationDisplay": place,
            "PositionLocation": [{"LocationName": place, "CountryCode": "United States",
                                  "CountrySubDivisionCode": "" if posting.remote else state,
                                  "CityName": "" if posting.remote else place,
                                  "Longitude": None, "Latitude": None}],
            "OrganizationName": posting.employer.name,
            "DepartmentName": "Sample Department of Peer Services (sample data)",
            "JobCategory": [{"Name": "Social Science Aid And Technician", "Code": "0102"}],
            "JobGrade": [{"Code": "GS"}],
            "PositionSchedule": [{"Name": "", "Code": SCHEDULE.get(posting.employment_type, "1")}],
            "PositionOfferingType": [{"Name": "", "Code": "15317"}],
            "QualificationSummary": SAMPLE_NOTE,
            "PositionRemuneration": pay,
            "PositionStartDate": f"{posting.posted.isoformat()}T00:00:00.0000",
            "PositionEndDate": f"{closes.isoformat()}T23:59:59.9970",
            "PublicationStartDate": f"{posting.posted.isoformat()}T00:00:00.0000",
            "ApplicationCloseDate": f"{closes.isoformat()}T23:59:59.9970",
            "PositionFormattedDescription": [{"Label": "Dynamic Teaser",
                                              "LabelDescription": "Hit highlighting for keyword "
                                                                  "searches."}],
            "UserArea": {
                "Details": {
                    "JobSummary": summary,
                    "WhoMayApply": {"Name": "", "Code": ""},
                    "LowGrade": "5", "HighGrade": "7", "PromotionPotential": "7",
                    "HiringPath": ["public"],
                    "TotalOpenings": "1",
                    "MajorDuties": [],
                    "Education": "",
                    "Requirements": "",
                    "KeyRequirements": [],
                    "TeleworkEligible": posting.remote,
                    "RemoteIndicator": posting.remote,
                },
                "IsRadialSearch": False,
            },
        },
        "RelevanceRank": 0,
    }


def page_body(items: list[dict[str, Any]], total: int, pages: int) -> str:
    return json.dumps({
        "LanguageCode": "EN",
        "SearchParameters": {},
        "SearchResult": {
            "SearchResultCount": len(items),
            "SearchResultCountAll": total,
            "SearchResultItems": items,
            "UserArea": {"NumberOfPages": str(pages), "IsRadialSearch": False},
        },
    }, ensure_ascii=False)


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    items = [item(p) for p in postings]
    pages = math.ceil(len(items) / PAGE)
    for number in range(1, max(pages, 1) + 1):
        chunk = items[(number - 1) * PAGE:number * PAGE]
        site.route(SEARCH_URL, page_body(chunk, len(items), pages),
                   query={"Keyword": employer.name, "Page": str(number)})
