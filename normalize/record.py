"""One posting in, every normalized field out: the contract of ``peerjobs normalize`` and the build.

Input keys (all optional): ``title``, ``description``, ``employer``, ``location`` and
``locations`` (list, JSON list or ``;``-separated), pay as text (``pay`` or ``pay_text``) and/or
structured (``pay_min``, ``pay_max``, ``pay_period``, ``pay_currency``), ``remote`` and
``state_hint`` (the board's state, used only when the location names none).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Mapping
from typing import Any

from normalize.certification import extract_certification
from normalize.location import resolve_location
from normalize.pay import normalize_pay
from normalize.taxonomy import Taxonomy, load_taxonomy
from normalize.titles import classify_title

OUTPUT_FIELDS: tuple[str, ...] = (
    "is_peer", "role_family", "role_title", "title_score", "title_match", "title_rule",
    "title_clean",
    "pay_min", "pay_max", "pay_period", "pay_currency", "hourly_min", "hourly_max",
    "pay_period_inferred", "pay_source", "pay_flags",
    "cert_requirement", "cert_within_days", "credentials", "lived_experience_required",
    "min_education", "drivers_license_required",
    "state", "county", "county_fips", "cbsa_code", "cbsa_title", "region", "division", "remote",
    "location_source", "cert_evidence", "taxonomy_version",
)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    # "not blank" without strip(), which copies a whole description that ends in a newline
    return text if text and not text.isspace() else None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "1", "y", "t"):
            return True
        if lowered in ("false", "no", "0", "n", "f"):
            return False
    return None


def _locations(record: Mapping[str, Any]) -> list[str]:
    value = record.get("locations")
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except ValueError:
                value = [stripped]
        else:
            value = [part for part in stripped.split(";")]
    if not isinstance(value, list | tuple):
        return []
    return [str(v).strip() for v in value if v is not None and str(v).strip()]


def normalize_record(
    record: Mapping[str, Any], *, taxonomy: Taxonomy | None = None
) -> dict[str, Any]:
    """The normalized fields of one posting (the input's own fields are not repeated)."""
    tax = taxonomy or load_taxonomy()
    title = _text(record.get("title"))
    description = _text(record.get("description"))
    match = classify_title(title, description, taxonomy=tax)
    pay = normalize_pay(
        pay_text=_text(record.get("pay")) or _text(record.get("pay_text")),
        pay_min=record.get("pay_min"), pay_max=record.get("pay_max"),
        pay_period=record.get("pay_period"), pay_currency=record.get("pay_currency"),
        description=description,
    )
    listed = _locations(record)
    primary = _text(record.get("location")) or (listed[0] if listed else None)
    others = [loc for loc in listed if loc != primary]
    place = resolve_location(primary, others=others, remote_hint=_flag(record.get("remote")),
                             state_hint=_text(record.get("state_hint")))
    cert = extract_certification(description, state=place.state, title=title)
    return {
        "is_peer": match.is_peer,
        "role_family": match.role_family,
        "role_title": match.role_title,
        "title_score": match.title_score,
        "title_match": match.match,
        "title_rule": match.rule,
        "title_clean": match.title_clean,
        "pay_min": pay.pay_min,
        "pay_max": pay.pay_max,
        "pay_period": pay.pay_period,
        "pay_currency": pay.pay_currency,
        "hourly_min": pay.hourly_min,
        "hourly_max": pay.hourly_max,
        "pay_period_inferred": pay.period_inferred,
        "pay_source": pay.source,
        "pay_flags": list(pay.flags),
        "cert_requirement": cert.cert_requirement,
        "cert_within_days": cert.cert_within_days,
        "credentials": list(cert.credentials),
        "lived_experience_required": cert.lived_experience_required,
        "min_education": cert.min_education,
        "drivers_license_required": cert.drivers_license_required,
        "state": place.state,
        "county": place.county,
        "county_fips": place.county_fips,
        "cbsa_code": place.cbsa_code,
        "cbsa_title": place.cbsa_title,
        "region": place.region,
        "division": place.division,
        "remote": place.remote,
        "location_source": place.source,
        "cert_evidence": cert.evidence,
        "taxonomy_version": tax.version,
    }


_SAMPLE: Mapping[str, Any] = {
    "title": "Certified Peer Support Specialist", "location": "Lansing, MI 48933",
    "pay": "$18.00 - $21.50 per hour",
    "description": "Must obtain state peer certification within 6 months of hire. High school "
                   "diploma required. Lived experience of recovery.",
}


def prepare(taxonomy: Taxonomy | None = None) -> None:
    """Build every index the normalizer uses, then move everything built so far out of the
    cyclic garbage collector's way (``gc.freeze``).

    Call it once per process before normalizing many postings (the build does, before its
    workers fork); it also makes the collector's young generations larger, for a batch job.
    The geography, title and credential indexes are hundreds of thousands of long-lived
    objects; without the freeze every full collection walks them all again, which cost a tenth
    of the normalizer's time, and after a fork the walk also unshares their pages. Results are
    unchanged: the freeze only exempts objects from cycle detection.
    """
    normalize_record(_SAMPLE, taxonomy=taxonomy or load_taxonomy())
    gc.collect()
    gc.freeze()
    # A batch job: the caches keep what a posting leaves, so young collections find little to
    # free; running them less often gave 5-10 % (a process-wide setting, hence only here).
    gc.set_threshold(50_000, 20, 100)
