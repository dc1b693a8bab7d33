"""Opening the inventory a command works on, and taking back one it created if it fails."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click

from inventory.cli.errors import fail
from inventory.store import Store, StoreError, open_store

_created: list[Path] = []
"""Inventories this run created: removed again if the command fails (a refused command
leaves nothing behind)."""


def open_or_fail(path: str, *, create: bool, user: str | None = None) -> Store:
    try:
        store = open_store(path, create=create)
    except StoreError as error:
        fail(str(error))
    if user:
        store.user = user
    if store.created:
        _created.append(store.path)
    if store.migration_backup is not None:
        click.echo(
            f"inventory: upgraded the schema; a backup is at {store.migration_backup}", err=True
        )
    return store


def remove_created() -> None:
    """Take back the inventories this failed run created (the database and its companion
    files; an empty file that was there stays, emptied again)."""
    from inventory.files import DATABASE_COMPANIONS

    while _created:
        path = _created.pop()
        for suffix in DATABASE_COMPANIONS[1:]:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.unlink(missing_ok=True)


def take_created() -> list[Path]:
    """The inventories this run created and keeps (the run succeeded), forgotten here."""
    created = list(_created)
    _created.clear()
    return created


def _is_nonempty_file(path: str) -> bool:
    try:
        return os.stat(path).st_size > 0
    except OSError:
        return False


def existing_store(db: str, dry_run: bool) -> Store | None:
    """The inventory to merge into, if there is one yet; a dry run never writes to it."""
    from inventory.store import open_without_writing

    if dry_run:
        try:
            return open_without_writing(db)
        except StoreError as error:
            fail(str(error))
    if not _is_nonempty_file(db):
        return None
    return open_or_fail(db, create=False)


@contextmanager
def looked_back(store: Store, at: datetime | None) -> Iterator[Store]:
    """The store itself, or with --at a temporary copy rebuilt as it was at that moment."""
    if at is None:
        yield store
        return
    from inventory.lookback import LookbackError, inventory_at

    try:
        with inventory_at(store, at) as past:
            yield past
    except LookbackError as error:
        fail(str(error))
