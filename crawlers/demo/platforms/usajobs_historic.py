"""Sample USAJOBS Historic JOA answers (sample data): each sample employer is a hiring agency code
(``HiringAgencyCodes=SMPLnn``) of series 0102. Every window the spider can ask for on a snapshot
date (the backfill's calendar years from ``since``, and the recent window) is answered: pages of
five records linked by continuation tokens and lower-cased ``next`` links, or HTTP 204 when a
window has no announcement, as the real API does. Record keys use the lower-case array spellings
(``jobcategories``, ``positionlocations``, ``hiringpaths``) seen in live answers.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from crawlers.demo.corpus import FIRST_SNAPSHOT, STATE_NAMES, SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite
from crawlers.platforms.usajobs_historic import DEFAULT_RECENT_DAYS, HISTORIC_URL, year_windows

PLATFORM = "usajobs_historic"
PAGE = 5
SINCE = FIRST_SNAPSHOT - timedelta(weeks=4)
"""Early enough for every sample posting open on the first snapshot."""
SCHEDULE = {"PART_TIME": "Part-time", "PER_DIEM": "Intermittent"}


def agency_code(employer: SampleEmployer) -> str:
    return f"SMPL{employer.index:02d}"


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": employer.slug, "multi_employer": True, "series": ["0102"],
            "agency_codes": [agency_code(employer)],
            "since": SINCE.isoformat()}


def record(posting: SamplePosting) -> dict[str, Any]:
    pay = posting.structured_pay and posting.pay_min is not None
    closes = posting.closes or posting.posted + timedelta(days=60)
    return {
        "usajobsControlNumber": 970000000 + posting.uid,
        "hiringAgencyCode": agency_code(posting.employer),
        "hiringAgencyName": posting.employer.name,
        "hiringDepartmentCode": "SMPL",
        "hiringDepartmentName": "Sample Department of Peer Services (sample data)",
        "hiringSubelementName": None,
        "positionTitle": posting.title,
        "announcementNumber": posting.req_id,
        "positionOpenDate": posting.posted.isoformat(),
        "positionCloseDate": closes.isoformat(),
        "positionOpeningStatus": "Accepting applications",
        "payScale": "GS",
        "minimumGrade": "5",
        "maximumGrade": "7",
        "promotionPotential": "7",
        "minimumSalary": posting.pay_min if pay else None,
        "maximumSalary": posting.pay_max if pay else None,
        "salaryType": "Per Hour" if posting.pay_period == "HOUR" else "Per Year",
        "totalOpenings": "1",
        "appointmentType": "Permanent",
        "workSchedule": SCHEDULE.get(posting.employment_type, "Full-time"),
        "supervisoryStatus": "N",
        "teleworkEligible": "Y" if posting.remote else "N",
        "securityClearance": "Not Required",
        "jobcategories": [{"series": "0102"}],
        "positionlocations": [{"positionLocationCity": posting.city,
                               "positionLocationState": STATE_NAMES[posting.state]}],
        "hiringpaths": [{"hiringPath": "The public"}],
    }


def _token(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def render_window(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
                  start: date, end: date) -> None:
    code = agency_code(employer)
    first = {"PositionSeries": "0102", "HiringAgencyCodes": code,
             "StartPositionOpenDate": start.isoformat(), "EndPositionOpenDate": end.isoformat()}
    rows = [record(p) for p in postings if start <= p.posted <= end]
    if not rows:
        site.route(HISTORIC_URL, "", status=204, content_type="text/plain", query=first)
        return
    pages = [rows[i:i + PAGE] for i in range(0, len(rows), PAGE)]
    tokens = [_token(code, start.isoformat(), end.isoformat(), str(n))
              for n in range(1, len(pages))]
    for number, chunk in enumerate(pages):
        token = tokens[number] if number < len(tokens) else None
        link = None
        if token:
            link = "/api/historicjoa?" + urlencode({
                "continuationtoken": token, "positionseries": "0102", "hiringagencycodes": code,
                "startpositionopendate": start.isoformat(),
                "endpositionopendate": end.isoformat()})
        body = json.dumps({"paging": {"metadata": {"totalCount": len(rows), "pageSize": PAGE,
                                                   "continuationToken": token},
                                      "next": link},
                           "data": chunk}, ensure_ascii=False)
        query = first if number == 0 else {"continuationtoken": tokens[number - 1],
                                           "hiringagencycodes": code}
        site.route(HISTORIC_URL, body, query=query)


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    windows = year_windows(min(SINCE, when), when)
    recent = (when - timedelta(days=DEFAULT_RECENT_DAYS), when)
    if recent not in windows:
        windows.append(recent)
    for start, end in windows:
        render_window(site, employer, postings, start, end)
