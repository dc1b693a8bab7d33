"""Offboarding: a person leaves; a successor takes their place on every live channel.

One user action (one undo): the person's `left_on` is set, and with a successor, on every
live channel where the person is owner, backup owner or admin, the successor takes that
role and the person is removed. A successor who already holds a role on the channel keeps
the higher one (owner > backup owner > admin) and the other slot is emptied, so nobody is
listed twice on a channel. Retired channels are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from inventory import records
from inventory.history import action
from inventory.models import Channel, Person, key_form
from inventory.printable import visible
from inventory.store import Store, StoreError


class OffboardingError(StoreError):
    """An offboarding that can't be done; nothing was changed. One line for a person."""


ROLE_NAMES = {"owner": "owner", "backup_owner": "backup owner", "admin": "admin"}


@dataclass(frozen=True)
class Access:
    """Who can get in to one channel: its owner, backup owner and admins."""

    owner: str | None
    backup_owner: str | None
    admins: tuple[str, ...]

    @classmethod
    def of(cls, channel: Channel) -> Access:
        return cls(channel.owner, channel.backup_owner, tuple(channel.admins))

    def roles_of(self, email: str) -> list[str]:
        """The roles `email` holds here, highest first."""
        key = key_form("person", email)
        held = [
            role
            for role, who in (("owner", self.owner), ("backup_owner", self.backup_owner))
            if who is not None and key_form("person", who) == key
        ]
        if any(key_form("person", admin) == key for admin in self.admins):
            held.append("admin")
        return held

    def describe(self) -> str:
        parts = [
            f"owner {self.owner or '(none)'}",
            f"backup owner {self.backup_owner or '(none)'}",
            f"admins {', '.join(self.admins) if self.admins else '(none)'}",
        ]
        return visible("; ".join(parts))


@dataclass(frozen=True)
class ChannelChange:
    """One live channel the person had a role on: access before and after."""

    key: str
    name: str
    roles: tuple[str, ...]  # what the leaving person held here
    before: Access
    after: Access


@dataclass(frozen=True)
class Offboarding:
    """What an offboarding does (or did)."""

    person: Person
    on: date
    successor: Person | None
    channels: tuple[ChannelChange, ...]


def handed_over(access: Access, leaver: str, successor: str) -> Access:
    """`access` with the successor in the leaver's place, keeping the successor's higher
    role when they already had one (the other slot emptied, an admin entry removed)."""
    leaver_key, successor_key = key_form("person", leaver), key_form("person", successor)

    def swap(email: str | None) -> str | None:
        return successor if email is not None and key_form("person", email) == leaver_key else email

    def is_successor(email: str | None) -> bool:
        return email is not None and key_form("person", email) == successor_key

    owner, backup = swap(access.owner), swap(access.backup_owner)
    admins = [swap(admin) or admin for admin in access.admins]
    if is_successor(owner):
        backup = None if is_successor(backup) else backup
        admins = [a for a in admins if not is_successor(a)]
    elif is_successor(backup):
        admins = [a for a in admins if not is_successor(a)]
    else:
        seen = False
        kept = []
        for admin in admins:
            if is_successor(admin):
                if seen:
                    continue
                seen = True
            kept.append(admin)
        admins = kept
    return Access(owner, backup, tuple(admins))


def _person(store: Store, email: str, what: str) -> Person:
    loaded = records.get_record(store, "person", email)
    if loaded is None:
        raise OffboardingError(f"there is no person {email} in the inventory ({what})")
    return cast(Person, loaded.record)


def _live_channels_of(store: Store, person: Person) -> list[Channel]:
    """Every live channel where the person is owner, backup owner or admin, by key."""
    rows = store.conn.execute(
        """SELECT c.platform || '/' || c.handle FROM channels c
           JOIN people p ON p.email = ? COLLATE NOCASE
           WHERE c.status <> 'retired' AND (
               c.owner_id = p.id OR c.backup_owner_id = p.id
               OR EXISTS (SELECT 1 FROM channel_admins ca
                          WHERE ca.channel_id = c.id AND ca.person_id = p.id))
           ORDER BY c.platform, c.handle""",
        [person.email],
    ).fetchall()
    found = []
    for (key,) in rows:
        loaded = records.get_record(store, "channel", key)
        if loaded is not None:
            found.append(cast(Channel, loaded.record))
    return found


def plan_offboarding(
    store: Store, email: str, on: date, successor_email: str | None = None
) -> Offboarding:
    """What offboarding `email` on `on` (with `successor_email`) would do; refuses
    (OffboardingError) a successor the interface spec does not allow."""
    person = _person(store, email, "the person leaving")
    successor = None
    if successor_email is not None:
        successor = _person(store, successor_email, "the successor")
        if key_form("person", successor.email) == key_form("person", person.email):
            raise OffboardingError("the successor must be another person than the one leaving")
        if successor.employment != "employee":
            raise OffboardingError(
                f"the successor {successor.email} is {successor.employment}, not an employee"
            )
        if successor.left_on is not None and successor.left_on <= on:
            raise OffboardingError(
                f"the successor {successor.email} leaves on {successor.left_on}, "
                f"not after {on.isoformat()}"
            )
    changes = []
    for channel in _live_channels_of(store, person):
        before = Access.of(channel)
        after = before if successor is None else handed_over(before, person.email, successor.email)
        changes.append(
            ChannelChange(
                channel.key, channel.name, tuple(before.roles_of(person.email)), before, after
            )
        )
    return Offboarding(person, on, successor, tuple(changes))


def offboard(store: Store, email: str, on: date, successor_email: str | None = None) -> Offboarding:
    """Offboard as one action: `left_on` set and, with a successor, every live channel
    handed over. Nothing changes when anything is refused."""
    with action(store, f"the offboarding of {email}"):
        plan = plan_offboarding(store, email, on, successor_email)
        person = plan.person
        records.save_record(
            store, "person", person.model_copy(update={"left_on": on}), original_key=person.email
        )
        if plan.successor is not None:
            for change in plan.channels:
                loaded = records.get_record(store, "channel", change.key)
                assert loaded is not None
                after = change.after
                channel = loaded.record.model_validate(
                    {
                        **loaded.record.model_dump(),
                        "owner": after.owner,
                        "backup_owner": after.backup_owner,
                        "admins": list(after.admins),
                    }
                )
                records.save_record(store, "channel", channel, original_key=change.key)
    return plan


CLI_HINT = "run again with --to SUCCESSOR to hand them over"


def report_lines(plan: Offboarding, hint: str = CLI_HINT) -> list[str]:
    """What `inventory offboard` prints: each channel with the roles before and after
    (with a successor), or the channels that still depend on the person (without)."""
    person, when = visible(plan.person.email), plan.on.isoformat()
    lines = [f"{person} leaves on {when}"]
    if plan.successor is None:
        if not plan.channels:
            lines.append("no live channel depends on them")
            return lines
        count = len(plan.channels)
        lines.append(f"{count} live channel{'s' if count != 1 else ''} still depend on them:")
        for change in plan.channels:
            roles = ", ".join(ROLE_NAMES[role] for role in change.roles)
            lines.append(f"  {visible(change.key)} ({visible(change.name)}): {roles}")
        lines.append(hint)
        return lines
    count = len(plan.channels)
    channels = f"{count} live channel{'s' if count != 1 else ''}"
    lines.append(f"{visible(plan.successor.email)} takes over {channels}" + (":" if count else ""))
    for change in plan.channels:
        lines.append(f"  {visible(change.key)} ({visible(change.name)})")
        lines.append(f"    before: {change.before.describe()}")
        lines.append(f"    after:  {change.after.describe()}")
    return lines
