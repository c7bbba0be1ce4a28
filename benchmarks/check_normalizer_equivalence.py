"""Check that two versions of ``normalize/`` give identical outputs (for performance work).

Run: ``.venv/bin/python benchmarks/check_normalizer_equivalence.py --reference /tmp/normalize_orig``
where ``/tmp/normalize_orig/normalize`` is a copy of the package before the change. Each version
runs in its own process (``--dump``) on the same inputs:

- the 20,000 postings of ``bench_normalizer.py`` through ``normalize_record``;
- every development-set row (titles, certification sentences, pay texts, places, descriptions);
- perturbed copies of the descriptions and certification sentences (HTML, CRLF, tabs and double
  spaces, curly quotes and dashes, upper case, cuts at many points, shuffled sentences, other
  states and titles) through ``extract_certification``, ``normalize_pay``, ``classify_title``
  and ``has_lived_experience_language``, so that every field (also ``Pay.raw``) is compared,
  not only the record's.

The version under test runs every input twice, in opposite orders, so results served from a
cache must equal the first computation. Exits 1 and prints the first differences otherwise.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _load(name: str) -> list[dict[str, Any]]:
    text = (HERE / "devset" / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _variants(text: str, rng: random.Random) -> list[str]:
    """Perturbed copies of ``text`` that exercise the cleaning and scanning paths."""
    out = [
        text,
        text.upper(),
        text.replace("\n", "\r\n"),
        text.replace("\n", "<br>").replace(". ", ".</p><p>"),
        text.replace(" ", "  ", 40).replace("\n", "\t\n", 10),
        text.replace("'", "\u2019").replace(" - ", " \u2013 ").replace(" ", "\u00a0", 15),
        text.replace("\n", "\\n"),
        text.replace("&", "&amp;") + " &lt;b&gt; \u2014 \u2022 done",
        "\n".join(line.strip() + ":" if len(line) < 40 else line for line in text.split("\n")),
        text.replace(".", ";", 20),
    ]
    # line breaks inside phrases and next to triggers ("self-\nidentify", "driver's\nlicense")
    out.append(
        text.replace("self-", "self-\n").replace("self ", "self\n").replace("must be", "must\nbe")
        .replace("driver's ", "driver's\n").replace("years of", "\nyears of")
        .replace("(", "\n(").replace("licen", "\nlicen")
    )
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    for _ in range(3):
        broken = list(text)
        for i in rng.sample(spaces, min(len(spaces), 25)):
            broken[i] = "\n"
        out.append("".join(broken))
    out.append("\u0130 " + text)  # lower() lengthens the text: offsets of text and low differ
    for _ in range(6):
        cut = rng.randint(0, len(text))
        out.append(text[:cut])
        out.append(text[cut:])
    sentences = text.replace("\n", ". ").split(". ")
    rng.shuffle(sentences)
    out.append(". ".join(sentences))
    out.append("\n".join(sentences))
    return out


def _inputs() -> dict[str, list[Any]]:
    sys.path.insert(0, str(HERE))
    from bench_normalizer import sample_postings

    rng = random.Random(11)
    titles = _load("titles.jsonl")
    certs = _load("certification.jsonl")
    pays = _load("pay.jsonl")
    places = _load("locations.jsonl")
    descs = _load("descriptions.jsonl")
    records: list[dict[str, Any]] = list(sample_postings(20_000))
    records += [{"title": r["title"], "description": r.get("description")} for r in titles]
    records += [{"description": r["text"], "state_hint": r.get("state")} for r in certs]
    records += [{"pay_text": r.get("text"), "title": "Peer Support Specialist", **r.get("input", {})}
                for r in pays]
    records += [{"location": r["text"]} for r in places]
    records += [dict(r) for r in descs]
    records += [{"title": None, "description": None}, {}, {"title": "", "description": ""}]

    texts: list[str] = []
    for row in descs:
        texts += _variants(row["description"], rng)
    for row in certs:
        texts += _variants(row["text"], rng)[:15]
    texts += [  # line breaks right before lived-experience triggers and around "licen"
        "Peer Support Specialist\nApplicants must self-\nidentify as a person in recovery.",
        "Qualifications:\nCandidates must\nbe in recovery for 2 years.\nTwo\nyears of recovery.",
        "Requirements:\nValid driver's\nlicense required. CPRS\ncertification within 6 months.",
        "\u0130stanbul office. Certified Peer Specialist required. Lived experience required.",
        "Preferred:\nWillingness to\ndisclose own recovery. CRPA preferred; CARC required.",
        # description negatives at the very start and end (the text is padded with spaces)
        "WIC peer counselor\n\nLived experience with breastfeeding preferred.",
        "Lived experience of recovery required.\n\nCall us about tutor",
        "Equal opportunity employer: you may self-\nidentify as a person in recovery.\n\n"
        "Voluntary self-\n\nidentify as having lived experience. Must\nbe in recovery.",
    ]
    # fragments glued by every kind of break: sentences, lines and paragraphs cut anywhere
    fragments = [
        "Must", "be in recovery", "self-", "identify as a person in recovery", "CPRS",
        "Certified Peer Specialist", "certification", "required", "preferred", "driver's",
        "license", "valid driver's license required", "within 6 months of hire",
        "Qualifications:", "PREFERRED QUALIFICATIONS", "Minimum Requirements:",
        "high school diploma or GED", "bachelor's degree preferred", "lived experience",
        "Equal Opportunity Employer", "voluntary self-identification", "disclose",
        "willing to obtain", "CRPA", "CPS", "peer", "recovery coach", "years of recovery",
        "motor vehicle", "licensure", "MCBAP", "(CARC)", "Ohio", "North Carolina", "NA",
    ]
    glue = [" ", ". ", "; ", "\n", "\n\n", "\n\n\n", ": ", " - ", ", "]
    for _ in range(400):
        parts = [rng.choice(fragments) for _ in range(rng.randint(3, 40))]
        texts.append("".join(part + rng.choice(glue) for part in parts))
    bodies = [r["description"] for r in descs]
    for _ in range(300):  # fresh mixtures: sentences that no cache has seen
        parts = [s for b in rng.sample(bodies, 3) for s in b.split(". ")]
        texts.append(". ".join(rng.sample(parts, min(len(parts), 25))))
    cert_titles = [None, "", "Peer Support Specialist", "Registered Nurse", "CPRS",
                   "Certified Recovery Peer Advocate (CRPA)", "Recovery Specialist"]
    states = [None, "OH", "NC", "MI", "MA", "ohio", ""]
    cert_calls = [
        (text, rng.choice(states), rng.choice(cert_titles)) for text in texts for _ in range(2)
    ]
    cert_calls += [(r["text"], r.get("state"), None) for r in certs]
    pay_calls: list[tuple[str | None, str | None]] = [(None, text) for text in texts]
    pay_texts = [r["text"] for r in pays if r.get("text")]
    pay_calls += [(p, None) for p in pay_texts]
    pay_calls += [(p, t) for p in pay_texts for t in texts[:: max(1, len(texts) // 40)]]
    title_calls = [(r["title"], t) for r in titles for t in texts[:: max(1, len(texts) // 15)]]
    # ambiguous titles read the description: every text once with each
    title_calls += [
        (title, t) for title in ("Recovery Specialist", "Peer Mentor", "Peer Counselor")
        for t in texts
    ]
    return {
        "records": records, "cert": cert_calls, "pay": pay_calls, "title": title_calls,
        "lived": texts,
    }


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _run_all(inputs: dict[str, list[Any]], order: int) -> dict[str, list[Any]]:
    from normalize.certification import extract_certification
    from normalize.pay import normalize_pay
    from normalize.record import normalize_record
    from normalize.taxonomy import load_taxonomy
    from normalize.titles import classify_title, has_lived_experience_language

    tax = load_taxonomy()
    out: dict[str, list[Any]] = {}

    def each(items: list[Any], fn: Any) -> list[Any]:
        idx = list(range(len(items)))[::order]
        res: dict[int, Any] = {i: _plain(fn(items[i])) for i in idx}
        return [res[i] for i in range(len(items))]

    out["records"] = each(inputs["records"], lambda r: normalize_record(r, taxonomy=tax))
    out["cert"] = each(
        inputs["cert"], lambda c: extract_certification(c[0], state=c[1], title=c[2])
    )
    out["pay"] = each(
        inputs["pay"], lambda c: normalize_pay(pay_text=c[0], description=c[1])
    )
    out["title"] = each(inputs["title"], lambda c: classify_title(c[0], c[1], taxonomy=tax))
    out["lived"] = each(inputs["lived"], has_lived_experience_language)
    return out


def _dump(package_root: str, target: str) -> None:
    sys.path.insert(0, package_root)
    import normalize

    print(f"normalize imported from {Path(normalize.__file__).parent}", file=sys.stderr)
    inputs = _inputs()
    first = _run_all(inputs, 1)
    second = _run_all(inputs, -1)  # warm caches, opposite order
    with open(target, "wb") as fh:
        pickle.dump({"first": first, "second": second}, fh)


def _compare(a: dict[str, list[Any]], b: dict[str, list[Any]], label: str) -> int:
    bad = 0
    for key in a:
        for i, (x, y) in enumerate(zip(a[key], b[key], strict=True)):
            if x != y or repr(x) != repr(y):  # repr also tells 1 from 1.0 and True from 1
                bad += 1
                if bad <= 10:
                    print(f"DIFF {label} {key}[{i}]:\n  reference {x!r}\n  candidate {y!r}")
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", help="folder holding the original normalize/ package")
    parser.add_argument("--candidate", default=str(ROOT), help="folder holding normalize/")
    parser.add_argument("--dump", nargs=2, metavar=("PACKAGE_ROOT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        _dump(*args.dump)
        return
    if not args.reference:
        parser.error("--reference is required")
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for name, root in (("reference", args.reference), ("candidate", args.candidate)):
            target = f"{tmp}/{name}.pickle"
            subprocess.run(
                [sys.executable, __file__, "--dump", root, target], check=True, cwd=tmp
            )
            with open(target, "rb") as fh:
                results[name] = pickle.load(fh)
    ref, cand = results["reference"], results["candidate"]
    counts = {k: len(v) for k, v in ref["first"].items()}
    bad = _compare(ref["first"], cand["first"], "cold")
    bad += _compare(ref["first"], cand["second"], "warm")
    bad += _compare(ref["first"], ref["second"], "reference-self")
    print(f"compared {counts} (each twice for the candidate): {bad} differences")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
