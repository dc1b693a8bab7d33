"""The seven recommendations and the 16 built-in rules that check them, as plain data.

Migration `0003_builtin_rules` copies these rows into the `rules` table of every new
database; from then on they are ordinary rows the user can disable, re-grade and
re-parameterise. Conditions and messages are SQL expressions over the facts views
created by migration `0002_facts_views` (documented in docs/rules.md).
"""

from __future__ import annotations

from typing import Any

RECOMMENDATIONS: dict[int, str] = {
    1: "Let the company's own people run the channels",
    2: "Stop blocking employees from social media",
    3: "Skip the gurus, hire experts who transfer skills",
    4: "Social media belong to marketing, and touch every department",
    5: "Bring legal in and write a good social media policy",
    6: '"No time" is not a reason',
    7: "Stop agonising over ROI",
}


def _explain(
    checks: str,
    why: str,
    fix: str,
    flagged: str,
    not_flagged: str,
    parameters: str = "None.",
) -> str:
    return (
        f"What it checks\n{checks}\n\n"
        f"Why it matters\n{why}\n\n"
        f"How to fix it\n{fix}\n\n"
        f"Parameters\n{parameters}\n\n"
        f"Example flagged\n{flagged}\n\n"
        f"Example not flagged\n{not_flagged}"
    )


BUILTIN_RULES: list[dict[str, Any]] = [
    {
        "code": "R101",
        "recommendation": 1,
        "title": "Live channel has no owner",
        "severity": "error",
        "subject_type": "channel",
        "parameters": {},
        "condition": "is_live AND owner_email IS NULL",
        "message": "'No owner is accountable for this channel'",
        "explanation": _explain(
            "A live channel (status other than retired) whose `owner` is not set.",
            "Every point of contact with the outside world needs one in-house person who "
            "answers for it. A channel nobody owns drifts: nobody replies, nobody notices "
            "when the login leaks or the content goes stale.",
            "Set `owner` to the e-mail of an employee who is accountable for the channel; "
            "or retire the channel if nobody should run it.",
            'A planned channel with "owner": null.',
            'An active channel with "owner": "giulia.rossi@acme.example".',
        ),
    },
    {
        "code": "R102",
        "recommendation": 1,
        "title": "Channel owner is not an employee",
        "severity": "error",
        "subject_type": "channel",
        "parameters": {},
        "condition": "is_live AND owner_employment = 'external'",
        "message": "'Owner ' || owner_email || ' is external'",
        "explanation": _explain(
            "A live channel whose owner is a person with `employment` `external` "
            "(agency or consultant staff).",
            "Consultants may help, but the company's own people must coordinate every "
            "point of contact with the outside world. When the owner leaves with the "
            "agency, the channel, its audience and its history leave too.",
            "Make an employee the owner; keep the external person as `backup_owner` or "
            "list their agency under `consultants` with the role they really have.",
            "A channel owned by marco@buzzguru.example, an external person.",
            "A channel owned by giulia.rossi@acme.example, an employee.",
        ),
    },
    {
        "code": "R103",
        "recommendation": 1,
        "title": "Consultant fully manages a channel",
        "severity": "warning",
        "subject_type": "channel",
        "parameters": {},
        "condition": "is_live AND full_management_count > 0",
        "message": (
            "iif(full_management_count > 1, 'Consultants ', 'Consultant ')\n"
            "|| full_management_consultants\n"
            "|| iif(full_management_count > 1, ' have', ' has') || ' full management'"
        ),
        "explanation": _explain(
            "A live channel where at least one consultant has the role `full_management`.",
            "A consultant who runs a channel end to end speaks for the company without "
            "the company's people in the loop; the skills stay with the consultant.",
            "Give the consultant an `advisory` or `content` role and have in-house staff "
            "coordinate the channel.",
            'A channel with "consultants": [{"consultant": "BuzzGuru Srl", '
            '"role": "full_management"}].',
            'A channel with "consultants": [{"consultant": "BuzzGuru Srl", "role": "content"}].',
        ),
    },
    {
        "code": "R104",
        "recommendation": 1,
        "title": "Channel login is not held in-house",
        "severity": "error",
        "subject_type": "channel",
        "parameters": {},
        "condition": "is_live AND credentials_holder IN ('consultant', 'unknown')",
        "message": (
            "iif(credentials_holder = 'consultant',\n"
            "    'The login is held by a consultant',\n"
            "    'Nobody knows who holds the login')"
        ),
        "explanation": _explain(
            "A live channel whose `credentials_holder` is `consultant` or `unknown`.",
            "Whoever holds the login owns the channel in practice. If a consultant holds "
            "it, or nobody knows, the company can be locked out of its own voice.",
            "Move the credentials to an in-house account (or password manager) and set "
            "`credentials_holder` to `in_house`.",
            'A channel with "credentials_holder": "unknown".',
            'A channel with "credentials_holder": "in_house".',
        ),
    },
    {
        "code": "R201",
        "recommendation": 2,
        "title": "Department blocks social media",
        "severity": "warning",
        "subject_type": "department",
        "parameters": {},
        "condition": "social_access = 'blocked'",
        "message": "'Employees of ' || name || ' cannot reach social media at work'",
        "explanation": _explain(
            "A department whose `social_access` is `blocked`.",
            "If the company does not trust its people, its people cannot trust the "
            "company. Blocking social media keeps employees from listening to customers "
            "and from speaking for the company when it matters.",
            "Open access (`open`), or restrict it with a clear policy (`restricted`) "
            "instead of blocking it.",
            'A department with "social_access": "blocked".',
            'A department with "social_access": "restricted".',
        ),
    },
    {
        "code": "R301",
        "recommendation": 3,
        "title": "Consultant transfers no knowledge",
        "severity": "warning",
        "subject_type": "consultant",
        "parameters": {},
        "condition": "is_engaged AND NOT knowledge_transfer",
        "message": (
            "name || ' works on ' || live_channel_count || ' live channel'\n"
            "|| iif(live_channel_count = 1, '', 's') || ' without transferring skills'"
        ),
        "explanation": _explain(
            "An engaged consultant (listed on at least one live channel) whose "
            "`knowledge_transfer` is false.",
            "Pay for consultants who leave competence behind. One who only does the work "
            "keeps the company dependent on them.",
            "Add training or hand-over to the engagement and set `knowledge_transfer` to "
            "true, or replace the consultant.",
            "BuzzGuru Srl, listed on an active channel, with knowledge_transfer false.",
            "Viral Ninjas Ltd, listed only on a retired channel (not engaged).",
        ),
    },
    {
        "code": "R302",
        "recommendation": 3,
        "title": "Consultant leaves no deliverables",
        "severity": "warning",
        "subject_type": "consultant",
        "parameters": {},
        "condition": "is_engaged AND deliverable_count = 0",
        "message": "name || ' has no deliverables on record'",
        "explanation": _explain(
            "An engaged consultant (listed on at least one live channel) with an empty "
            "`deliverables` list.",
            "Tangible outputs (guidelines, templates, editorial calendars, training "
            "material) are what remains when the engagement ends.",
            "Agree on deliverables and list them under `deliverables`.",
            'An engaged consultant with "deliverables": [].',
            'An engaged consultant with "deliverables": ["editorial guidelines"].',
        ),
    },
    {
        "code": "R401",
        "recommendation": 4,
        "title": "Channel does not report to marketing",
        "severity": "warning",
        "subject_type": "channel",
        "parameters": {},
        "condition": (
            "is_live AND (\n"
            "    reporting_department IS NULL\n"
            "    OR reporting_department_function <> 'marketing'\n"
            ")"
        ),
        "message": (
            "iif(reporting_department IS NULL,\n"
            "    'No reporting department',\n"
            "    'Reports to ' || reporting_department\n"
            "    || ' (' || reporting_department_function || '), not marketing')"
        ),
        "explanation": _explain(
            "A live channel with no `reporting_department`, or one whose department's "
            "`function` is not `marketing`.",
            "Social media are not a mere PR tool: they belong to marketing, which relates "
            "the company to its market as a whole.",
            "Set `reporting_department` to a department with function `marketing`, and "
            "list the others it works with under `linked_departments`.",
            "A channel reporting to Comunicazione (function communications).",
            "A channel reporting to Marketing (function marketing).",
        ),
    },
    {
        "code": "R402",
        "recommendation": 4,
        "title": "Channel touches no other department",
        "severity": "info",
        "subject_type": "channel",
        "parameters": {},
        "condition": "is_live AND other_linked_department_count = 0",
        "message": (
            "iif(linked_department_count = 0,\n"
            "    'No linked departments',\n"
            "    'Linked only to its reporting department')"
        ),
        "explanation": _explain(
            "A live channel with no `linked_departments` besides its reporting department.",
            "How social media touch customer care, sales, HR and the rest shows whether "
            "the company is really integrated. A channel that works with nobody else "
            "talks without listening.",
            "List the departments the channel works with under `linked_departments`.",
            'A channel reporting to Customer Care with "linked_departments": ["Customer Care"].',
            'A channel reporting to Marketing with "linked_departments": ["Customer Care"].',
        ),
    },
    {
        "code": "R501",
        "recommendation": 5,
        "title": "No approved social media policy",
        "severity": "error",
        "subject_type": "organization",
        "parameters": {},
        "condition": "approved_policy_count = 0",
        "message": (
            "'No policy version is approved (' || policy_count || ' version'\n"
            "|| iif(policy_count = 1, '', 's') || ' on record)'"
        ),
        "explanation": _explain(
            "The organization has no policy with `status` `approved`.",
            "A good social media policy, reviewed by legal, tells employees what they may "
            "do and protects both them and the company.",
            "Write the policy with legal, approve it and record it with status `approved`.",
            "An inventory whose only policy is a draft.",
            "An inventory with one approved policy.",
        ),
    },
    {
        "code": "R502",
        "recommendation": 5,
        "title": "Approved policy not reviewed by legal",
        "severity": "error",
        "subject_type": "policy",
        "parameters": {},
        "condition": "status = 'approved' AND legal_reviewed_on IS NULL",
        "message": "'Policy ' || version || ' is approved but was never reviewed by legal'",
        "explanation": _explain(
            "An approved policy whose `legal_reviewed_on` is null.",
            "A policy legal has not read can promise what the company can't keep, or miss "
            "what the law requires.",
            "Have legal review the policy and record the date in `legal_reviewed_on`.",
            'An approved policy with "legal_reviewed_on": null.',
            'An approved policy with "legal_reviewed_on": "2026-01-15".',
        ),
    },
    {
        "code": "R503",
        "recommendation": 5,
        "title": "Channel not governed by an approved policy",
        "severity": "warning",
        "subject_type": "channel",
        "parameters": {},
        "condition": "is_live AND (policy IS NULL OR policy_status <> 'approved')",
        "message": (
            "iif(policy IS NULL,\n"
            "    'No policy',\n"
            "    'Policy ' || policy || ' is ' || policy_status || ', not approved')"
        ),
        "explanation": _explain(
            "A live channel with no `policy`, or whose policy's `status` is not `approved`.",
            "The people running a channel need to know which rules they follow.",
            "Set `policy` to an approved policy version.",
            'A channel with "policy": "2026.2-draft", a draft.',
            'A channel with "policy": "2026.1", an approved policy.',
        ),
    },
    {
        "code": "R504",
        "recommendation": 5,
        "title": "Approved policy is overdue for review",
        "severity": "warning",
        "subject_type": "policy",
        "parameters": {},
        "condition": "status = 'approved' AND next_review_on < :as_of",
        "message": "'Review was due on ' || next_review_on",
        "explanation": _explain(
            "An approved policy whose `next_review_on` is before the evaluation date.",
            "Platforms, laws and the company change; a policy that is never reviewed "
            "stops describing reality.",
            "Review the policy, then move `next_review_on` forward.",
            'An approved policy with "next_review_on": "2026-06-30", checked as of 2026-11-26.',
            'An approved policy with "next_review_on": "2027-01-15", checked as of 2026-11-26.',
        ),
    },
    {
        "code": "R601",
        "recommendation": 6,
        "title": "Active channel has no time allocated",
        "severity": "warning",
        "subject_type": "channel",
        "parameters": {},
        "condition": "is_active AND (weekly_hours IS NULL OR weekly_hours = 0)",
        "message": (
            "iif(weekly_hours IS NULL,\n"
            "    'No in-house hours allocated (unknown)',\n"
            "    'No in-house hours allocated (0 a week)')"
        ),
        "explanation": _explain(
            "An active channel whose `weekly_hours` is null or 0.",
            '"No time" is not a reason: understanding social media takes little time, and '
            "using them pays. A channel nobody has time for answers nobody.",
            "Allocate in-house hours and record them in `weekly_hours`.",
            'An active channel with "weekly_hours": 0.',
            'An active channel with "weekly_hours": 4.',
        ),
    },
    {
        "code": "R602",
        "recommendation": 6,
        "title": "Active channel has not posted recently",
        "severity": "warning",
        "subject_type": "channel",
        "parameters": {"max_days_since_post": 90},
        "condition": (
            "is_active AND (\n"
            "    last_post_on IS NULL\n"
            "    OR julianday(:as_of) - julianday(last_post_on) > :max_days_since_post\n"
            ")"
        ),
        "message": (
            "iif(last_post_on IS NULL,\n"
            "    'Never posted',\n"
            "    'No post for '\n"
            "    || CAST(julianday(:as_of) - julianday(last_post_on) AS INTEGER)\n"
            "    || ' days (last on ' || last_post_on || ')')"
        ),
        "explanation": _explain(
            "An active channel whose `last_post_on` is null, or more than "
            "`max_days_since_post` days before the evaluation date.",
            "An abandoned channel still speaks for the company: visitors see that nobody is there.",
            "Post, or set the channel's status to `dormant` or `retired`.",
            'An active channel with "last_post_on": "2026-06-02", checked as of '
            "2026-11-26 (177 days).",
            'An active channel with "last_post_on": "2026-11-20", checked as of 2026-11-26.',
            parameters="max_days_since_post (number, default 90): how many days without a "
            "post are still fine.",
        ),
    },
    {
        "code": "R701",
        "recommendation": 7,
        "title": "Channel is judged on sales ROI alone",
        "severity": "info",
        "subject_type": "channel",
        "parameters": {},
        "condition": (
            "is_live\n"
            "AND EXISTS (SELECT 1 FROM json_each(goals) WHERE value = 'sales_roi')\n"
            "AND NOT EXISTS (\n"
            "    SELECT 1 FROM json_each(goals)\n"
            "    WHERE value IN ('relationship', 'customer_care', 'community')\n"
            ")"
        ),
        "message": (
            "'Goals include sales_roi but not relationship, customer_care '\n|| 'or community'"
        ),
        "explanation": _explain(
            "A live channel whose `goals` include `sales_roi` but none of `relationship`, "
            "`customer_care` or `community`.",
            "Social media are first a way to relate to the outside world, like e-mail or "
            "the phone. Nobody measures the ROI of the phone; a channel judged on sales "
            "alone gets used as a billboard.",
            "Add the relationship goals the channel really serves.",
            'A channel with "goals": ["sales_roi"].',
            'A channel with "goals": ["sales_roi", "customer_care"].',
        ),
    },
]
