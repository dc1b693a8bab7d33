"""The seven recommendations and the 24 built-in rules that check them, as plain data.

Migration `0003_builtin_rules` copies the rows of format /1 into the `rules` table of
every new database, and `0005_format_2_access` adds R105-R112 (`ACCESS_RULE_CODES`);
from then on they are ordinary rows the user can disable, re-grade and re-parameterise.
Conditions and messages are SQL expressions over the facts views (migrations
`0002_facts_views`, `0005_format_2_access`, `0007_access_facts_columns` and
`0009_access_rules_cheaper`, documented in docs/rules.md); `0007` and `0009` also give
R106, R107 and R701 their present texts in older databases (`superseded_rules`).
"""

from __future__ import annotations

from typing import Any

from inventory.builtin_rule_parts import (
    IN_HOUSE_AT_AS_OF,
    SOMEONE_HAS_LEFT,
    explain,
    indented,
)

RECOMMENDATIONS: dict[int, str] = {
    1: "Let the company's own people run the channels",
    2: "Stop blocking employees from social media",
    3: "Skip the gurus, hire experts who transfer skills",
    4: "Social media belong to marketing, and touch every department",
    5: "Bring legal in and write a good social media policy",
    6: '"No time" is not a reason',
    7: "Stop agonising over ROI",
}


ACCESS_RULE_CODES = ("R105", "R106", "R107", "R108", "R109", "R110", "R111", "R112")
"""The rules of format /2 (who can still get in), added by their own migration."""


BUILTIN_RULES: list[dict[str, Any]] = [
    {
        "code": "R101",
        "recommendation": 1,
        "title": "Live channel has no owner",
        "severity": "error",
        "subject_type": "channel",
        "parameters": {},
        "condition": "is_live AND NOT has_owner",
        "message": "'No owner is accountable for this channel'",
        "explanation": explain(
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
        "explanation": explain(
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
        "explanation": explain(
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
        "explanation": explain(
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
        "code": "R105",
        "recommendation": 1,
        "title": "Channel owner has left the company",
        "severity": "error",
        "subject_type": "channel",
        "parameters": {},
        "condition": "is_live AND owner_left_on <= :as_of",
        "message": "'Owner ' || owner_email || ' left on ' || owner_left_on",
        "explanation": explain(
            "A live channel whose owner has left: the owner's `left_on` is on or before the "
            "evaluation date.",
            "The person accountable for the channel is gone, and often still holds the "
            "login, the recovery codes and the platform's admin role. Nobody answers for "
            "what the channel says, and a former employee can still speak for the company.",
            "Offboard the person with a successor (`inventory offboard DB EMAIL --on DATE "
            "--to SUCCESSOR`, or `o` in the People view): the successor becomes the owner. "
            "Then change the password and remove the leaver's access on the platform.",
            'A channel owned by luca.bianchi@acme.example, whose "left_on" is "2026-10-31", '
            "checked as of 2026-11-26 (also flagged as of 2026-10-31 itself).",
            "The same channel checked as of 2026-10-30, the day before he leaves (R112 "
            "flags the hand-over instead).",
        ),
    },
    {
        "code": "R106",
        "recommendation": 1,
        "title": "A person who has left can still get in",
        "severity": "error",
        "subject_type": "channel",
        "parameters": {},
        "condition": (
            "is_live AND (\n"
            "    backup_owner_left_on <= :as_of\n"
            "    -- unlikely(): few have left, so SQLite starts from them, not every admin\n"
            "    OR (platform, handle) IN (\n"
            "        SELECT platform, handle FROM facts_channel_admin\n"
            "        WHERE unlikely(left_on <= :as_of)\n"
            "    )\n"
            ")"
        ),
        "message": (
            "'Still has access after leaving: ' || (\n"
            "    SELECT group_concat(who, ', ') FROM (\n"
            "        SELECT -1 AS position, 'backup owner ' || backup_owner_email\n"
            "            || ' (left on ' || backup_owner_left_on || ')' AS who\n"
            "        WHERE backup_owner_left_on <= :as_of\n"
            "        UNION ALL\n"
            "        SELECT a.position, 'admin ' || a.email || ' (left on ' || a.left_on || ')'\n"
            "        FROM facts_channel_admin a\n"
            "        WHERE a.platform = facts_channel.platform\n"
            "          AND a.handle = facts_channel.handle AND a.left_on <= :as_of\n"
            "        ORDER BY position\n"
            "    )\n"
            ")"
        ),
        "explanation": explain(
            "A live channel whose backup owner, or one of whose `admins`, has left: their "
            "`left_on` is on or before the evaluation date. The message names each of them. "
            "(An owner who has left is R105.)",
            "Access outlives employment unless someone removes it. A former employee who "
            "can still log in or publish can post in the company's name, by mistake or in "
            "anger, and the company may not find out until the post is seen.",
            "Remove the person's access on the platform, then remove them from the record "
            "(`admins`, `backup_owner`), or offboard them with a successor "
            "(`inventory offboard DB EMAIL --on DATE --to SUCCESSOR`).",
            'A channel with "admins": ["marco.neri@acme.example"], whose "left_on" is '
            '"2026-11-26", checked as of 2026-11-26.',
            "The same channel checked as of 2026-11-25: he is still there (notice period).",
        ),
    },
    {
        "code": "R107",
        "recommendation": 1,
        "title": "Too few in-house people can get in",
        "severity": "warning",
        "subject_type": "channel",
        "parameters": {"min_in_house_people": 2},
        "condition": (
            "is_live AND (\n"
            "    -- fewer than wanted even counting those who have left (the owner and the\n"
            "    -- backup owner may be enough on their own: then the admins aren't counted)\n"
            "    iif(\n"
            "        (owner_employment IS 'employee')\n"
            "        + (backup_owner_employment IS 'employee'\n"
            "            AND backup_owner_email IS NOT owner_email) >= :min_in_house_people,\n"
            "        0,\n"
            "        employee_access_count < :min_in_house_people\n"
            "    )\n"
            "    -- or fewer at :as_of, if one of them has left by then: count who is still there\n"
            f"    OR (({indented(SOMEONE_HAS_LEFT, 8)})\n"
            f"        AND {indented(IN_HOUSE_AT_AS_OF, 12)}\n"
            "            < :min_in_house_people\n"
            "    )\n"
            ")"
        ),
        "message": (
            "(SELECT iif(n = 0, 'No in-house person',\n"
            "        'Only ' || n || ' in-house ' || iif(n = 1, 'person', 'people'))\n"
            "    || ' can get in (at least ' || :min_in_house_people || ' wanted)'\n"
            "FROM (\n"
            "    SELECT iif(\n"
            f"        {indented(SOMEONE_HAS_LEFT, 8)},\n"
            f"        {indented(IN_HOUSE_AT_AS_OF, 8)},\n"
            "        employee_access_count\n"
            "    ) AS n\n"
            "))"
        ),
        "explanation": explain(
            "A live channel with fewer than `min_in_house_people` distinct in-house people "
            "(employees who have not left) among its owner, backup owner and `admins`. A "
            "person who is both owner and backup owner counts once; externals and people "
            "who have left don't count.",
            "With a single person able to log in, one holiday, illness or resignation "
            "locks the company out of its own channel; registries of official accounts ask "
            "for at least two in-house administrators for that reason.",
            "Give a second employee access on the platform and record them as "
            "`backup_owner` or in `admins`.",
            "A channel whose owner is an employee, whose backup owner is the same person, "
            "and whose only admin is external.",
            "A channel owned by one employee and backed up by another.",
            parameters="min_in_house_people (number, default 2): how many distinct "
            "in-house people must be able to get in.",
        ),
    },
    {
        "code": "R108",
        "recommendation": 1,
        "title": "Password resets go outside the company",
        "severity": "error",
        "subject_type": "channel",
        "parameters": {},
        "condition": (
            "is_open AND (\n"
            "    login_email IS NULL\n"
            "    OR (organization_email_domain_count > 0 AND NOT login_domain_is_own)\n"
            ")"
        ),
        "message": (
            "iif(login_email IS NULL,\n"
            "    'Nobody knows which mailbox receives the password resets',\n"
            "    'Password resets go to ' || login_email || ', outside the company''s '\n"
            "    || 'domains (' || (\n"
            "        SELECT group_concat(value, ', ') FROM json_each(organization_email_domains)\n"
            "    ) || ')')"
        ),
        "explanation": explain(
            "An open channel (active or dormant) whose `login_email` is not recorded, or, "
            "when the organization lists its `email_domains`, whose `login_email` is at "
            "another domain (the part after the last `@`, compared case-insensitively; a "
            "subdomain is another domain).",
            "Whoever receives the password resets can take the account over. A personal "
            "mailbox leaves with its owner; an agency's mailbox leaves with the contract.",
            "Register the account to a shared company mailbox (e.g. social@acme.example) "
            "and record it in `login_email`; list the company's domains in the "
            "organization's `email_domains`.",
            'A channel with "login_email": "giulia.rossi@gmail.example" in an organization '
            'whose "email_domains" are ["acme.example"] (so is mail.acme.example).',
            'A channel with "login_email": "Social@ACME.example" in the same organization.',
        ),
    },
    {
        "code": "R109",
        "recommendation": 1,
        "title": "Two-factor authentication is not on",
        "severity": "error",
        "subject_type": "channel",
        "parameters": {},
        "condition": "is_open AND two_factor <> 'on'",
        "message": (
            "iif(two_factor = 'off',\n"
            "    'Two-factor authentication is off',\n"
            "    'Nobody knows whether two-factor authentication is on')"
        ),
        "explanation": explain(
            "An open channel (active or dormant) whose `two_factor` is `off` or `unknown`.",
            "A password alone is phished, reused and leaked; taken-over company accounts "
            "are the usual start of scams in the company's name. Every platform offers a "
            "second factor, and security guidance for social accounts asks for it first.",
            "Turn two-factor authentication on (with the codes kept by the company, not "
            "one person's phone) and set `two_factor` to `on`.",
            'An active channel with "two_factor": "unknown".',
            'An active channel with "two_factor": "on", or a planned channel (no account yet).',
        ),
    },
    {
        "code": "R110",
        "recommendation": 1,
        "title": "Lookalike account left open",
        "severity": "warning",
        "subject_type": "lookalike",
        "parameters": {"max_days_open": 30},
        "condition": (
            "takedown = 'open'\nAND julianday(:as_of) - julianday(found_on) > :max_days_open"
        ),
        "message": (
            "'Found on ' || found_on || ', '\n"
            "|| CAST(julianday(:as_of) - julianday(found_on) AS INTEGER)\n"
            "|| ' days ago; no takedown requested'"
        ),
        "explanation": explain(
            "A lookalike account whose `takedown` is `open` and whose `found_on` is more "
            "than `max_days_open` days before the evaluation date.",
            "An account that presents itself as the company misleads its customers: "
            "impostors run fake giveaways and collect payment details. Each day it stays "
            "up, more people trust it.",
            "Report the account to the platform and set `takedown` to `requested`; once it "
            "is gone, `removed`. An account you decide to leave up (a harmless fan page) "
            "is `tolerated`.",
            'A lookalike with "takedown": "open" and "found_on": "2026-10-26", checked as '
            "of 2026-11-26 (31 days).",
            "The same lookalike checked as of 2026-11-25 (30 days), or with "
            '"takedown": "requested".',
            parameters="max_days_open (number, default 30): how many days a lookalike may "
            "stay open before it is flagged.",
        ),
    },
    {
        "code": "R111",
        "recommendation": 1,
        "title": "Channel record not reviewed recently",
        "severity": "warning",
        "subject_type": "channel",
        "parameters": {"max_days_since_review": 365},
        "condition": (
            "is_live AND (\n"
            "    reviewed_on IS NULL\n"
            "    OR julianday(:as_of) - julianday(reviewed_on) > :max_days_since_review\n"
            ")"
        ),
        "message": (
            "iif(reviewed_on IS NULL,\n"
            "    'Never reviewed by its owner',\n"
            "    'Last reviewed '\n"
            "    || CAST(julianday(:as_of) - julianday(reviewed_on) AS INTEGER)\n"
            "    || ' days ago (on ' || reviewed_on || ')')"
        ),
        "explanation": explain(
            "A live channel whose `reviewed_on` is null, or more than "
            "`max_days_since_review` days before the evaluation date.",
            "An inventory is only as good as its last check: people change roles, "
            "passwords move, agencies come and go. A record nobody has confirmed for a "
            "year says what was true, not what is.",
            "Have the owner confirm every field (who can get in, the login mailbox, "
            "two-factor) and set `reviewed_on` to the date of the review.",
            'A live channel with "reviewed_on": "2025-11-25", checked as of 2026-11-26 (366 days).',
            'A live channel with "reviewed_on": "2025-11-26", checked as of 2026-11-26 (365 days).',
            parameters="max_days_since_review (number, default 365): how many days since "
            "the last review are still fine.",
        ),
    },
    {
        "code": "R112",
        "recommendation": 1,
        "title": "Channel owner is about to leave",
        "severity": "info",
        "subject_type": "channel",
        "parameters": {"notice_days": 30},
        "condition": (
            "is_live AND owner_left_on > :as_of\n"
            "AND julianday(owner_left_on) - julianday(:as_of) <= :notice_days"
        ),
        "message": (
            "'Owner ' || owner_email || ' leaves on ' || owner_left_on || ' (in '\n"
            "|| CAST(julianday(owner_left_on) - julianday(:as_of) AS INTEGER)\n"
            "|| iif(julianday(owner_left_on) - julianday(:as_of) = 1, ' day', ' days')\n"
            "|| '): plan the hand-over'"
        ),
        "explanation": explain(
            "A live channel whose owner's `left_on` is after the evaluation date and at most "
            "`notice_days` days after it: the owner is serving their notice.",
            "A hand-over planned while the owner is still there passes on the logins, the "
            "recovery codes and the know-how; one done after they left starts with a "
            "locked account.",
            "Choose a successor and offboard the owner ahead of time "
            "(`inventory offboard DB EMAIL --on LEFT_ON --to SUCCESSOR`).",
            'A channel whose owner has "left_on": "2026-12-26", checked as of 2026-11-26 '
            "(30 days).",
            "The same channel checked as of 2026-11-25 (31 days), or as of 2026-12-26 (the "
            "owner has left: R105).",
            parameters="notice_days (number, default 30): how many days ahead a departure "
            "is reported.",
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
        "explanation": explain(
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
        "explanation": explain(
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
        "explanation": explain(
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
        "explanation": explain(
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
        "explanation": explain(
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
        "explanation": explain(
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
        "explanation": explain(
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
        "explanation": explain(
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
        "explanation": explain(
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
        "explanation": explain(
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
        "explanation": explain(
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
            "-- instr(): a cheap first look at the JSON text; json_each decides\n"
            "AND instr(goals, 'sales_roi')\n"
            "AND EXISTS (SELECT 1 FROM json_each(goals) WHERE value = 'sales_roi')\n"
            "AND NOT EXISTS (\n"
            "    SELECT 1 FROM json_each(goals)\n"
            "    WHERE value IN ('relationship', 'customer_care', 'community')\n"
            ")"
        ),
        "message": (
            "'Goals include sales_roi but not relationship, customer_care '\n|| 'or community'"
        ),
        "explanation": explain(
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
