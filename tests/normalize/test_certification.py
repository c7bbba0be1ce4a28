"""Certification requirement extraction: exact outputs for every phrasing class, plus fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize.certification import (
    EDUCATION_LEVELS,
    REQUIREMENTS,
    Certification,
    extract_certification,
)
from normalize.taxonomy import load_credentials

CODES = load_credentials().codes


@pytest.mark.parametrize(
    ("text", "state", "title", "requirement", "days", "credentials"),
    [
        # required
        ("Certified Peer Specialist (CPS) required.", "PA", None, "required", None, ("CPS",)),
        ("Must be a Certified Recovery Peer Advocate.", "NY", None, "required", None, ("CRPA",)),
        ("CRPA or CRPA-P required", "NY", None, "required", None, ("CRPA", "CRPA-P")),
        ("MCBAP CPRC required.", "MI", None, "required", None, ("CPRC",)),
        ("IC&RC Peer Recovery credential required.", None, None, "required", None, ("IC&RC-PR",)),
        ("Minimum Qualifications:\nHigh school diploma or GED\nCertified Peer Specialist", "GA", None,
         "required", None, ("CPS",)),
        # required within: months, years, weeks, days, words
        # a list item that opens with holding the credential: required unless a heading says not
        ("Holds a current Peer Recovery Specialist credential in good standing.", None, None,
         "required", None, ("CPRS",)),
        ("Possession of a current Peer Specialist certificate issued by the State.", None, None,
         "required", None, ("CPS",)),
        ("Preferred Qualifications:\nHolds a current CPRS credential.", None, None, "preferred", None,
         ("CPRS",)),
        ("Has experience working with Certified Peer Specialists.", None, None, "none", None, ("CPS",)),
        # credential names without "certified" are found on their own
        ("Must be a Registered Peer Recovery Specialist.", "VA", None, "required", None, ("RPRS",)),
        ("Must hold the Ohio Peer Recovery Supporter certificate.", "OH", None, "required", None,
         ("OH-CPRS",)),
        # obtaining later: "the ability to obtain it", a question about willingness, hiring the
        # uncertified (but not when they "will not be considered")
        ("Peer Support Specialist certification or the ability to obtain it.", None, None,
         "required_within", None, ("CPSS",)),
        ("Are you willing to obtain Peer Support certification within six months of hire?", None, None,
         "required_within", 180, ()),
        ("Candidates who are not certified may be hired as a Peer Specialist Trainee.", None, None,
         "required_within", None, ()),
        ("Certified Peer Specialist required; not certified applicants will not be considered.", None,
         None, "required", None, ("CPS",)),
        # a school-completion certificate is education
        ("Must have a high school diploma or equivalency certificate.", None, None, "none", None, ()),
        # a named credential with a time limit counted from hire needs no verb
        ("CPRS required within 12 months of hire.", None, None, "required_within", 360, ("CPRS",)),
        ("CRPA or CRPA-P within 90 days of hire.", None, None, "required_within", 90,
         ("CRPA", "CRPA-P")),
        ("Must obtain certification by the end of the first year of employment.", None,
         "Peer Support Specialist II", "required_within", 365, ()),
        # an amount of experience is no time limit; a non-peer credential owns its deadline
        ("CPRS with a minimum of 2 years of experience.", None, None, "required", None, ("CPRS",)),
        ("Certified Peer Specialist preferred, CPR within 30 days of hire.", None, None, "preferred",
         None, ("CPS",)),
        ("Must obtain CPRC certification within 12 months of hire.", "MI", None, "required_within", 360,
         ("CPRC",)),
        ("Certification as a Peer Recovery Specialist must be obtained within 2 years of employment.",
         "MD", None, "required_within", 730, ("CPRS",)),
        ("Must become certified within 6 weeks of hire.", None, "Peer Support Specialist II",
         "required_within", 42, ()),
        ("Certified Peer Specialist or willing to obtain certification within 90 days of hire.", "TX", None,
         "required_within", 90, ("CPS",)),
        ("Must obtain the CPSS credential within six months.", "MI", None, "required_within", 180, ("CPSS",)),
        ("Certification required within one year of hire.", None, "Peer Recovery Coach",
         "required_within", 365, ()),
        ("Certification as Certified Addiction Recovery Coach (CARC) required, or able to obtain within "
         "six (9-12) months", "MA", None, "required_within", 180, ("CARC",)),
        ("Employees who fail to obtain the required certification by the end of 24 months of continuous "
         "employment shall be subject to disciplinary action.", "MD", None, "required_within", 720, ()),
        ("CPS preferred. Must obtain certification within 6 months of hire.", "PA", "Peer Specialist II",
         "required_within", 180, ("CPS",)),
        # willing to obtain / eligible / certifiable / provisional, without a deadline
        ("Must be certified or eligible for certification.", None, "Peer Support Specialist II",
         "required_within", None, ()),
        ("CPRS-eligible", "VA", None, "required_within", None, ("CPRS",)),
        ("Certified or certifiable as a Peer Support Specialist.", "MI", None, "required_within", None,
         ("CPSS",)),
        ("Provisional certification accepted.", None, "Peer Specialist II", "required_within", None, ()),
        ("Completion of or eligibility for the Illinois Certified Recovery Support Specialist (CRSS).",
         "IL", None, "required_within", None, ("CRSS",)),
        # preferred
        ("Certified Peer Recovery Specialist (preferred) will provide engagement with people.", "MD", None,
         "preferred", None, ("CPRS",)),
        ("Certification not required but preferred.", None, "Peer Specialist II", "preferred", None, ()),
        ("Preferred Qualifications:\nCertified Peer Recovery Specialist (CPRS)", "VA", None, "preferred",
         None, ("CPRS",)),
        # strictest wins across sentences; a clause keeps its own cue
        ("CPRS required, CADC preferred.", "VA", None, "required", None, ("CPRS",)),
        ("NCPRSS preferred. Certified Peer Recovery Coach required.", "IN", None, "required", None,
         ("CPRC", "NCPRSS")),
        # none: duties, questions, pay, not required
        ("The Certified Peer Specialist will facilitate recovery groups.", "PA", None, "none", None,
         ("CPS",)),
        ("Are you a certified Peer Specialist who is interested in helping others?", "NY", None, "none",
         None, ("NYCPS",)),
        ("Pay Range: $16 - $18 per hour, depending on experience and CPRS Certification status.", "MD",
         None, "none", None, ("CPRS",)),
        ("Certification is not mandatory for employment in Virginia.", "VA", None, "none", None, ()),
        ("You must have 18 months of recovery to enroll in the CRS training.", "PA", None, "none", None,
         ("CRS",)),
        ("", None, None, "none", None, ()),
    ],
)
def test_certification_requirement(
    text: str,
    state: str | None,
    title: str | None,
    requirement: str,
    days: int | None,
    credentials: tuple[str, ...],
) -> None:
    c = extract_certification(text, state=state, title=title)
    assert (c.cert_requirement, c.cert_within_days, c.credentials) == (requirement, days, credentials)


@pytest.mark.parametrize(
    ("text", "state", "credentials"),
    [
        # CPRS: Certified Peer Recovery Specialist, but the Ohio Peer Recovery Supporter in Ohio
        ("CPRS required.", "VA", ("CPRS",)),
        ("CPRS required.", "OH", ("OH-CPRS",)),
        ("CPRS required for this Ohio position.", None, ("OH-CPRS",)),
        ("Certified Peer Recovery Supporter certification through OhioMHAS required.", "OH", ("OH-CPRS",)),
        ("Documentation in CPRS within 24 hours of each contact is required.", "VA", ()),
        # CPS: peer specialist, not Child Protective Services nor a prevention specialist
        ("CPS certification required.", "PA", ("CPS",)),
        ("Experience working with CPS and the juvenile court system preferred.", "TX", ()),
        ("CPS caseworker experience a plus; peer certification required.", "TX", ()),
        ("Certified Prevention Specialist (CPS) preferred.", "NC", ()),
        ("Certified Peer Specialist required.", "NY", ("NYCPS",)),
        # CPC: WA Certified Peer Counselor, not a Certified Professional Coder
        ("Certified Peer Counselor (CPC) preferred.", "WA", ("CPC",)),
        ("CPC preferred; experience with ICD-10 coding required.", None, ()),
        # CPSS in North Carolina is the NC credential
        ("Certified Peer Support Specialist required.", "NC", ("NCCPSS",)),
        ("Certified Peer Support Specialist required.", "MI", ("CPSS",)),
        ("Peer Support Specialist must be certified by North Carolina's Peer Support Specialist Program.",
         "NC", ("NCCPSS",)),
        # spelled-out names and national credentials
        ("Certified Peer Recovery Coach (CPRC) required.", "MI", ("CPRC",)),
        ("National Certified Peer Recovery Support Specialist (NCPRSS) preferred.", None, ("NCPRSS",)),
        ("MHA National Certified Peer Specialist preferred.", None, ("MHA-NCPS",)),
        ("Must be certified as required by 38 U.S.C. 7402(b)(13).", None, ("VA-PEER",)),
        ("Medi-Cal Peer Support Specialist certification required.", "CA", ("MCPSS",)),
        ("Certified Recovery Peer Specialist (CRPS-V) preferred.", "FL", ("CRPS",)),
        ("High school diploma required and be an OMH-certified Peer Specialist/ OASAS-certified Peer "
         "Advocate.", "NY", ("CRPA", "NYCPS")),
    ],
)
def test_state_aware_credentials(text: str, state: str | None, credentials: tuple[str, ...]) -> None:
    assert extract_certification(text, state=state).credentials == credentials


@pytest.mark.parametrize(
    "text",
    [
        "CPR certification required.",
        "Must have current CPR and First Aid certification.",
        "BLS certification required within 30 days of hire.",
        "CPI certification required.",
        "MANDT certification must be obtained within 90 days.",
        "Naloxone training and certification required within 30 days.",
        "Narcan certification preferred.",
        "Valid driver's license and clean driving record required.",
        "Have or obtain a certification in Intentional Peer Support",
        "CADC or LADC certification preferred.",
    ],
)
def test_non_peer_certifications_never_count(text: str) -> None:
    c = extract_certification(text, title="Peer Support Specialist II")
    assert (c.cert_requirement, c.cert_within_days, c.credentials) == ("none", None, ())


def test_generic_certification_needs_a_peer_context() -> None:
    text = "Additional certifications in assigned specialty area are required."
    assert extract_certification(text, title="Oncology Nurse Navigator - RN").cert_requirement == "none"
    assert extract_certification(text, title="Peer Support Specialist II").cert_requirement == "required"
    assert extract_certification(text).cert_requirement == "required"


def test_a_title_naming_a_credential_means_it_is_required_when_the_text_is_silent() -> None:
    c = extract_certification("Join our team!", title="Certified Peer Recovery Specialist (CPRS)")
    assert (c.cert_requirement, c.credentials) == ("required", ("CPRS",))
    c = extract_certification("Must obtain CPRS certification within 6 months.",
                              title="Certified Peer Recovery Specialist II")
    assert (c.cert_requirement, c.cert_within_days) == ("required_within", 180)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Must self-identify as a person in recovery from mental illness or substance use.", True),
        ("Lived experience required.", True),
        ("Applicants for this classification must be in a state of recovery for 2 years.", True),
        ("Minimum Requirements:\n1. 2 years of lived experience and/or recovery", True),
        ("Lived experience with mental health recovery preferred.", False),
        ("Peer Support Specialists use their lived experience to help others.", False),
        ("We encourage applicants to voluntarily self-identify as individuals with disabilities.", False),
        ("", False),
    ],
)
def test_lived_experience_required(text: str, expected: bool) -> None:
    assert extract_certification(text).lived_experience_required is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("High school diploma or GED required; bachelor's degree preferred.", "hs"),
        ("High school diploma or GED required, Associate's or Bachelor's degree in finance preferred.", "hs"),
        ("Bachelor's degree in social work or related field required.", "bachelor"),
        ("Master's degree preferred, Associate's degree required.", "associate"),
        ("Master's degree in social work (MSW) required.", "master"),
        ("Education: Graduation from an accredited high school or possession of a high school "
         "equivalency certificate.", "hs"),
        ("Two-year degree in health/human services or another related field.", "associate"),
        ("No formal education required.", "none"),
        ("Bachelor's degree preferred.", None),
        ("Proficiency with MS Office required.", None),
        ("", None),
    ],
)
def test_min_education(text: str, expected: str | None) -> None:
    assert extract_certification(text).min_education == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Must have a valid driver's license and reliable transportation.", True),
        ("Employees assigned such duties will be required to possess a motor vehicle operator's license "
         "valid in the State of Maryland.", True),
        ("Driving Required: Yes. Valid drivers license.", True),
        ("Valid driver's license preferred.", False),
        ("Must be licensed as an LCSW in the state.", False),
        ("", False),
    ],
)
def test_drivers_license_required(text: str, expected: bool) -> None:
    assert extract_certification(text).drivers_license_required is expected


def test_html_descriptions_are_read_as_text() -> None:
    html = (
        "<h2>Qualifications</h2><ul><li>High school diploma or GED</li>"
        "<li>Certified Peer Recovery Specialist (CPRS) &ndash; or obtain within 6&nbsp;months of hire</li>"
        "<li>Valid driver&#39;s license</li></ul>"
    )
    c = extract_certification(html, state="VA")
    assert c == Certification("required_within", 180, ("CPRS",), False, "hs", True)


def test_real_posting_end_to_end() -> None:
    text = (
        "LICENSES, REGISTRATIONS AND CERTIFICATIONS\n"
        "1. Candidates for positions in this classification must possess a current certification as a "
        "Peer Recovery Specialist within 12 months from date of hire.\n"
        "2. Employees assigned such duties will be required to possess a motor vehicle operator's "
        "license valid in the State of Maryland.\n"
        "SPECIAL REQUIREMENTS\n"
        "1. Employees in this classification who fail to obtain the required certification by the end of "
        "24 months of continuous employment shall be subject to disciplinary action.\n"
        "2. Applicants for this classification must be in a state of recovery for 2 years.\n"
        "MINIMUM QUALIFICATIONS\nEducation: Graduation from an accredited high school.\n"
    )
    c = extract_certification(text, state="MD", title="Peer Recovery Specialist II, Certified")
    assert c == Certification("required_within", 360, ("CPRS",), True, "hs", True)


# --------------------------------------------------------------------------- fuzzing

ODD_TEXT = st.one_of(
    st.none(),
    st.text(max_size=400),
    st.text(alphabet=st.characters(max_codepoint=0x2FFF), max_size=400),
    st.text(
        alphabet="CPRS certified required within 6 months of hire preferred; GED\n.,()-–\x00\u2022'&<>",
        max_size=400,
    ),
    st.builds(lambda a: f"<ul><li>{a}</li><li>CPRS &amp; CARC</li></ul>", st.text(max_size=200)),
    st.just("Certified Peer Specialist required within 6 months. " * 3000),
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ODD_TEXT, state=st.one_of(st.none(), st.text(max_size=4)), title=ODD_TEXT)
def test_extract_certification_never_raises_and_stays_in_vocabulary(
    text: str | None, state: str | None, title: str | None
) -> None:
    c = extract_certification(text, state=state, title=title)
    assert isinstance(c, Certification)
    assert c.cert_requirement in REQUIREMENTS
    assert c.cert_within_days is None or (isinstance(c.cert_within_days, int) and c.cert_within_days > 0)
    if c.cert_requirement != "required_within":
        assert c.cert_within_days is None
    assert c.min_education is None or c.min_education in EDUCATION_LEVELS
    assert list(c.credentials) == sorted(set(c.credentials))
    assert set(c.credentials) <= CODES
    assert isinstance(c.lived_experience_required, bool)
    assert isinstance(c.drivers_license_required, bool)


@pytest.mark.parametrize(
    ("text", "title", "requirement"),
    [
        # a named peer training as a duty, a benefit or something the employer gives is no requirement
        ("Participate in ongoing peer specialist training as required.", None, "none"),
        ("Provide peer support training to staff and volunteers.", None, "none"),
        ("Peer Recovery Specialist training will be provided by the agency.", None, "none"),
        # ... and does not hide the credential a title names
        ("Benefits:\n- Paid Recovery Coach Academy training\n", "Certified Peer Recovery Specialist (CPRS)",
         "required"),
        # a course that must be completed is one
        ("Must attend and complete peer specialist training within 90 days of hire.", None,
         "required_within"),
        ("Minimum Requirements:\n- 46-hour Recovery Coach Training\n", None, "required"),
        # screening questions about other things ask for no peer credential
        ("Are you currently certified in CPR?", None, "none"),
        ("Do you have experience working with peers?", None, "none"),
    ],
)
def test_named_peer_trainings_and_questions(text: str, title: str | None, requirement: str) -> None:
    assert extract_certification(text, title=title).cert_requirement == requirement
