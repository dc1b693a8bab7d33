"""A made-up inventory of any size, in the `social-inventory/2` format, for benchmarks.

`generate_document(n_channels, seed)` is deterministic for a given seed. People,
departments, consultants and policies grow in proportion to the channels (about 1 person
per 4 channels, 1 department per 500, 1 consultant per 250, 1 policy version per 10,000,
with small minimums), and the values are mixed so that every built-in rule fires on a
share of the records, as in a real, imperfect inventory.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

PLATFORMS = [
    "facebook", "instagram", "linkedin", "x", "youtube", "tiktok", "threads", "pinterest",
    "snapchat", "whatsapp", "telegram", "mastodon", "bluesky", "reddit", "other",
]  # fmt: skip
FUNCTIONS = [
    "marketing", "communications", "customer_care", "sales", "hr", "legal", "it",
    "executive", "other",
]  # fmt: skip
GOALS = ["relationship", "customer_care", "awareness", "recruiting", "community", "sales_roi"]
BASE_DAY = date(2026, 11, 26)


def _pick(rng: random.Random, weighted: dict[Any, int]) -> Any:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _day(rng: random.Random, earliest: int, latest: int) -> str:
    return (BASE_DAY - timedelta(days=rng.randint(earliest, latest))).isoformat()


def generate_document(n_channels: int, seed: int = 0, unhealthy: float = 0.0) -> dict[str, Any]:
    """An inventory document with `n_channels` channels and proportional other records.

    Most records are healthy; each rule fires on a few percent of its subjects (about
    0.4 flags per channel, like the shipped sample). `unhealthy` (0 to 1) is the share of
    channels given one to three more defects on top (0.3: a messy first audit, about 0.8
    flags per channel); the other records and values stay those of `unhealthy=0`.
    """
    rng = random.Random(seed)
    n_departments = max(6, n_channels // 500)
    n_people = max(6, n_channels // 4)
    n_consultants = max(3, n_channels // 250)
    n_policies = max(3, n_channels // 10_000)

    departments = [
        {
            "name": f"Department {i:04d}",
            "function": "marketing" if i % 3 == 0 else FUNCTIONS[1 + i % (len(FUNCTIONS) - 1)],
            "social_access": _pick(rng, {"open": 85, "restricted": 10, "blocked": 5}),
        }
        for i in range(n_departments)
    ]
    marketing = [d["name"] for d in departments if d["function"] == "marketing"]
    others = [d["name"] for d in departments if d["function"] != "marketing"]
    people = [
        {
            "email": f"person{i:06d}@{'agency' if i % 50 == 0 else 'corp'}.example",
            "name": f"Person {i:06d}",
            "department": rng.choice(departments)["name"] if i % 10 else None,
            "employment": "external" if i % 50 == 0 else "employee",
        }
        for i in range(n_people)
    ]
    employees = [p["email"] for p in people if p["employment"] == "employee"]
    externals = [p["email"] for p in people if p["employment"] == "external"]
    consultants = [
        {
            "name": f"Consultant {i:04d}",
            "kind": rng.choice(["agency", "freelancer"]),
            "knowledge_transfer": rng.random() < 0.8,
            "deliverables": [f"Deliverable {j}" for j in range(rng.choice([0, 1, 2, 2, 3]))],
            "contract_end_on": _day(rng, -400, 300) if rng.random() < 0.7 else None,
        }
        for i in range(n_consultants)
    ]
    policies = []
    for i in range(n_policies):
        approved = i >= n_policies - max(2, n_policies // 2)
        policies.append(
            {
                "version": f"{2020 + i // 4}.{i % 4 + 1}",
                "title": "Social media policy",
                "status": "approved" if approved else rng.choice(["draft", "in_review"]),
                "legal_reviewed_on": _day(rng, 30, 900) if i % 5 else None,
                "next_review_on": _day(rng, -365, -1) if i % 7 else _day(rng, 1, 30),
            }
        )
    approved = [p["version"] for p in policies if p["status"] == "approved"]
    not_approved = [p["version"] for p in policies if p["status"] != "approved"]

    channels = []
    for i in range(n_channels):
        platform = PLATFORMS[i % len(PLATFORMS)]
        status = _pick(rng, {"active": 83, "planned": 8, "dormant": 4, "retired": 5})
        owner_roll = rng.random()
        reporting_roll = rng.random()
        reporting = (
            rng.choice(marketing)
            if reporting_roll < 0.96
            else rng.choice(others)
            if reporting_roll < 0.99
            else None
        )
        linked = [] if rng.random() < 0.03 else rng.sample(others, k=rng.choice([1, 1, 2, 3]))
        hired = rng.sample(consultants, k=1) if rng.random() < 0.3 else []
        policy_roll = rng.random()
        post_roll = rng.random()
        goals = ["relationship"] if rng.random() < 0.9 else ["awareness"]
        goals += rng.sample(["customer_care", "recruiting", "community"], k=rng.randint(0, 2))
        if rng.random() < 0.05:
            goals = ["sales_roi"] + ([] if rng.random() < 0.7 else ["awareness"])
        channels.append(
            {
                "platform": platform,
                "handle": f"@acme_{i:07d}",
                "name": f"Acme channel {i}",
                "url": f"https://social.example/{platform}/acme_{i:07d}",
                "status": status,
                "owner": None
                if owner_roll < 0.02
                else rng.choice(externals)
                if owner_roll < 0.04
                else rng.choice(employees),
                "backup_owner": rng.choice(employees) if rng.random() < 0.5 else None,
                "reporting_department": reporting,
                "linked_departments": linked,
                "consultants": [
                    {
                        "consultant": c["name"],
                        "role": _pick(rng, {"advisory": 50, "content": 44, "full_management": 6}),
                    }
                    for c in hired
                ],
                "credentials_holder": _pick(rng, {"in_house": 95, "consultant": 3, "unknown": 2}),
                "policy": rng.choice(approved)
                if policy_roll < 0.96
                else rng.choice(not_approved)
                if policy_roll < 0.98 and not_approved
                else None,
                "weekly_hours": rng.choice([None, 0])
                if rng.random() < 0.04
                else rng.choice([1, 2, 4, 8, 12]),
                "last_post_on": _day(rng, 0, 80)
                if post_roll < 0.95
                else _day(rng, 91, 400)
                if post_roll < 0.99
                else None,
                "goals": goals,
                "notes": "",
            }
        )
    lookalikes = _add_access(random.Random(seed + 1), people, channels, employees)
    if unhealthy:
        _add_defects(random.Random(seed + 2), channels, externals, unhealthy)
    return {
        "format": "social-inventory/2",
        "organization": {"name": "Acme Benchmark S.p.A.", "email_domains": ["corp.example"]},
        "departments": departments,
        "people": people,
        "consultants": consultants,
        "policies": policies,
        "channels": channels,
        "lookalikes": lookalikes,
    }


def _add_access(
    rng: random.Random, people: list[dict], channels: list[dict], employees: list[str]
) -> list[dict[str, Any]]:
    """The `/2` fields, from their own random stream so the `/1` fields stay as they were:
    a few leavers and notice periods, one admin on most channels, the login mostly on a
    shared company mailbox, two-factor mostly on, reviews mostly within the year."""
    for person in people:
        roll = rng.random()
        person["left_on"] = (
            _day(rng, 1, 300) if roll < 0.02 else _day(rng, -60, -1) if roll < 0.03 else None
        )
    for channel in channels:
        taken = {channel["owner"], channel["backup_owner"]}
        admin = rng.choice(employees)
        channel["admins"] = [admin] if admin not in taken and rng.random() < 0.7 else []
        roll = rng.random()
        channel["login_email"] = (
            "social@corp.example"
            if roll < 0.95
            else "someone@mail.example"
            if roll < 0.98
            else None
        )
        channel["two_factor"] = _pick(rng, {"on": 95, "off": 3, "unknown": 2})
        channel["reviewed_on"] = _day(rng, 0, 300) if rng.random() < 0.96 else None
    return [
        {
            "platform": PLATFORMS[i % len(PLATFORMS)],
            "handle": f"@acme_fake_{i:06d}",
            "url": None,
            "found_on": _day(rng, 0, 120),
            "takedown": _pick(rng, {"open": 30, "requested": 30, "removed": 30, "tolerated": 10}),
            "notes": "",
        }
        for i in range(max(2, len(channels) // 100))
    ]


DEFECTS: dict[str, Any] = {
    "owner": None,
    "two_factor": "off",
    "reviewed_on": None,
    "login_email": "someone@mail.example",
    "last_post_on": (BASE_DAY - timedelta(days=200)).isoformat(),
    "weekly_hours": 0,
    "policy": None,
    "reporting_department": None,
    "credentials_holder": "unknown",
}


def _add_defects(
    rng: random.Random, channels: list[dict], externals: list[str], share: float
) -> None:
    """One to three defects (from `DEFECTS`, or an external owner) on `share` of the
    channels, from their own random stream."""
    choices = [*DEFECTS, "external_owner"]
    for channel in channels:
        if rng.random() >= share:
            continue
        for defect in rng.sample(choices, k=rng.choice([1, 1, 2, 3])):
            if defect == "external_owner":
                channel["owner"] = rng.choice(externals)
                channel["admins"] = [a for a in channel["admins"] if a != channel["owner"]]
            else:
                channel[defect] = DEFECTS[defect]
