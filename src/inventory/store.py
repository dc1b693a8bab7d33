"""The SQLite database: opening it safely, its schema and migrations."""

from __future__ import annotations

import getpass
import os
import re
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from inventory import schema, settings

if TYPE_CHECKING:
    import sqlite_utils

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = 5.0
"""How long a write waits for another writer; `INVENTORY_BUSY_TIMEOUT` (seconds) overrides."""


def busy_timeout() -> float:
    return settings.seconds("INVENTORY_BUSY_TIMEOUT", BUSY_TIMEOUT_SECONDS)


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
    created: bool = False
    """True when this open made a new inventory (nothing, or an empty file, was there)."""
    #: The user action being recorded (see `history.action`); its changes share one id.
    current_action: object | None = field(default=None, repr=False)

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
            raise ReadOnlyError(f"{self.path} {_why_read_only(self.path)}: changes can't be saved")
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


def changed_outside(text: str) -> str | None:
    """For a database error that means the file's tables are not what inventory made
    (another program dropped or renamed a table, view or column): which object is missing,
    and that the file was changed outside inventory. None for any other error."""
    match = re.search(r"no such (table|column|view): (\S+)", text)
    if match is None:
        match = re.search(r"table (\S+) has no column named (\S+)", text)
        if match is None:
            return None
        what = f"the column {match.group(2)} of table {match.group(1)} is missing"
    else:
        what = f"the {match.group(1)} {match.group(2)} is missing"
    return (
        f"{what}: the database was changed outside inventory (nothing was changed by this command)"
    )


def _explain_operational_error(path: Path, error: sqlite3.Error) -> str:
    text = str(error)
    if outside := changed_outside(text):
        return f"{path}: {outside}"
    if "locked" in text or "busy" in text:
        return (
            f"{path} is locked by another program (waited {busy_timeout():g} s); "
            "nothing was changed, try again"
        )
    if "readonly" in text or "read-only" in text:
        return f"{path} is read-only: changes can't be saved"
    if "disk" in text and "full" in text:
        return f"{path}: the disk is full; nothing was changed"
    return f"{path}: the change could not be saved: {text}"


def _existing_size(path: Path) -> int | None:
    """The size of the regular file at `path`, None when nothing is there; anything that is
    not a regular file (a folder, a FIFO, a device) is refused before anything opens it: a
    FIFO would block the open forever."""
    try:
        mode = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StoreError(f"{path} can't be read: {error.strerror}") from None
    if stat.S_ISDIR(mode.st_mode):
        raise StoreError(f"{path} is a folder, not an inventory database")
    if not stat.S_ISREG(mode.st_mode):
        raise StoreError(f"{path} is {_special_file(mode.st_mode)}, not an inventory database")
    return mode.st_size


def _special_file(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _check_companions(path: Path) -> None:
    """SQLite keeps its log, shared memory and journal beside the database under fixed
    names: something else under one of those names makes every open fail."""
    for suffix in ("-wal", "-shm", "-journal"):
        companion = Path(f"{path}{suffix}")
        try:
            mode = os.stat(companion).st_mode
        except FileNotFoundError:
            continue
        except OSError as error:
            raise StoreError(f"{companion} can't be read: {error.strerror}") from None
        if not stat.S_ISREG(mode):
            what = "a folder" if stat.S_ISDIR(mode) else _special_file(mode)
            raise StoreError(
                f"{companion} is {what}, but SQLite needs that name for the database's "
                f"{suffix[1:]} file; move it away"
            )


def _check_is_sqlite(path: Path) -> None:
    """Refuse anything that is not a SQLite file before SQLite touches it."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise StoreError(f"{path} can't be read: {error.strerror}") from None
    if header != SQLITE_HEADER:
        raise StoreError(f"{path} is not an inventory database (not a SQLite file)")


def _read_only_file_system(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _is_read_only(path: Path) -> bool:
    """Read-only by permission, by the file's mode bits (root can write anyway, but the
    owner marked the file read-only: respect that) or by a read-only file system."""
    no_write_bits = path.stat().st_mode & 0o222 == 0
    return (
        no_write_bits
        or not os.access(path, os.W_OK)
        or not os.access(path.parent, os.W_OK)
        or _read_only_file_system(path)
        or _disk_full(path)
    )


class CommitWatch:
    """Whether another connection (any process, this one's store too) has committed to
    the database since the last look: SQLite's `data_version`, on a read-only connection
    of its own. A context manager."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(
            readonly_uri(path), uri=True, isolation_level=None, timeout=busy_timeout()
        )
        self._seen = self._version()

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def committed(self) -> bool:
        now = self._version()
        changed, self._seen = now != self._seen, now
        return changed

    def __enter__(self) -> CommitWatch:
        return self

    def __exit__(self, *_: object) -> None:
        self._conn.close()


def readonly_uri(path: Path) -> str:
    """A URI opening `path` read-only. Where nothing can be written beside the file (a
    read-only file system or folder), SQLite can't create the shared-memory file a WAL
    database needs, so the file is opened `immutable` unless a log with content is there."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    folder = path.resolve().parent
    cannot_write = (
        _read_only_file_system(path) or not os.access(folder, os.W_OK) or _disk_full(path)
    )
    if cannot_write and not Path(f"{path}-shm").exists() and not _has_log(path):
        uri += "&immutable=1"
    return uri


def _has_log(path: Path) -> bool:
    try:
        return os.stat(f"{path}-wal").st_size > 0
    except OSError:
        return False


QUICK_CHECK_MAX_BYTES = 32 * 1024 * 1024
"""Files up to this size get SQLite's `quick_check` (linear: ~0.1 s per 100 MB) on every
open; larger ones only the header check, so a 100,000-channel inventory opens at once."""

TRUNCATION_RECHECK_SECONDS = 2.0
"""How long a file that looks truncated is watched before it is called damaged: a
checkpoint in another process writes the header (with the new page count) before it has
extended the file, so a healthy file looks short for a moment."""


def _integrity(conn: sqlite3.Connection, path: Path) -> str:
    """'ok', or why the file is damaged."""
    if path.stat().st_size <= QUICK_CHECK_MAX_BYTES:
        return conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    deadline = time.monotonic() + TRUNCATION_RECHECK_SECONDS
    while _looks_truncated(path):
        if time.monotonic() > deadline:
            return "the file is shorter than its header says (truncated)"
        time.sleep(0.02)
    return "ok"


def _looks_truncated(path: Path) -> bool:
    with path.open("rb") as handle:
        header = handle.read(100)
        size = os.fstat(handle.fileno()).st_size
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # the header's page count is current only while its "valid for" stamp matches
    return header[24:28] == header[92:96] and size < page_size * pages


MIGRATIONS_TABLE = "_sqlite_migrations"


def _probe_existing(path: Path) -> int:
    """Read the schema version without writing; refuse corrupt, foreign or newer databases."""
    try:
        conn = sqlite3.connect(readonly_uri(path), uri=True, timeout=busy_timeout())
    except sqlite3.Error as error:
        raise StoreError(f"{path} can't be opened: {error}") from None
    try:
        # first: a large file's header check may wait out another process's checkpoint,
        # and nothing may be read through SQLite before it is whole
        check = _integrity(conn, path)
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        inventory = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]
        ).fetchone()
    except sqlite3.OperationalError as error:
        raise StoreError(_explain_open_error(path, error)) from None
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path} is damaged and can't be used: {error}") from None
    finally:
        conn.close()
    if check != "ok":
        raise StoreError(f"{path} is damaged and can't be used: {check}")
    if inventory is None:
        raise StoreError(
            f"{path} is a SQLite database of another program, not an inventory "
            "(it has no inventory migrations table); it was left untouched"
        )
    if version > schema.SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer version of inventory (schema {version}, "
            f"this version understands up to {schema.SCHEMA_VERSION}); upgrade inventory"
        )
    return version


def _explain_open_error(path: Path, error: sqlite3.Error) -> str:
    """Why an open failed, without calling a healthy file damaged: a lock, a full disk, a
    read-only place or an I/O error are said as such."""
    text = str(error)
    if "locked" in text or "busy" in text:
        return f"{path} is locked by another program (waited {busy_timeout():g} s)"
    if "disk is full" in text or _disk_full(path):
        return f"{path} can't be opened: the disk is full"
    if "readonly" in text or "read-only" in text:
        return f"{path} can't be opened: its folder or file system is read-only"
    if "unable to open" in text or "disk I/O" in text:
        return f"{path} can't be opened: {text}"
    return f"{path} is damaged and can't be used: {text}"


def _why_read_only(path: Path) -> str:
    if _disk_full(path) and not _read_only_file_system(path):
        return "is on a full disk (opened read-only)"
    return "is read-only"


def _disk_full(path: Path) -> bool:
    try:
        return os.statvfs(path.resolve().parent).f_bavail == 0
    except OSError:
        return False


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(
            readonly_uri(path),
            uri=True,
            timeout=busy_timeout(),
            isolation_level=None,
            check_same_thread=False,
        )
    else:
        conn = sqlite3.connect(
            str(path),
            timeout=busy_timeout(),
            isolation_level=None,
            check_same_thread=False,
        )
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def open_store(path: str | Path, *, create: bool = True, source: str = "cli") -> Store:
    """Open (or, when allowed, create) the inventory at `path`, bringing its schema up to date.

    Only a path with nothing there, or an empty (0-byte) file, becomes a new inventory.
    Raises StoreError with a one-line explanation for anything that can't be used; a file
    that is refused is never written to.
    """
    path = Path(path)
    size = _existing_size(path)
    _check_companions(path)
    new = not size
    if new and not create:
        what = "is empty" if size == 0 else "does not exist"
        raise StoreError(f"{path} {what} (no inventory database there)")
    if not new:
        _check_is_sqlite(path)
        version = _probe_existing(path)
        readonly = _is_read_only(path)
    else:
        if not path.parent.is_dir():
            raise StoreError(f"{path.parent} is not a folder: can't create {path.name} there")
        if not os.access(path.parent, os.W_OK) or _read_only_file_system(path.parent):
            raise StoreError(f"{path.parent} is read-only: can't create {path.name} there")
        version = 0
        readonly = False
    try:
        conn = _connect(path, readonly)
        store = Store(path=path, conn=conn, readonly=readonly, source=source, created=new)
        # reading once makes this connection a WAL user: the last one to close tidies the
        # -wal and -shm files away, which read-only evaluation connections can't do
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if not readonly:
            if version == 0:
                conn.execute("PRAGMA journal_mode = WAL")
            elif conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                back_to_wal(conn)
            if version < schema.SCHEMA_VERSION:
                _migrate(store, version)
        elif version < schema.SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"{path} is read-only and uses an older schema ({version}); "
                "make it writable once so it can be upgraded"
            )
    except sqlite3.OperationalError as error:
        raise StoreError(_explain_open_error(path, error)) from None
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path} is damaged and can't be used: {error}") from None
    return store


def back_to_wal(conn: sqlite3.Connection) -> None:
    """WAL again for an inventory whose first import wrote with a rollback journal
    (`document.set_up_for_import`): left so when that import was cut short, or when another
    program opened the file meanwhile (then the next opening for writing tries again)."""
    with suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA journal_mode = WAL")


def _migrate(store: Store, version: int) -> None:
    migrations = schema.migration_set()
    pending = migrations.pending(store.db)
    if not pending:
        return
    if version > 0:
        backup = _free_name(
            store.path.with_name(f"{store.path.name}.before-schema-{schema.SCHEMA_VERSION}")
        )
        store.db.conn.execute("VACUUM INTO ?", [str(backup)])
        store.migration_backup = backup
    migrations.apply(store.db)
    store.conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION}")


def _free_name(path: Path) -> Path:
    """`path`, or `path.1`, `path.2`... : the first name nothing is at (a stray file under
    the backup's name is someone's, and is neither overwritten nor an error)."""
    candidate, number = path, 0
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = path.with_name(f"{path.name}.{number}")
    return candidate


def open_without_writing(path: str | Path) -> Store | None:
    """The inventory at `path` for reading only (a dry run): None when there is none yet.

    The file is never written: it is opened read-only, and an older schema is brought up
    to date in a private in-memory copy instead of in place.
    """
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return None
    _check_is_sqlite(path)
    version = _probe_existing(path)
    try:
        conn = _connect(path, readonly=True)
        if version < schema.SCHEMA_VERSION:
            memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            conn.backup(memory)
            conn.close()
            conn = memory
            store = Store(path=path, conn=conn)
            schema.migration_set().apply(store.db)
            store.readonly = True
            return store
        return Store(path=path, conn=conn, readonly=True)
    except sqlite3.OperationalError as error:
        raise StoreError(_explain_operational_error(path, error)) from None
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path} is damaged and can't be used: {error}") from None
