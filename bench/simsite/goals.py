"""The goals of issues 12 (coverage) and 13 (revisits), checked on a scenario's scores.

``python -m bench.simsite --scenario month --check`` exits 1 when one is missed, so a nightly job
(bench/README.md, "Simulated site") can tell a regression from a good night without reading
the table. Each verdict names the goal, the measured figure and whether it holds.

The steady-state 304 goal ("≥ 90 % of listing requests") is reported, not judged: at RFI 华语's
publication rate it is out of reach of any crawler that reads every feed and the news sitemap each
run (bench/README.md has the arithmetic). What is judged is the property it stands for: a
request for a listing unchanged since its last full answer is answered 304. Not quite every one:
a run reads a listing in full on purpose after it lost an article of it, after a problem with it,
or after reading a monthly map only in part (a catch-up): one such answer in the month's 25,510.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bench.simsite.score import in_minutes, percent


@dataclass(frozen=True)
class Verdict:
    goal: str
    measured: str
    holds: bool | None  # None: reported only


def check(scores: dict[str, Any], *, interval: timedelta, confirm_after: timedelta) -> list[Verdict]:
    """Every goal a scenario's scores can show (a scenario without outages has no catch-up to judge)."""
    minutes = interval.total_seconds() / 60
    coverage, delay = scores["coverage"], scores["delay"]["outside_outages"]
    verdicts = [
        Verdict("coverage ≥ 99.9 %", f"{coverage['covered']}/{coverage['expected']}", _share(coverage) >= 0.999),
        Verdict("0 duplicates", str(scores["duplicates"]["count"]), scores["duplicates"]["count"] == 0),
        Verdict(
            "every `published` right",
            f"{scores['published_right']['wrong']} wrong of {scores['published_right']['checked']}",
            scores["published_right"]["wrong"] == 0,
        ),
        Verdict(
            "capture delay outside outages: median ≤ 1 interval, p99 ≤ 2",
            f"median {in_minutes(delay['median'])}, p99 {in_minutes(delay['p99'])} (interval {minutes:g} min)",
            delay["n"] > 0
            and delay["median"] <= interval.total_seconds()
            and delay["p99"] <= 2 * interval.total_seconds(),
        ),
    ]
    for outage in scores["catch_up"]:
        verdicts.append(
            Verdict(
                f"outage {outage['start']}–{outage['end']}: all caught by the first run after",
                f"{outage['caught_by_first_run']}/{outage['articles']}",
                outage["caught_by_first_run"] == outage["articles"],
            )
        )
    requests = scores["requests"]
    if requests is not None:
        per_article = requests["first_fetch_requests_per_new_article"]
        verdicts += [
            Verdict(
                "article-page requests per new article ≤ 1.02",
                f"{per_article:.3f}" if per_article is not None else "n/a",
                per_article is not None and per_article <= 1.02,
            ),
            Verdict(
                "listings unchanged since their last full answer: ≥ 99.9 % answered 304",
                percent(requests["unchanged_listing_304_share"]),
                requests["unchanged_listing_304_share"] is None or requests["unchanged_listing_304_share"] >= 0.999,
            ),
            Verdict(
                "listing requests answered 304 (≥ 90 % in steady state)",
                percent(requests["listing_304_share"]),
                None,
            ),
        ]
    revisits, observable = scores["revisits"], scores["observable"]
    limit = confirm_after + interval
    period_end = datetime.fromisoformat(scores["period"]["end"])
    # Not judged: a removal of an article the dataset never held (published and removed while no
    # run could fetch it), and one whose first run after it came too late in the period to be confirmed.
    untombstoned = observable["removals_untombstoned"]
    never_stored = [removal for removal in untombstoned if not removal["stored"]]
    unconfirmable = [
        removal
        for removal in untombstoned
        if removal["stored"]
        and (removal["first_run"] is None or datetime.fromisoformat(removal["first_run"]) + limit > period_end)
    ]
    missed = len(untombstoned) - len(never_stored) - len(unconfirmable)
    after_first_run = observable["removal_delay_after_first_run"]["max"]
    verdicts += [
        Verdict(
            "≥ 99 % of observable edits as versions within one interval of their signal",
            f"{observable['edits_seen_within_one_interval_of_signal']}/{observable['edits_observable']}",
            observable["share_within_one_interval"] is None or observable["share_within_one_interval"] >= 0.99,
        ),
        Verdict(
            "0 versions minted without an edit",
            str(revisits["versions_without_edit"]),
            revisits["versions_without_edit"] == 0,
        ),
        Verdict(
            "0 tombstones for articles never removed",
            str(revisits["false_tombstones"]),
            revisits["false_tombstones"] == 0,
        ),
        Verdict(
            f"every removal tombstoned within CONFIRM_AFTER + one run ({limit.total_seconds() / 60:g} min)",
            f"{revisits['removals_tombstoned']}/{revisits['removals']} ({len(never_stored)} never stored, "
            f"{len(unconfirmable)} too late in the period to confirm), "
            f"at most {in_minutes(after_first_run)} after the first run that could see it",
            missed == 0 and (after_first_run is None or after_first_run <= limit.total_seconds()),
        ),
    ]
    manifests = scores["manifests"]
    verdicts.append(
        Verdict(
            "every manifest adds up and matches its dataset file",
            f"{manifests['count']} manifests, {len(manifests['not_adding_up'])} not adding up, "
            f"{len(manifests['file_mismatch'])} file mismatches",
            manifests["count"] > 0 and not manifests["not_adding_up"] and not manifests["file_mismatch"],
        )
    )
    return verdicts


def report(verdicts: list[Verdict]) -> str:
    marks = {True: "met   ", False: "MISSED", None: "info  "}
    return "\n".join(f"{marks[v.holds]}  {v.goal}: {v.measured}" for v in verdicts)


def _share(coverage: dict[str, Any]) -> float:
    return coverage["share"] if coverage["share"] is not None else 1.0
