"""Sample UKG Pro (UltiPro) job boards: ``LoadSearchResults`` (POST, paged by ``Skip``) and one
``OpportunityDetail`` page per posting with its ``CandidateOpportunityDetail({...})`` script, at
the real paths (sample data). Hosts are ``<slug>.rec.pro.ukg.net`` (sample slugs say "sample");
the replay server's robots.txt allows everything, unlike ``recruiting.ultipro.com``'s."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from crawlers.demo.corpus import SampleEmployer, SamplePosting
from crawlers.demo.site import ReplaySite

PLATFORM = "ukg"
PAGE = 50


def board_url(employer: SampleEmployer) -> str:
    board = uuid.uuid5(uuid.NAMESPACE_URL, f"sample-ukg-{employer.slug}")
    return (f"https://{employer.slug}.rec.pro.ukg.net/SMP{1000 + employer.index}"
            f"SAMPLE/JobBoard/{board}")


def board_entry(employer: SampleEmployer) -> dict[str, Any]:
    return {"board": board_url(employer)}


def opportunity_id(posting: SamplePosting) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sample-ukg-opportunity-{posting.uid}"))


def entry(posting: SamplePosting) -> dict[str, Any]:
    return {
        "Id": opportunity_id(posting), "Featured": False, "Title": posting.title,
        "RequisitionNumber": posting.req_id, "FullTime": posting.employment_type
        in ("FULL_TIME", "Full-time"), "JobCategoryName": "Behavioral Health",
        "Locations": [{"LocalizedName": None, "LocalizedDescription": posting.employer.name,
                       "Address": {"Line1": posting.street, "Line2": None, "City": posting.city,
                                   "PostalCode": posting.zip,
                                   "State": {"Code": posting.state, "Name": posting.state},
                                   "Country": {"Code": "USA", "Name": "United States"}}}],
        "PostedDate": f"{posting.posted.isoformat()}T12:00:00.000Z", "BriefDescription": "",
        "MatchScore": 1.0, "MatchedLocations": [], "Distance": None,
        "JobLocationType": 2 if posting.remote else 1, "OpportunityType": 0,
    }


def detail(posting: SamplePosting) -> dict[str, Any]:
    data = {**entry(posting), "Description": posting.description_html,
            "UpdatedDate": posting.updated.isoformat().replace("+00:00", "Z"),
            "PayRangeVisible": False, "PayRange": {"PayRangeMinimum": None,
                                                   "PayRangeMaximum": None},
            "PayRangeCurrencyCode": "USD", "Salaried": posting.pay_period == "YEAR"}
    if posting.structured_pay and posting.pay_min is not None:
        data["PayRangeVisible"] = True
        data["PayRange"] = {"PayRangeMinimum": f"{posting.pay_min:.2f}",
                            "PayRangeMaximum": f"{posting.pay_max or posting.pay_min:.2f}"}
    return data


def render(site: ReplaySite, employer: SampleEmployer, postings: list[SamplePosting],
           when: date) -> None:
    base = board_url(employer)
    newest_first = sorted(postings, key=lambda p: (p.posted, p.uid), reverse=True)
    entries = [entry(p) for p in newest_first]
    for skip in range(0, max(len(entries), 1), PAGE):
        body = {"opportunities": entries[skip:skip + PAGE], "totalCount": len(entries)}
        site.route(f"{base}/JobBoardView/LoadSearchResults", json.dumps(body), method="POST",
                   json={"opportunitySearch": {"Skip": skip}})
    for posting in newest_first:
        page = ("<!DOCTYPE html><html><body><script>\n$(function () {\n        var opportunity = "
                f"new US.Opportunity.CandidateOpportunityDetail({json.dumps(detail(posting))});"
                "\n});\n</script></body></html>")
        site.route(f"{base}/OpportunityDetail", page, content_type="text/html; charset=utf-8",
                   query={"opportunityId": opportunity_id(posting)})
