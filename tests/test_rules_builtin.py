"""Every built-in rule, through the public CLI: one record flagged, one not."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from conftest import MINIMAL_DOCUMENT, check_json, flag_keys

pytestmark = pytest.mark.usefixtures("rules_in_process")  # what the rules flag, not the child

Doc = dict[str, Any]
CHANNEL = "instagram/@test"


def channel(**changes: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        doc["channels"][0].update(changes)

    return change


def department(name: str, **changes: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        next(d for d in doc["departments"] if d["name"] == name).update(changes)

    return change


def consultant(**changes: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        doc["consultants"][0].update(changes)

    return change


def policy(**changes: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        doc["policies"][0].update(changes)

    return change


def person(email: str, **changes: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        next(p for p in doc["people"] if p["email"] == email).update(changes)

    return change


def organization(**changes: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        doc["organization"].update(changes)

    return change


def lookalike(**fields: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        doc["lookalikes"].append(
            {"platform": "instagram", "handle": "@test_official", "url": None,
             "found_on": "2026-10-01", "takedown": "open", "notes": "", **fields}
        )  # fmt: skip

    return change


def both(*changes: Callable[[Doc], None]) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        for each in changes:
            each(doc)

    return change


ANNA, BRUNO, EXT = "anna@test.example", "bruno@test.example", "ext@agency.example"
FAKE = "instagram/@test_official"
PLANNED = channel(status="planned")
RETIRED = channel(status="retired")
DORMANT = channel(status="dormant")
AGENCY = consultant(knowledge_transfer=False, deliverables=[])

# rule, subject id, change that makes it fire, change that is close but must not fire
CASES = [
    ("R101", CHANNEL, channel(owner=None), both(RETIRED, channel(owner=None))),
    (
        "R102",
        CHANNEL,
        channel(owner="ext@agency.example"),
        channel(backup_owner="ext@agency.example"),
    ),
    (
        "R103",
        CHANNEL,
        channel(consultants=[{"consultant": "Trainer", "role": "full_management"}]),
        channel(consultants=[{"consultant": "Trainer", "role": "content"}]),
    ),
    (
        "R104",
        CHANNEL,
        channel(credentials_holder="consultant"),
        both(RETIRED, channel(credentials_holder="unknown")),
    ),
    (
        "R104",
        CHANNEL,
        channel(credentials_holder="unknown"),
        channel(credentials_holder="in_house"),
    ),
    # R105: the owner has left (left_on on or before as_of, 2026-11-26)
    ("R105", CHANNEL, person(ANNA, left_on="2026-11-26"), person(ANNA, left_on="2026-11-27")),
    (
        "R105",
        CHANNEL,
        person(ANNA, left_on="2026-11-25"),
        both(RETIRED, person(ANNA, left_on="2026-11-25")),
    ),
    # R106: the backup owner or an admin has left, externals included
    ("R106", CHANNEL, person(BRUNO, left_on="2026-11-26"), person(BRUNO, left_on="2026-11-27")),
    (
        "R106",
        CHANNEL,
        both(channel(backup_owner=BRUNO, admins=[]), person(BRUNO, left_on="2026-11-25")),
        person(ANNA, left_on="2026-11-25"),  # the owner is R105's, not R106's
    ),
    (
        "R106",
        CHANNEL,
        both(channel(admins=[BRUNO, EXT]), person(EXT, left_on="2026-11-01")),
        both(channel(admins=[BRUNO, EXT]), person(EXT, left_on="2026-12-01")),
    ),
    # R107: fewer than 2 distinct in-house people among owner, backup owner and admins
    ("R107", CHANNEL, channel(admins=[]), channel(admins=[], backup_owner=BRUNO)),
    ("R107", CHANNEL, channel(admins=[], backup_owner=ANNA), channel(backup_owner=ANNA)),
    ("R107", CHANNEL, channel(admins=[EXT]), channel(admins=[EXT, BRUNO])),
    ("R107", CHANNEL, person(BRUNO, left_on="2026-11-26"), person(BRUNO, left_on="2026-11-27")),
    ("R107", CHANNEL, person(BRUNO, employment="external"), both(RETIRED, channel(admins=[]))),
    # R108: the login mailbox is unknown, or outside the organization's domains
    ("R108", CHANNEL, channel(login_email=None), both(PLANNED, channel(login_email=None))),
    (
        "R108",
        CHANNEL,
        channel(login_email="social@mail.test.example"),  # a subdomain is another domain
        channel(login_email="Social@TEST.Example"),  # domains compare case-insensitively
    ),
    (
        "R108",
        CHANNEL,
        both(DORMANT, channel(login_email="anna.private@gmail.example")),
        both(organization(email_domains=[]), channel(login_email="anna.private@gmail.example")),
    ),
    (
        "R108",
        CHANNEL,
        both(organization(email_domains=["other.example", "test.example.org"])),
        organization(email_domains=["other.example", "test.example"]),
    ),
    # R109: two-factor is not on, on an open channel
    ("R109", CHANNEL, channel(two_factor="off"), both(PLANNED, channel(two_factor="off"))),
    (
        "R109",
        CHANNEL,
        both(DORMANT, channel(two_factor="unknown")),
        both(RETIRED, channel(two_factor="unknown")),
    ),
    # R110: a lookalike open for more than 30 days
    ("R110", FAKE, lookalike(found_on="2026-10-26"), lookalike(found_on="2026-10-27")),
    (
        "R110",
        FAKE,
        lookalike(found_on="2025-01-01"),
        lookalike(found_on="2025-01-01", takedown="requested"),
    ),
    # R111: not reviewed for more than 365 days, or never
    ("R111", CHANNEL, channel(reviewed_on="2025-11-25"), channel(reviewed_on="2025-11-26")),
    ("R111", CHANNEL, channel(reviewed_on=None), both(RETIRED, channel(reviewed_on=None))),
    # R112: the owner leaves after as_of and at most 30 days after it
    ("R112", CHANNEL, person(ANNA, left_on="2026-12-26"), person(ANNA, left_on="2026-12-27")),
    ("R112", CHANNEL, person(ANNA, left_on="2026-11-27"), person(ANNA, left_on="2026-11-26")),
    (
        "R201",
        "Customer Care",
        department("Customer Care", social_access="blocked"),
        department("Customer Care", social_access="restricted"),
    ),
    ("R301", "Trainer", consultant(knowledge_transfer=False), both(AGENCY, RETIRED)),
    ("R302", "Trainer", consultant(deliverables=[]), both(AGENCY, channel(consultants=[]))),
    (
        "R401",
        CHANNEL,
        channel(reporting_department="Customer Care"),
        channel(linked_departments=["Customer Care", "Marketing"]),
    ),
    (
        "R401",
        CHANNEL,
        channel(reporting_department=None),
        both(RETIRED, channel(reporting_department=None)),
    ),
    (
        "R402",
        CHANNEL,
        channel(linked_departments=[]),
        channel(reporting_department=None, linked_departments=["Marketing"]),
    ),
    (
        "R402",
        CHANNEL,
        channel(linked_departments=["Marketing"]),
        channel(linked_departments=["Marketing", "Customer Care"]),
    ),
    (
        "R501",
        "Test Org",
        policy(status="draft"),
        policy(status="approved", legal_reviewed_on="2026-01-01"),
    ),
    (
        "R502",
        "2026.1",
        policy(legal_reviewed_on=None),
        both(policy(legal_reviewed_on=None, status="in_review"), channel(policy=None), RETIRED),
    ),
    ("R503", CHANNEL, channel(policy=None), both(DORMANT, channel(policy="2026.1"))),
    ("R503", CHANNEL, policy(status="retired"), both(RETIRED, policy(status="retired"))),
    ("R504", "2026.1", policy(next_review_on="2026-11-25"), policy(next_review_on="2026-11-26")),
    ("R601", CHANNEL, channel(weekly_hours=0), both(DORMANT, channel(weekly_hours=0))),
    ("R601", CHANNEL, channel(weekly_hours=None), channel(weekly_hours=0.5)),
    ("R602", CHANNEL, channel(last_post_on="2026-08-27"), channel(last_post_on="2026-08-28")),
    ("R602", CHANNEL, channel(last_post_on=None), both(DORMANT, channel(last_post_on=None))),
    (
        "R701",
        CHANNEL,
        channel(goals=["sales_roi", "awareness"]),
        channel(goals=["sales_roi", "community"]),
    ),
]


def build(make_db: Callable[[Doc], Any], change: Callable[[Doc], None]) -> Any:
    doc = copy.deepcopy(MINIMAL_DOCUMENT)
    change(doc)
    return make_db(doc)


def test_the_minimal_document_raises_no_flag(make_db) -> None:
    status, export = check_json(make_db(copy.deepcopy(MINIMAL_DOCUMENT)))
    assert status == 0
    assert export["flags"] == []
    assert export["summary"]["broken_rules"] == []


@pytest.mark.parametrize(
    ("rule", "subject", "fires", "quiet"),
    CASES,
    ids=[f"{case[0]}-{n}" for n, case in enumerate(CASES)],
)
def test_builtin_rule_flags_one_record_and_not_the_other(
    make_db, rule: str, subject: str, fires: Callable, quiet: Callable
) -> None:
    _, flagged = check_json(build(make_db, fires))
    assert (rule, subject) in flag_keys(flagged)
    flag = next(f for f in flagged["flags"] if f["rule"] == rule)
    assert flag["message"] and flag["title"]

    _, clean = check_json(build(make_db, quiet))
    assert rule not in {key[0] for key in flag_keys(clean)}


def test_every_builtin_rule_has_a_case() -> None:
    from inventory.builtin_rules import BUILTIN_RULES

    assert {case[0] for case in CASES} == {rule["code"] for rule in BUILTIN_RULES}
    assert len(BUILTIN_RULES) == 24


def test_messages_name_the_problem(make_db) -> None:
    _, export = check_json(build(make_db, channel(owner="ext@agency.example")))
    messages = {flag["rule"]: flag["message"] for flag in export["flags"]}
    assert messages["R102"] == "Owner ext@agency.example is external"
    _, export = check_json(build(make_db, channel(last_post_on="2026-06-02")))
    assert export["flags"][0]["message"] == "No post for 177 days (last on 2026-06-02)"


# The sample's expected flags, from sample_db/README.md.
SAMPLE_COUNTS = {
    "R101": 1, "R102": 1, "R103": 2, "R104": 2, "R105": 1, "R106": 1, "R107": 5, "R108": 4,
    "R109": 4, "R110": 1, "R111": 4, "R112": 2, "R201": 1, "R301": 2, "R302": 1,
    "R401": 3, "R402": 2, "R502": 1, "R503": 2, "R504": 1, "R601": 2, "R602": 2, "R701": 2,
}  # fmt: skip


def test_the_sample_fires_every_rule_but_r501(sample_db) -> None:
    status, export = check_json(sample_db)
    assert status == 1
    assert Counter(flag["rule"] for flag in export["flags"]) == SAMPLE_COUNTS
    assert export["summary"]["flags"] == 47
    assert export["summary"]["by_severity"] == {"error": 15, "warning": 26, "info": 6}
    assert export["summary"]["checked"] == {
        "channels": 53,
        "departments": 10,
        "consultants": 4,
        "policies": 3,
        "lookalikes": 2,
    }
    flagged = {f["subject"]["id"] for f in export["flags"] if f["subject"]["type"] == "channel"}
    assert len(flagged) == 17  # 36 of the 53 channels are healthy
    retired = {"facebook/AcmeOutletNapoli", "youtube/@AcmeMilano", "snapchat/acmekids"}
    assert not retired & {flag["subject"]["id"] for flag in export["flags"]}
    assert "Viral Ninjas Ltd" not in {flag["subject"]["id"] for flag in export["flags"]}


def test_access_messages_name_who_and_when(make_db) -> None:
    leavers = both(
        channel(backup_owner=BRUNO, admins=[EXT]),
        person(BRUNO, left_on="2026-11-01"),
        person(EXT, left_on="2026-11-26"),
    )
    _, export = check_json(build(make_db, leavers))
    messages = {flag["rule"]: flag["message"] for flag in export["flags"]}
    assert messages["R106"] == (
        "Still has access after leaving: backup owner bruno@test.example (left on "
        "2026-11-01), admin ext@agency.example (left on 2026-11-26)"
    )
    assert messages["R107"] == "Only 1 in-house person can get in (at least 2 wanted)"
    _, export = check_json(build(make_db, person(ANNA, left_on="2026-12-26")))
    assert export["flags"][0]["message"] == (
        "Owner anna@test.example leaves on 2026-12-26 (in 30 days): plan the hand-over"
    )
    _, export = check_json(build(make_db, channel(login_email="x@Gmail.example")))
    assert export["flags"][0]["message"] == (
        "Password resets go to x@Gmail.example, outside the company's domains (test.example)"
    )


def test_access_rule_parameters_can_be_changed(make_db) -> None:
    from conftest import run_cli

    db = build(make_db, channel(admins=[], backup_owner=BRUNO))
    assert run_cli("rules", db, "--set-param", "R107", "min_in_house_people=3").exit_code == 0
    assert ("R107", CHANNEL) in flag_keys(check_json(db)[1])
    db = build(make_db, lookalike(found_on="2026-11-16"))
    assert run_cli("rules", db, "--set-param", "R110", "max_days_open=7").exit_code == 0
    assert ("R110", FAKE) in flag_keys(check_json(db)[1])
