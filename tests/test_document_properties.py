"""Property: any valid document dumps back to itself, whatever its text holds."""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.models import (
    ChannelStatus,
    ConsultantRole,
    CredentialsHolder,
    Employment,
    Function,
    Goal,
    Platform,
    PolicyStatus,
    SocialAccess,
    Takedown,
    TwoFactor,
    clean_text,
)
from tests.conftest import run_cli

HOSTILE = [
    "[/]",
    "[@click=app.quit]",
    "\x1b[2J",
    "🎉📣",
    "שלום עולם",
    "مرحبا",
    'say "hi"',
    "a\nb",
    "\\",
    "it's",
]

# Canonical text: strings are trimmed (white space, control and invisible characters at
# either end) on import, so generated ones already are.
text = (
    st.one_of(
        st.sampled_from(HOSTILE),
        st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=12),
    )
    .map(clean_text)
    .filter(bool)
)
maybe_text = st.one_of(st.just(""), text)
domains = st.text(string.ascii_lowercase + string.digits + ".-", min_size=1, max_size=10)
dates = st.dates().map(lambda d: d.isoformat())
hours = st.one_of(
    st.none(), st.integers(0, 80), st.floats(0, 80, allow_nan=False).map(lambda x: round(x, 2))
)


def _enum(e):
    return st.sampled_from([m.value for m in e])


@st.composite
def documents(draw):
    departments = draw(st.lists(text, min_size=1, max_size=4, unique=True))
    emails = draw(
        st.lists(
            st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=6).map(
                lambda s: f"{s}@acme.example"
            ),
            max_size=4,
            unique=True,
        )
    )
    consultants = draw(st.lists(text, max_size=3, unique=True))
    policies = draw(st.lists(text, max_size=3, unique=True))
    handles = draw(st.lists(st.tuples(_enum(Platform), text), max_size=8, unique=True))
    # a lookalike never shares its key with a channel: split one set of keys in two
    split = draw(st.integers(0, len(handles)))
    handles, lookalike_handles = handles[:split], handles[split:]
    nullable = lambda values: st.one_of(st.none(), st.sampled_from(values)) if values else st.none()  # noqa: E731
    return {
        "format": "social-inventory/2",
        "organization": {
            "name": draw(text),
            "email_domains": draw(st.lists(domains, max_size=3, unique=True)),
        },
        "departments": [
            {
                "name": n,
                "function": draw(_enum(Function)),
                "social_access": draw(_enum(SocialAccess)),
            }
            for n in sorted(departments)
        ],
        "people": [
            {
                "email": e,
                "name": draw(text),
                "department": draw(nullable(departments)),
                "employment": draw(_enum(Employment)),
                "left_on": draw(st.one_of(st.none(), dates)),
            }
            for e in sorted(emails)
        ],
        "consultants": [
            {
                "name": n,
                "kind": draw(st.sampled_from(["agency", "freelancer"])),
                "knowledge_transfer": draw(st.booleans()),
                "deliverables": draw(st.lists(text, max_size=3)),
                "contract_end_on": draw(st.one_of(st.none(), dates)),
            }
            for n in sorted(consultants)
        ],
        "policies": [
            {
                "version": v,
                "title": draw(text),
                "status": draw(_enum(PolicyStatus)),
                "legal_reviewed_on": draw(st.one_of(st.none(), dates)),
                "next_review_on": draw(st.one_of(st.none(), dates)),
            }
            for v in sorted(policies)
        ],
        "channels": [
            {
                "platform": p,
                "handle": h,
                "name": draw(text),
                "url": draw(st.one_of(st.none(), st.just("https://example.com/x"))),
                "status": draw(_enum(ChannelStatus)),
                "owner": (owner := draw(nullable(emails))),
                "backup_owner": (backup := draw(nullable(emails))),
                "reporting_department": draw(nullable(departments)),
                "linked_departments": draw(st.lists(st.sampled_from(departments), unique=True)),
                "consultants": [
                    {"consultant": c, "role": draw(_enum(ConsultantRole))}
                    for c in draw(st.lists(st.sampled_from(consultants), unique=True))
                ]
                if consultants
                else [],
                "credentials_holder": draw(_enum(CredentialsHolder)),
                "policy": draw(nullable(policies)),
                "weekly_hours": draw(hours),
                "last_post_on": draw(st.one_of(st.none(), dates)),
                "goals": draw(st.lists(_enum(Goal), unique=True)),
                "notes": draw(maybe_text),
                "admins": draw(
                    st.lists(
                        st.sampled_from([e for e in emails if e not in (owner, backup)] or [""]),
                        unique=True,
                    ).map(lambda admins: [a for a in admins if a])
                ),
                "login_email": draw(st.one_of(st.none(), domains.map(lambda d: f"x@{d}"))),
                "two_factor": draw(_enum(TwoFactor)),
                "reviewed_on": draw(st.one_of(st.none(), dates)),
            }
            for p, h in sorted(handles)
        ],
        "lookalikes": [
            {
                "platform": p,
                "handle": h,
                "url": draw(st.one_of(st.none(), st.just("https://example.com/fake"))),
                "found_on": draw(dates),
                "takedown": draw(_enum(Takedown)),
                "notes": draw(maybe_text),
            }
            for p, h in sorted(lookalike_handles)
        ],
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_any_document_round_trips(document) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.json"
        source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        db = Path(folder) / "x.db"
        result = run_cli("import", db, source)
        assert result.exit_code == 0, result.output
        dumped = run_cli("dump", db)
        assert dumped.exit_code == 0
        assert json.loads(dumped.stdout) == document


EDGE_JUNK = [" ", "\t", "\n", "\x1f", "\x7f", "\u200b", "\ufeff", "\u3000", "\xa0", "\x85"]


@given(
    st.text(alphabet=st.sampled_from(EDGE_JUNK), max_size=3),
    st.text(max_size=12),
    st.text(alphabet=st.sampled_from(EDGE_JUNK), max_size=3),
)
def test_clean_text_removes_exactly_the_invisible_ends(head: str, middle: str, tail: str) -> None:
    from inventory.models import _is_edge_junk

    cleaned = clean_text(head + middle + tail)
    assert cleaned in middle
    assert not cleaned or not (_is_edge_junk(cleaned[0]) or _is_edge_junk(cleaned[-1]))
    core = middle
    while core and _is_edge_junk(core[0]):
        core = core[1:]
    while core and _is_edge_junk(core[-1]):
        core = core[:-1]
    assert cleaned == core
