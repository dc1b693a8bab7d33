"""Writing files so that a reader never sees half of one, and never over the database."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

Data = str | bytes | Iterable[bytes]
"""What a file gets: text, bytes, or bytes in chunks (a large export, never whole in memory)."""

DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal")
"""The files SQLite keeps for a database: the file itself, its log, its shared memory
index and its rollback journal. Writing over any of them loses or damages data."""


class OutputPathError(OSError):
    """An output path that must not be written (it is the database or one of its files)."""


def refuse_database_path(output: Path, database: Path | None) -> None:
    """Refuse an output that is the database, one of its companion files, or a (hard or
    symbolic) link to one of them; a path that does not exist yet is compared by name."""
    if database is None:
        return
    target = Path(os.path.realpath(output))
    for suffix in DATABASE_COMPANIONS:
        protected = Path(f"{database}{suffix}")
        same = Path(os.path.realpath(protected)) == target
        if not same and target.exists() and protected.exists():
            try:
                same = os.path.samefile(target, protected)
            except OSError:
                same = False
        if same:
            what = "the database" if not suffix else f"the database's {suffix[1:]} file"
            raise OutputPathError(
                f"{output} is {what} ({protected}); choose another output file, nothing was written"
            )


def write_error_message(path: Path | str, error: OSError) -> str:
    """One line saying why `path` could not be written."""
    if isinstance(error, OutputPathError):
        return str(error)
    return f"{path} can't be written: {error.strerror or error}"


def write_text_file(path: Path, text: Data, *, database: Path | None = None) -> None:
    """Write `text` to `path`: atomically when it is a regular file or a new path (temporary
    file + rename), straight into anything else (a FIFO, a device such as /dev/null: a
    rename would put a regular file in its place). A symbolic link is followed, so the link
    stays and its target gets the text."""
    refuse_database_path(path, database)
    target = Path(os.path.realpath(path))
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    if mode is not None and not stat.S_ISREG(mode):
        with _open(target, text) as stream:
            _write(stream, text)
        return
    write_atomically(target, text)


def _open(path: Path | int, data: Data) -> IO[Any]:
    """Text as UTF-8 with the line ends it has; bytes (a workbook, chunks) as they are."""
    if isinstance(data, str):
        return open(path, "w", encoding="utf-8", newline="\n")
    return open(path, "wb")


def _write(stream: IO[Any], data: Data) -> None:
    if isinstance(data, str | bytes):
        stream.write(data)
        return
    for chunk in data:
        stream.write(chunk)


def write_atomically(path: Path, text: Data) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`."""
    directory = path.parent if str(path.parent) else Path(".")
    import tempfile  # shutil, bz2, lzma, random...: not for `check` on a terminal

    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else _default_mode())
        with _open(handle, text) as stream:
            _write(stream, text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
