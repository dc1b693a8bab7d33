"""The SQLite database: opening it safely, its schema and migrations."""

from __future__ import annotations

import getpass
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from inventory import schema

if TYPE_CHECKING:
    import sqlite_utils

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = float(os.environ.get("INVENTORY_BUSY_TIMEOUT", "5"))


class StoreError(Exception):
    """A database that can't be used; the message is one line meant for a person."""


class ConflictError(StoreError):
    """A record changed in the database since it was read."""


class ReadOnlyError(StoreError):
    """A write was attempted on a database opened read-only."""


UNNAMED_ORGANIZATION = "Unnamed organization"


def organization_name(conn: sqlite3.Connection) -> str:
    """The organization's name; an empty inventory has none yet."""
    row = conn.execute("SELECT name FROM organization WHERE id = 1").fetchone()
    return row[0] if row else UNNAMED_ORGANIZATION


def default_user() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass
class Store:
    """An open inventory database."""

    path: Path
    conn: sqlite3.Connection
    readonly: bool = False
    user: str = field(default_factory=default_user)
    source: str = "cli"
    migration_backup: Path | None = None

    _db: sqlite_utils.Database | None = field(default=None, repr=False)

    @property
    def db(self) -> sqlite_utils.Database:
        """The sqlite-utils view of the connection, made on first use (see `migration_set`)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._db

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One atomic change; database errors become one clear StoreError.

        The outermost transaction starts with BEGIN IMMEDIATE: a plain BEGIN (what
        `db.atomic()` issues) takes the write lock only at the first write, and SQLite then
        refuses at once instead of waiting the busy timeout for another writer. Nested
        transactions are sqlite-utils savepoints.
        """
        if self.readonly:
            raise ReadOnlyError(f"{self.path} is read-only: changes can't be saved")
        try:
            if self.conn.in_transaction:
                with self.db.atomic() as db:
                    yield db
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as error:
            raise StoreError(_explain_operational_error(self.path, error)) from None
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: the change could not be saved: {error}") from None


def _explain_operational_error(path: Path, error: sqlite3.Error) -> str:
    text = str(error)
    if "locked" in text or "busy" in text:
        return (
            f"{path} is locked by another program (waited {BUSY_TIMEOUT_SECONDS:g} s); "
            "nothing was changed, try again"
        )
    if "readonly" in text or "read-only" in text:
        return f"{path} is read-only: changes can't be saved"
    if "disk" in text and "full" in text:
        return f"{path}: the disk is full; nothing was changed"
    return f"{path}: the change could not be saved: {text}"


def _check_is_sqlite(path: Path) -> None:
    """Refuse anything that is not a SQLite file before SQLite touches it."""
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not an inventory database")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise StoreError(f"{path} can't be read: {error.strerror}") from None
    if header and header != SQLITE_HEADER:
        raise StoreError(f"{path} is not an inventory database (not a SQLite file)")


def _is_read_only(path: Path) -> bool:
    """Read-only by permission, or by the file's mode bits (root can write anyway, but the
    owner marked the file read-only: respect that)."""
    no_write_bits = path.stat().st_mode & 0o222 == 0
    return no_write_bits or not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)


QUICK_CHECK_MAX_BYTES = 32 * 1024 * 1024
"""Files up to this size get SQLite's `quick_check` (linear: ~0.1 s per 100 MB) on every
open; larger ones only the header check, so a 100,000-channel inventory opens at once."""


def _integrity(conn: sqlite3.Connection, path: Path) -> str:
    """'ok', or why the file is damaged."""
    if path.stat().st_size <= QUICK_CHECK_MAX_BYTES:
        return conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    with path.open("rb") as handle:
        header = handle.read(100)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # the header's page count is current only while its "valid for" stamp matches
    if header[24:28] == header[92:96] and path.stat().st_size < page_size * pages:
        return "the file is shorter than its header says (truncated)"
    return "ok"


def _probe_existing(path: Path) -> int:
    """Read the schema version without writing; refuse corrupt or newer databases."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as error:
        raise StoreError(f"{path} can't be opened: {error}") from None
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        check = _integrity(conn, path)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise StoreError(
                f"{path} is locked by another program (waited {BUSY_TIMEOUT_SECONDS:g} s)"
            ) from None
        raise StoreError(f"{path} is damaged and can't be used: {error}") from None
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path} is damaged and can't be used: {error}") from None
    finally:
        conn.close()
    if check != "ok":
        raise StoreError(f"{path} is damaged and can't be used: {check}")
    if version > schema.SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer version of inventory (schema {version}, "
            f"this version understands up to {schema.SCHEMA_VERSION}); upgrade inventory"
        )
    return version


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(
            uri,
            uri=True,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,
            check_same_thread=False,
        )
    else:
        conn = sqlite3.connect(
            str(path),
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,
            check_same_thread=False,
        )
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def open_store(path: str | Path, *, create: bool = True, source: str = "cli") -> Store:
    """Open (or, when allowed, create) the inventory at `path`, bringing its schema up to date.

    Raises StoreError with a one-line explanation for anything that can't be used; a file
    that is refused is never written to.
    """
    path = Path(path)
    exists = path.exists()
    if not exists and not create:
        raise StoreError(f"{path} does not exist (no inventory database there)")
    if exists:
        _check_is_sqlite(path)
        version = _probe_existing(path)
        readonly = _is_read_only(path)
    else:
        if not path.parent.exists():
            raise StoreError(f"{path.parent} does not exist: can't create {path.name} there")
        version = 0
        readonly = False
    try:
        conn = _connect(path, readonly)
        store = Store(path=path, conn=conn, readonly=readonly, source=source)
        # reading once makes this connection a WAL user: the last one to close tidies the
        # -wal and -shm files away, which read-only evaluation connections can't do
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if not readonly:
            if version == 0:
                conn.execute("PRAGMA journal_mode = WAL")
            if version < schema.SCHEMA_VERSION:
                _migrate(store, version)
        elif version < schema.SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"{path} is read-only and uses an older schema ({version}); "
                "make it writable once so it can be upgraded"
            )
    except sqlite3.OperationalError as error:
        raise StoreError(_explain_operational_error(path, error)) from None
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path} is damaged and can't be used: {error}") from None
    return store


def _migrate(store: Store, version: int) -> None:
    migrations = schema.migration_set()
    pending = migrations.pending(store.db)
    if not pending:
        return
    if version > 0:
        backup = store.path.with_name(f"{store.path.name}.before-schema-{schema.SCHEMA_VERSION}")
        store.db.conn.execute("VACUUM INTO ?", [str(backup)])
        store.migration_backup = backup
    migrations.apply(store.db)
    store.conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION}")
