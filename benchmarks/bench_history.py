"""History benchmark: a synthetic multi-year raw archive, a full rebuild, then the queries.

    .venv/bin/python benchmarks/bench_history.py                      # 1,000,000 postings, 3 years
    .venv/bin/python benchmarks/bench_history.py --postings 20000     # a quick run
    .venv/bin/python benchmarks/bench_history.py --reuse              # keep the generated archive

What it generates (deterministic for a seed; every name is synthetic, formats are real): weekly
crawl runs over ``--years`` years of ~1 board per 500 postings (greenhouse, lever, workday,
icims, paycom, paylocity, ukg, neogov and JSON-LD career pages, one employer each), a JSON-LD
peer job board per state that re-posts about a quarter of the peer jobs under a variant of the
employer's name (initialism, CMH/BH abbreviation, "Inc." dropped) with an aggregator header and
a shortened text, the VA on USAJOBS search, and the USAJOBS historic backfill of the same
announcements with their real open and close dates. Runs are written exactly as the spiders
write them (one JSON-lines feed and one stats file per spider per run; db.archive.write_run
composes the stats with crawlers/runstats.py). Boards fail (1.5%), lose pages (2%, partial)
or are skipped (0.5%) now and then; after its first sighting a posting is listed as a
listing-only ``detail_skipped`` item unless its content changed (8% change pay once);
4% disappear for a few weeks and come back; a quarter carry a closing date in one of the
common formats (1% implausibly far ahead). Peer roles are ~45% of postings, across every
family and state. Descriptions are laid out as the spiders write them (crawlers/text.py: blank
lines between paragraphs, headings and lists); boilerplate paragraphs repeat as on real boards,
while the opening paragraph, the duty list and the pay line vary from posting to posting.

Then, in a child process (so its peak memory is its own): a full rebuild (``rebuild=True``) with
the real normalizer (``--normalizer stub`` reads the generator's truth from each item instead
and skips normalize/), then one more week as an incremental build. Printed: the machine's CPU speed
(the normalizer's one-core throughput, as bench_normalizer.py measures it: build times of
different days compare only at equal speed), build times, database size, peak RSS of the build
(resource.getrusage), and the median and p95 latency of the
``demand_trend`` canned query (one state and family over the whole history) and of the
``search_postings`` full-text query, both read from datasette/metadata.yml.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FIRST_MONDAY = date(2023, 11, 6)
STATE_BOARD_SHARE = 0.25
PLATFORMS = [("greenhouse", 15), ("lever", 5), ("workday", 15), ("icims", 20), ("paycom", 15),
             ("paylocity", 8), ("ukg", 5), ("neogov", 10), ("jsonld", 7)]
INCREMENTAL = {"greenhouse", "lever", "workday", "icims", "paycom", "paylocity", "ukg", "jsonld",
               "neogov"}

PEER_TITLES: dict[str, list[str]] = {
    "peer_support_mh": ["Peer Support Specialist", "Certified Peer Support Specialist",
                        "Certified Peer Specialist", "Peer Specialist",
                        "Mental Health Peer Specialist", "Peer Support Specialist II", "CPSS"],
    "recovery_coach_sud": ["Recovery Coach", "Peer Recovery Coach",
                           "Certified Peer Recovery Specialist", "Peer Recovery Specialist",
                           "Recovery Support Peer Specialist", "Certified Recovery Peer Advocate"],
    "family_peer": ["Family Peer Advocate", "Family Support Partner", "Parent Partner",
                    "Family Peer Support Specialist"],
    "youth_peer": ["Youth Peer Advocate", "Youth Peer Support Specialist",
                   "Young Adult Peer Mentor"],
    "forensic_peer": ["Forensic Peer Specialist", "Re-entry Peer Mentor",
                      "Forensic Peer Recovery Specialist"],
    "veteran_peer": ["Veteran Peer Specialist", "Peer Support Specialist (Veteran)"],
    "peer_navigator": ["Peer Navigator", "Peer Bridger", "ED Peer Recovery Coach",
                       "Hospital Bridge Peer Navigator"],
    "peer_supervisor": ["Peer Support Supervisor", "Lead Peer Specialist",
                        "Peer Services Coordinator", "Peer Program Manager"],
    "peer_other": ["Peer Respite Worker", "Warmline Peer Specialist",
                   "Older Adult Peer Specialist", "Crisis Peer Specialist"],
}
FAMILY_WEIGHTS = [30, 25, 10, 7, 6, 4, 8, 6, 4]
OTHER_TITLES = [
    "Licensed Clinical Social Worker", "Registered Nurse - Behavioral Health", "Case Manager",
    "Behavioral Health Technician", "Therapist", "Psychiatric Nurse Practitioner",
    "Intake Coordinator", "Peer Review Nurse", "Recovery Room RN", "Patient Advocate",
    "Direct Support Professional", "Billing Specialist", "Crisis Counselor", "Receptionist",
    "Substance Use Counselor", "Clinical Supervisor", "Medical Assistant", "Psychiatrist",
    "IT Support Specialist", "Housing Specialist", "Community Health Worker",
]
SUFFIXES = ["", "", "", "", " - Part Time", " (20 Hours)", " - Bilingual", " - Full Time",
            " - Crisis Services", ", Certified", " - Adult Outpatient", " - Evenings"]
WORDS = ["Pathways", "Harbor", "Beacon", "Summit", "Cornerstone", "Horizon", "Bridges",
         "Lighthouse", "Riverbend", "Meridian", "Compass", "Northstar", "Crossroads", "Keystone",
         "Evergreen", "Heartland", "Lakeshore", "Prairie", "Cedar", "Juniper", "Willow",
         "Aspen", "Sequoia", "Magnolia", "Red Rock", "Blue Ridge", "Sunrise", "New Directions",
         "Open Door", "Hope Springs", "Riverstone", "Granite", "Clearwater", "Oakwood"]
CREDENTIALS = ["CPSS", "CPRC", "CRPA", "CPRS", "CPS", "NCPRSS", "IC&RC Peer Recovery",
               "state peer support certification"]
DUTIES = {
    True: [
        "Share your own recovery story to inspire hope and build trusting relationships.",
        "Support participants in setting and reaching personal recovery goals.",
        "Connect people with community resources, mutual-aid groups and housing supports.",
        "Co-facilitate wellness and recovery groups such as WRAP and Whole Health Action "
        "Management.",
        "Accompany participants to appointments, court dates and benefits offices and advocate "
        "for their choices.",
        "Meet people in the emergency department after an overdose and stay in touch for "
        "ninety days.",
        "Help families navigate school meetings, wraparound planning and crisis services.",
        "Coach young adults on work, school and independent living skills.",
        "Support people leaving jail or prison with re-entry planning and transportation.",
        "Answer the warmline in the evenings and on weekends.",
        "Document every contact in the electronic health record the same day.",
        "Take part in team meetings and weekly supervision with a peer supervisor.",
    ],
    False: [
        "Provide services in line with the treatment plan and agency policy.",
        "Complete documentation accurately and on time.",
        "Coordinate care with the multidisciplinary team.",
        "Maintain confidentiality in line with HIPAA and 42 CFR Part 2.",
        "Administer medications and complete assessments as ordered.",
        "Schedule appointments and verify insurance eligibility.",
        "Take part in quality improvement projects and required trainings.",
    ],
}
PROGRAMS = ["adult outpatient", "assertive community treatment", "crisis stabilization",
            "mobile crisis", "integrated primary care", "medication assisted treatment",
            "jail diversion", "supported housing", "clubhouse", "first episode psychosis",
            "wraparound", "school-based services", "recovery community center"]


@dataclass(frozen=True)
class Place:
    city: str
    state: str
    zip: str
    normalized: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Board:
    source: str
    platform: str
    token: str
    employer: str
    state: str
    places: tuple[int, ...]


@dataclass
class Posting:
    job: int
    board: int
    source_id: str
    start: int
    end: int
    gap: tuple[int, int] | None
    change: int | None
    variant: int
    """0: the employer's own copy; 1: a peer board's copy; 2: a USAJOBS historic record."""


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


@cache
def _places() -> dict[str, list[Place]]:
    """A few dozen real cities per state, with the place the real normalizer resolves."""
    import zipcodes

    from normalize.location import resolve_location

    by_state: dict[str, list[tuple[str, str]]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for record in zipcodes.list_all():  # type: ignore[no-untyped-call]
        key = (record["state"], record["city"])
        if record["zip_code_type"] != "STANDARD" or key in seen or record["state"] in (
                "PR", "VI", "GU", "AS", "MP", "MH", "FM", "PW", "AA", "AE", "AP"):
            continue
        seen.add(key)
        by_state[record["state"]].append((record["city"], record["zip_code"]))
    rng = random.Random(7)
    places: dict[str, list[Place]] = {}
    for state, cities in sorted(by_state.items()):
        chosen = rng.sample(cities, min(40, len(cities)))
        places[state] = []
        for city, zip_code in sorted(chosen):
            place = resolve_location(f"{city.title()}, {state} {zip_code}")
            fields = {"state": place.state, "county": place.county,
                      "county_fips": place.county_fips, "cbsa_code": place.cbsa_code,
                      "cbsa_title": place.cbsa_title, "region": place.region,
                      "division": place.division, "remote": int(place.remote)}
            places[state].append(Place(city.title(), state, zip_code, tuple(fields.items())))
    return places


def _employer_name(rng: random.Random, place: Place, index: int) -> str:
    word = rng.choice(WORDS)
    county = (dict(place.normalized).get("county") or f"{place.city} County").replace(
        " County", "")
    patterns = [
        f"{county} County Community Mental Health", f"{place.city} Behavioral Health",
        f"{word} Recovery Center", f"Integrated Services of {place.city}",
        f"{word} Counseling Services, Inc.", f"{word} Health System",
        f"Mental Health Association of {place.city}", f"{word} Family Services",
        f"{word} Behavioral Healthcare, LLC", f"{county} County Human Services",
    ]
    if place.state == "TX":
        patterns.append(f"{county} County MHMR")
    name = rng.choice(patterns)
    return name if index % 7 else f"{name} {index}"  # a few share a base name: keep them apart


def _variant(name: str, rng: random.Random) -> str:
    """How a peer job board writes the employer's name."""
    words = [w for w in name.replace(",", "").split() if w not in ("of", "Inc.", "LLC")]
    choice = rng.random()
    if name.startswith("Integrated Services of") or choice < 0.3:
        return "".join(w[0] for w in words if w[0].isupper())
    if "Community Mental Health" in name:
        return name.replace("Community Mental Health", "CMH")
    if "Behavioral Health" in name and choice < 0.6:
        return name.replace("Behavioral Health", "BH")
    return name.replace(", Inc.", "").replace(", LLC", "")


class World:
    """Boards, jobs and their postings, all drawn from one seed."""

    def __init__(self, postings: int, years: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.weeks = years * 52 + 1
        places = _places()
        self.states = sorted(places)
        weights = [len(places[s]) ** 1.5 for s in self.states]
        self.place_list: list[Place] = [p for s in self.states for p in places[s]]
        place_index = {id(p): i for i, p in enumerate(self.place_list)}
        self.place_index = place_index
        self.boards: list[Board] = []
        employer_boards = max(20, postings // 500)
        platform_names = [p for p, _ in PLATFORMS]
        platform_weights = [w for _, w in PLATFORMS]
        for index in range(employer_boards):
            state = self.rng.choices(self.states, weights)[0]
            home = self.rng.sample(places[state], min(3, len(places[state])))
            name = _employer_name(self.rng, home[0], index)
            platform = self.rng.choices(platform_names, platform_weights)[0]
            token = f"{_slug(name)[:40]}-{index}"
            self.boards.append(Board(f"{platform}:{token}", platform, token, name, state,
                                     tuple(place_index[id(p)] for p in home)))
        self.state_board: dict[str, int] = {}
        for state in self.states:
            self.state_board[state] = len(self.boards)
            self.boards.append(Board(f"jsonld:{state.lower()}peerjobs", "jsonld",
                                     f"{state.lower()}peerjobs", "", state, ()))
        self.va = len(self.boards)
        self.boards.append(Board("usajobs:va", "usajobs", "va", "Veterans Health Administration",
                                 "", ()))
        self.va_historic = len(self.boards)
        self.boards.append(Board("usajobs_historic:va", "usajobs_historic", "va",
                                 "Veterans Health Administration", "", ()))
        sizes = [1 / (i + 1) ** 0.8 for i in range(employer_boards)]
        self.rng.shuffle(sizes)
        self.board_range = range(employer_boards)
        self.board_weights = list(accumulate(sizes))
        self.postings: list[Posting] = []
        self.jobs: list[tuple[int, int, int]] = []
        """(board, place, seed) of every job."""
        while len(self.postings) < postings:
            self._job(sizes)
        del self.postings[postings:]

    def _week(self) -> int:
        # 15% more demand each year, a dip every December.
        while True:
            week = self.rng.randrange(self.weeks)
            growth = 1.15 ** (week / 52) / 1.15 ** (self.weeks / 52)
            season = 0.8 if (FIRST_MONDAY + timedelta(weeks=week)).month == 12 else 1.0
            if self.rng.random() < growth * season:
                return week

    def _job(self, sizes: list[float]) -> None:
        rng = self.rng
        job = len(self.jobs)
        va = rng.random() < 0.012
        board = self.va if va else rng.choices(self.board_range,
                                               cum_weights=self.board_weights)[0]
        if va:
            state = rng.choice(self.states)
            place = self.place_index[id(rng.choice(_places()[state]))]
        else:
            place = rng.choice(self.boards[board].places)
        self.jobs.append((board, place, rng.getrandbits(32)))
        start = self._week()
        duration = min(40, 1 + int(rng.expovariate(1 / 4.5)))
        end = min(self.weeks - 1, start + duration - 1)
        gap = None
        if rng.random() < 0.04 and end - start >= 3:
            gap_start = rng.randrange(start + 1, end)
            gap = (gap_start, rng.randint(2, 5))
            end = min(self.weeks - 1, end + gap[1])
        change = rng.randrange(start + 1, end + 1) if rng.random() < 0.08 and end > start \
            else None
        self.postings.append(Posting(job, board, f"{job}", start, end, gap, change, 0))
        peer = self._is_peer(job)
        if va:
            self.postings.append(Posting(job, self.va_historic, f"{job}", start, end, None,
                                         None, 2))
        elif peer and rng.random() < STATE_BOARD_SHARE:
            state = self.place_list[place].state
            lag = rng.randint(0, 1)
            copy_end = max(start + lag, end - rng.randint(0, 1))
            self.postings.append(Posting(job, self.state_board[state], f"pj-{job}",
                                         min(start + lag, end), copy_end, None, None, 1))

    def _is_peer(self, job: int) -> bool:
        return random.Random(self.jobs[job][2]).random() < 0.45 or self.jobs[job][0] == self.va

    def content(self, posting: Posting, week: int) -> dict[str, Any]:
        """The full item of a posting as its source shows it in ``week``."""
        board_index, place_index, seed = self.jobs[posting.job]
        rng = random.Random(seed)
        employer_board = self.boards[board_index]
        board = self.boards[posting.board]
        place = self.place_list[place_index]
        peer = rng.random() < 0.45 or board_index == self.va
        family = rng.choices(list(PEER_TITLES), FAMILY_WEIGHTS)[0] if peer else None
        if board_index == self.va:
            family = "veteran_peer"
        base = rng.choice(PEER_TITLES[family]) if family else rng.choice(OTHER_TITLES)
        title = base + rng.choice(SUFFIXES)
        employer = employer_board.employer
        if posting.variant == 1:
            employer = _variant(employer, random.Random(seed + 1))
            title = title.replace(" - ", ", ") if rng.random() < 0.5 else title
        low = round(rng.uniform(15.5, 23.5) if peer else rng.uniform(17, 48), 2)
        if posting.change is not None and week >= posting.change:
            low = round(low * 1.04, 2)
        high = round(low + rng.choice([1.5, 2.0, 3.25, 4.0]), 2)
        pay_style = rng.random()
        cert = rng.choice(["required", "required_within", "preferred", "none"]) if peer \
            else "none"
        credential = rng.choice(CREDENTIALS)
        posted = FIRST_MONDAY + timedelta(weeks=posting.start, days=-rng.randint(0, 6))
        closes = None
        closing_style = rng.random()
        if closing_style < 0.25:
            closes = FIRST_MONDAY + timedelta(weeks=posting.end, days=rng.randint(0, 6))
        elif closing_style < 0.26:
            closes = posted + timedelta(days=5 * 365)
        duties = rng.sample(DUTIES[peer], k=5 if peer else 4)
        program = rng.choice(PROGRAMS)
        # Laid out as the spiders write descriptions (crawlers/text.html_to_text): a blank
        # line between blocks (paragraphs, headings, lists), list items on their own lines.
        duty_list = "\n".join(f"- {d}" for d in duties)
        qualifications = ["- High school diploma or GED required."]
        if peer:
            qualifications.append(
                "- Lived experience of recovery from mental health and/or substance use "
                "challenges, and willingness to share it, is required.")
            qualifications.append({
                "required": f"- Must hold a current {credential} certification.",
                "required_within": f"- Must obtain {credential} certification within 6 months "
                                   "of hire.",
                "preferred": f"- {credential} certification preferred.",
                "none": "- Valid driver's license and CPR/First Aid required."}[cert])
        else:
            qualifications.append("- Two years of related experience preferred.")
        blocks = [
            f"{employer_board.employer} provides community-based behavioral health and recovery "
            f"services in {place.city} and the surrounding counties. Our {program} program is "
            f"growing and we are hiring a {base} to join a team that believes recovery is "
            "possible for everyone.",
            "Responsibilities:", duty_list, "Qualifications:", "\n".join(qualifications),
        ]
        pay_text = None
        pay: dict[str, Any] = {}
        if pay_style < 0.3:
            pay = {"pay_min": low, "pay_max": high, "pay_period": "HOUR", "pay_currency": "USD"}
        elif pay_style < 0.4:
            pay = {"pay_min": round(low * 2080, -2), "pay_max": round(high * 2080, -2),
                   "pay_period": "YEAR", "pay_currency": "USD"}
        elif pay_style < 0.6:
            pay_text = f"${low:.2f} - ${high:.2f} per hour"
            blocks.append(f"Compensation: {pay_text}.")
        blocks.append(
            "Benefits: medical, dental and vision insurance; 403(b) retirement plan with employer "
            "match; generous paid time off and paid holidays; tuition assistance; mileage "
            "reimbursement; employee assistance program; paid training towards certification.")
        blocks.append(f"{employer_board.employer} is an equal opportunity employer. People in "
                      "recovery, people with disabilities, veterans and members of the "
                      "communities we serve are encouraged to apply.")
        description = "\n\n".join(blocks)
        if posting.variant == 1:
            header = f"Job Description\n\nSalary: {pay_text}\n\n" if pay_text else \
                "Job Description\n\n"
            description = header + description[: rng.randint(600, 1200)]
        hourly = (low, high) if pay or pay_text else (None, None)
        if pay.get("pay_period") == "YEAR":
            hourly = (round(pay["pay_min"] / 2080, 2), round(pay["pay_max"] / 2080, 2))
        item: dict[str, Any] = {
            "source": board.source, "source_id": posting.source_id, "platform": board.platform,
            "board": board.token, "url": f"https://{board.token}.example/jobs/{posting.source_id}",
            "title": title, "employer": employer,
            "location": f"{place.city}, {place.state} {place.zip}"
            if rng.random() < 0.6 else f"{place.city}, {place.state}",
            "description": description, "pay_text": pay_text, **pay,
            "posted_at": _date_text(posted, rng) if posting.variant != 2 else
            f"{posted.isoformat()}T00:00:00.0000",
            "closes_at": _date_text(closes, rng) if closes and posting.variant != 2 else None,
            "employment_type": rng.choice(["FULL_TIME", "PART_TIME", "Full-time", "PER_DIEM"]),
            "source_updated_at": f"{FIRST_MONDAY + timedelta(weeks=week)}T00:00:00Z",
            "extra": {"requisition_id": f"REQ-{posting.job:07d}", "department": program},
        }
        if posting.variant == 2:
            closes = posted + timedelta(days=rng.randint(14, 45))
            item["closes_at"] = f"{closes.isoformat()}T23:59:59.9970"
        if self.truth:
            item["extra"]["normalized"] = {
                "is_peer": int(peer), "role_family": family, "role_title": base if peer else None,
                "title_clean": base.lower(), "hourly_min": hourly[0], "hourly_max": hourly[1],
                "cert_requirement": cert, "taxonomy_version": "bench-truth",
                **dict(place.normalized)}
        return item

    truth = False


def _date_text(day: date, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.6:
        return day.isoformat()
    if style < 0.8:
        return day.strftime("%m/%d/%Y")
    return f"{day.strftime('%B')} {day.day}, {day.year}"


def _status(rng: random.Random) -> str:
    roll = rng.random()
    return "failed" if roll < 0.015 else "partial" if roll < 0.035 else \
        "skipped" if roll < 0.04 else "complete"


def generate(world: World, archive: Path, *, last_week_aside: Path | None = None) -> dict[str, int]:
    """Write every weekly run of ``world`` into ``archive`` (the last week into the aside folder)."""
    from db.archive import write_run

    rng = random.Random(world.seed + 99)
    by_week: dict[int, list[int]] = defaultdict(list)
    for index, posting in enumerate(world.postings):
        if posting.variant == 2:
            continue
        for week in range(posting.start, posting.end + 1):
            if posting.gap and posting.gap[0] <= week < posting.gap[0] + posting.gap[1]:
                continue
            by_week[week].append(index)
    historic: dict[int, list[int]] = defaultdict(list)
    for index, posting in enumerate(world.postings):
        if posting.variant == 2:
            run_week = max(13, (posting.start // 13 + 1) * 13)
            historic[min(run_week, world.weeks - 1)].append(index)
    seen: set[int] = set()
    counts = {"runs": 0, "items": 0, "full_items": 0}
    for week in range(world.weeks):
        target = last_week_aside if last_week_aside and week == world.weeks - 1 else archive
        day = FIRST_MONDAY + timedelta(weeks=week)
        statuses = {b: _status(rng) for b, board in enumerate(world.boards)
                    if board.platform != "usajobs_historic"}
        by_spider: dict[str, dict[int, list[dict[str, Any]]]] = defaultdict(dict)
        for board_index in statuses:
            by_spider[world.boards[board_index].platform][board_index] = []
        for index in by_week.get(week, ()):
            posting = world.postings[index]
            status = statuses[posting.board]
            if status in ("failed", "skipped") or (status == "partial" and rng.random() < 0.3):
                continue
            board = world.boards[posting.board]
            listing_only = index in seen and board.platform in INCREMENTAL and not (
                posting.change is not None and week == posting.change)
            if listing_only:
                item = {"source": board.source, "source_id": posting.source_id,
                        "platform": board.platform, "board": board.token,
                        "url": f"https://{board.token}.example/jobs/{posting.source_id}",
                        "title": None, "detail_skipped": True}
            else:
                item = world.content(posting, week)
                counts["full_items"] += 1
            by_spider[board.platform][posting.board].append(item)
            seen.add(index)
        for offset, (spider, boards) in enumerate(sorted(by_spider.items())):
            started = datetime(day.year, day.month, day.day, 2, offset * 3)
            items: list[dict[str, Any]] = []
            stats: dict[str, dict[str, Any]] = {}
            for board_index, board_items in boards.items():
                board = world.boards[board_index]
                status = statuses[board_index]
                counters: dict[str, Any] = {"board": board.token, "requests": 1}
                if board.state:
                    counters["state"] = board.state
                if board.employer:
                    counters["employer"] = board.employer
                if status == "failed":
                    counters.update({"problems/http_503": 1, "status/503": 1})
                elif status == "skipped":
                    counters["skipped"] = "robots_disallowed"
                else:
                    if status == "partial":
                        counters.update({"incomplete": 1, "problems/timeout": 1})
                    counters.update({"listing_pages": 1 + len(board_items) // 20,
                                     "items": len(board_items), "status/200": 1})
                    items.extend(board_items)
                stats[board.source] = counters
            stamp = started.strftime("%Y-%m-%dT%H:%M:%SZ")
            for item in items:
                item["fetched_at"] = stamp
            write_run(target, spider=spider, run_id=f"{started:%Y%m%dT%H%M%SZ}-{spider}",
                      started_at=stamp, finished_at=(started + timedelta(minutes=40)).strftime(
                          "%Y-%m-%dT%H:%M:%SZ"), items=items, boards=stats)
            counts["runs"] += 1
            counts["items"] += len(items)
        if week in historic:
            started = datetime(day.year, day.month, day.day, 5, 0)
            records = [world.content(world.postings[i], week) for i in historic[week]]
            stamp = started.strftime("%Y-%m-%dT%H:%M:%SZ")
            for item in records:
                item["fetched_at"] = stamp
            write_run(target, spider="usajobs_historic",
                      run_id=f"{started:%Y%m%dT%H%M%SZ}-usajobs_historic", started_at=stamp,
                      finished_at=(started + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                      items=records, boards={"usajobs_historic:va": {
                          "board": "va", "requests": 2, "listing_pages": 2,
                          "items": len(records), "employer": "Veterans Health Administration"}})
            counts["runs"] += 1
            counts["items"] += len(records)
            counts["full_items"] += len(records)
    return counts


# -- the build, in a child process ------------------------------------------------------------


def child_build(folder: Path, normalizer: str, rebuild: bool) -> None:
    from db.build import build
    from db.derived import make_derivers
    from db.load import Normalizer

    chosen: Normalizer
    if normalizer == "stub":
        from db.stubs import extra_normalizer

        chosen = extra_normalizer
    else:
        from db.normalized import make_normalizer

        chosen = make_normalizer()
    started = time.monotonic()
    report = build(folder / "data", folder / "archive", chosen, make_derivers(), rebuild=rebuild,
                   workers=None)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": time.monotonic() - started, "summary": report.summary(),
                      "phases": report.phases,
                      "maxrss_kib": usage.ru_maxrss, "user": usage.ru_utime,
                      "system": usage.ru_stime, "workers_maxrss_kib": workers.ru_maxrss,
                      "workers_cpu": workers.ru_utime + workers.ru_stime}))


def run_child(folder: Path, normalizer: str, rebuild: bool) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--folder", str(folder),
               "--normalizer", normalizer, "--child-build", "rebuild" if rebuild else "build"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False,
                          cwd=REPO)
    if done.returncode:
        raise SystemExit(f"build failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.monotonic() - started
    return result


# -- queries ----------------------------------------------------------------------------------


def _canned(name: str) -> str:
    import yaml

    metadata = yaml.safe_load((REPO / "datasette" / "metadata.yml").read_text())
    return str(metadata["databases"]["peerjobs"]["queries"][name]["sql"])


def latency(database: Path, sql: str, params: dict[str, Any], repeat: int) -> dict[str, Any]:
    from datasette.utils import escape_fts

    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    conn.create_function("escape_fts", 1, escape_fts)
    times = []
    rows = 0
    for _ in range(repeat + 1):
        started = time.perf_counter()
        rows = len(conn.execute(sql, params).fetchall())
        times.append((time.perf_counter() - started) * 1000)
    conn.close()
    first, warm = times[0], sorted(times[1:])
    p95 = warm[min(len(warm) - 1, math.ceil(0.95 * len(warm)) - 1)]
    return {"rows": rows, "first_ms": round(first, 2), "median_ms": round(statistics.median(warm), 2),
            "p95_ms": round(p95, 2), "runs": repeat}


def busiest(database: Path) -> tuple[str, str]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    state, family = conn.execute(
        "select geo_code, role_family from demand_weekly where geo_level = 'state' "
        "and role_family != 'all' group by 1, 2 order by sum(active_postings) desc limit 1"
    ).fetchone()
    conn.close()
    return str(state), str(family)


CALIBRATION_POSTINGS = 20_000


def cpu_speed() -> str:
    """This machine's speed today, measured by the normalizer on one core.

    The development machine has run the same code 1.4-1.6 times faster on one day than on
    another, so a build time means little without it: compare runs of different days by this.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_normalizer import sample_postings, throughput

    from normalize.native import status

    rate, _ = throughput(sample_postings(CALIBRATION_POSTINGS))
    # the compiled normalizer runs 1.5-1.7 times the plain one: say which one measured
    mode = "compiled" if status().startswith("compiled") else "plain Python"
    return (f"CPU speed: the normalizer ({mode}) handles {rate:,.0f} full postings/s on one core "
            f"(bench_normalizer.py's throughput run, {CALIBRATION_POSTINGS:,} postings)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--folder", type=Path,
                        help="Where the archive and database go (default data/bench-history-N).")
    parser.add_argument("--normalizer", choices=("real", "stub"), default=None,
                        help="real (normalize/) or stub (the generator's truth); default real "
                             "when normalize/ is importable.")
    parser.add_argument("--reuse", action="store_true",
                        help="Reuse an archive generated earlier in the folder.")
    parser.add_argument("--repeat", type=int, default=50, help="Query repetitions.")
    parser.add_argument("--keep", action="store_true", help="Keep the folder afterwards.")
    parser.add_argument("--child-build", choices=("rebuild", "build"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.folder or REPO / "data" / f"bench-history-{args.postings}"
    normalizer = args.normalizer
    if normalizer is None:
        try:
            from db.normalized import make_normalizer

            make_normalizer()
            normalizer = "real"
        except ImportError as exc:
            print(f"normalize/ is not importable yet ({exc}): using the stub normalizer")
            normalizer = "stub"
    if args.child_build:
        child_build(folder, normalizer, args.child_build == "rebuild")
        return

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    if normalizer == "real":
        print(cpu_speed())
    archive, aside = folder / "archive", folder / "last-week"
    stamp_file = folder / "generated.json"
    wanted = {"postings": args.postings, "years": args.years, "seed": args.seed,
              "truth": normalizer == "stub"}
    if args.reuse and stamp_file.exists() and \
            json.loads(stamp_file.read_text()).get("world") == wanted:
        generated = json.loads(stamp_file.read_text())
        print(f"reusing the archive in {folder}")
        for path in sorted(aside.rglob("*")) if aside.exists() else []:
            target = archive / path.relative_to(aside)
            if path.is_file() and target.exists():
                target.unlink()
    else:
        shutil.rmtree(folder, ignore_errors=True)
        started = time.monotonic()
        World.truth = normalizer == "stub"
        world = World(args.postings, args.years, args.seed)
        counts = generate(world, archive, last_week_aside=aside)
        generated = {"world": wanted, "seconds": round(time.monotonic() - started, 1), **counts,
                     "boards": len(world.boards), "weeks": world.weeks}
        del world
        stamp_file.write_text(json.dumps(generated))
    size = sum(p.stat().st_size for p in folder.rglob("*.json*"))
    print(f"archive: {generated['runs']} run files, {generated['items']:,} items "
          f"({generated['full_items']:,} full, the rest listing-only), {generated['boards']} "
          f"boards, {generated['weeks']} weeks, {size / 1e9:.2f} GB; generated in "
          f"{generated['seconds']}s")
    print(f"normalizer: {normalizer}")

    shutil.rmtree(folder / "data", ignore_errors=True)
    full = run_child(folder, normalizer, rebuild=True)
    database = folder / "data" / "peerjobs.db"
    print(f"full rebuild: {full['wall']:.1f}s wall ({full['summary']})")
    print(f"  peak RSS: build process {full['maxrss_kib'] / 1024:.0f} MiB, largest worker "
          f"process {full['workers_maxrss_kib'] / 1024:.0f} MiB; CPU: build process "
          f"{full['user'] + full['system']:.0f}s, workers {full['workers_cpu']:.0f}s")
    print(f"  phases (s): {full['phases']}")
    print(f"database: {database.stat().st_size / 1e9:.2f} GB")
    for path in sorted(aside.rglob("*.json*")):
        target = archive / path.relative_to(aside)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    nightly = run_child(folder, normalizer, rebuild=False)
    print(f"incremental build of the last week: {nightly['wall']:.1f}s wall "
          f"({nightly['summary']}); peak RSS {nightly['maxrss_kib'] / 1024:.0f} MiB "
          f"(largest worker {nightly['workers_maxrss_kib'] / 1024:.0f} MiB)")
    print(f"  phases (s): {nightly['phases']}")
    print(f"database after it: {database.stat().st_size / 1e9:.2f} GB")

    conn = sqlite3.connect(database)
    sizes = dict(conn.execute("select name, sum(pgsize) from dbstat group by name").fetchall())
    for table in ("postings", "sightings", "runs", "clusters", "employers", "demand_weekly",
                  "demand_monthly", "coverage_weekly", "coverage_monthly", "demand_index_weekly",
                  "demand_index_monthly", "title_variants"):
        print(f"  {table}: {conn.execute(f'select count(*) from [{table}]').fetchone()[0]:,} "
              f"rows, {sizes.get(table, 0) / 1e6:,.1f} MB")
    conn.close()
    state, family = busiest(database)
    trend = latency(database, _canned("demand_trend"),
                    {"state": state, "role_family": family}, args.repeat)
    print(f"trend query (demand_trend, state {state}, {family}, {trend['rows']} weeks): "
          f"median {trend['median_ms']} ms, p95 {trend['p95_ms']} ms (first {trend['first_ms']} ms)")
    for q, st in (("bilingual recovery coach", ""), ("peer support", "TX"),
                  ("forensic peer re-entry", "")):
        found = latency(database, _canned("search_postings"), {"q": q, "state": st},
                        max(10, args.repeat // 5))
        print(f"search_postings {q!r} state {st or 'any'} ({found['rows']} rows): median "
              f"{found['median_ms']} ms, p95 {found['p95_ms']} ms (first {found['first_ms']} ms)")
    if not args.keep:
        shutil.rmtree(folder / "data", ignore_errors=True)


if __name__ == "__main__":
    main()
