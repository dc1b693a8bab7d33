"""One cell's value read as a field expects it: text, an allowed word, yes or no, a
platform (or the platform of a URL), a date, a number, a list. A cell that can't be read
raises CellProblem, which the caller turns into a message with row and column."""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime

from inventory.dates import looks_like_date, parse_date
from inventory.models import Platform
from inventory.sheets import Cell, cell_text, number_text
from inventory.spreadsheet.columns import normalized

PLATFORM_SPELLINGS: dict[str, Platform] = {
    **{normalized(p.value): p for p in Platform},
    "fb": Platform.FACEBOOK, "meta": Platform.FACEBOOK,
    "ig": Platform.INSTAGRAM, "insta": Platform.INSTAGRAM,
    "li": Platform.LINKEDIN,
    "twitter": Platform.X, "xtwitter": Platform.X, "twitterx": Platform.X,
    "xformerlytwitter": Platform.X, "tw": Platform.X,
    "yt": Platform.YOUTUBE,
    "tt": Platform.TIKTOK,
    "snap": Platform.SNAPCHAT,
    "wa": Platform.WHATSAPP,
    "tg": Platform.TELEGRAM,
    "bsky": Platform.BLUESKY,
}  # fmt: skip
# "LinkedIn Page", "YouTube channel", "Instagram business account": the platform's name
# followed by what kind of account it is
_ACCOUNT_WORDS = re.compile(r"(companypage|page|account|channel|profile|business|company|group)+$")

PLATFORM_HOSTS: dict[str, Platform] = {
    "facebook.com": Platform.FACEBOOK, "fb.com": Platform.FACEBOOK, "fb.me": Platform.FACEBOOK,
    "instagram.com": Platform.INSTAGRAM, "instagr.am": Platform.INSTAGRAM,
    "linkedin.com": Platform.LINKEDIN, "lnkd.in": Platform.LINKEDIN,
    "x.com": Platform.X, "twitter.com": Platform.X,
    "youtube.com": Platform.YOUTUBE, "youtu.be": Platform.YOUTUBE,
    "tiktok.com": Platform.TIKTOK,
    "threads.net": Platform.THREADS, "threads.com": Platform.THREADS,
    "pinterest.com": Platform.PINTEREST, "pin.it": Platform.PINTEREST,
    "snapchat.com": Platform.SNAPCHAT,
    "whatsapp.com": Platform.WHATSAPP, "wa.me": Platform.WHATSAPP,
    "t.me": Platform.TELEGRAM, "telegram.me": Platform.TELEGRAM, "telegram.org": Platform.TELEGRAM,
    "mastodon.social": Platform.MASTODON, "mastodon.online": Platform.MASTODON,
    "mstdn.social": Platform.MASTODON,
    "bsky.app": Platform.BLUESKY,
    "reddit.com": Platform.REDDIT, "redd.it": Platform.REDDIT,
}  # fmt: skip
_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://([^/?#:@]+@)?([^/?#:]+)", re.IGNORECASE)

EMPTY_WORDS = {"-", "n/a", "none", "—"}
_LONGEST_EMPTY = max(map(len, EMPTY_WORDS))
YES = {"yes", "y", "true", "1", "x", "sì", "si", "oui", "ja"}
NO = {"no", "n", "false", "0", "nein", "non"}


class CellProblem(Exception):
    """Why one cell can't be read (the caller adds row and column)."""


def show(value: Cell) -> str:
    """A cell's value in a message: JSON-quoted text, so blanks and controls are visible."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return cell_text(value) if value is not None else "(empty)"


def present(value: Cell) -> bool:
    return blank_to_none(value) is not None


def blank_to_none(value: Cell) -> Cell:
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        # case folding never shortens a text: a longer one is no empty word (2.5 million
        # cells at 100,000 channels)
        if not stripped or (len(stripped) <= _LONGEST_EMPTY and stripped.casefold() in EMPTY_WORDS):
            return None
    return value


def as_text(value: Cell) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_text(value)
    if isinstance(value, datetime | date):
        return cell_text(value)
    raise CellProblem("must be text")


def as_enum(value: Cell, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    found = _enum_word(allowed, as_text(value))
    if found is None:
        raise CellProblem(f"is not allowed; allowed values: {', '.join(allowed)}")
    return found


@functools.lru_cache(maxsize=4096)
def _enum_word(allowed: tuple[str, ...], text: str) -> str | None:
    """The allowed value `text` spells (a column holds the same few words 100,000 times)."""
    return _by_word(allowed).get(normalized(text))


@functools.lru_cache(maxsize=64)
def _by_word(allowed: tuple[str, ...]) -> dict[str, str]:
    return {normalized(a): a for a in allowed}


def as_yes_no(value: Cell) -> bool:
    if isinstance(value, bool):
        return value
    word = as_text(value).casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    raise CellProblem("is not yes or no (yes/no, y/n, true/false, 1/0, x)")


def platform_of(value: Cell) -> str:
    word = normalized(as_text(value))
    platform = PLATFORM_SPELLINGS.get(word) or PLATFORM_SPELLINGS.get(_ACCOUNT_WORDS.sub("", word))
    if platform is None:
        names = ", ".join(p.value for p in Platform)
        raise CellProblem(f"is not a platform this inventory knows; platforms: {names}")
    return platform.value


def platform_of_url(url: str) -> str:
    match = _HOST.match(url.strip())
    if match is None:
        raise CellProblem("is not an http(s) URL, so the platform can't be told from it")
    host = match[2].lower().rstrip(".")
    for prefix in ("www.", "m.", "mobile.", "business."):
        host = host.removeprefix(prefix)
    for known, platform in PLATFORM_HOSTS.items():
        if host == known or host.endswith("." + known):
            return platform.value
    if host.split(".")[0] in ("mastodon", "mstdn"):
        return Platform.MASTODON.value
    raise CellProblem(
        f"the host {host} is not one this inventory knows; add a Platform column for this row"
    )


def as_date(value: Cell) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and looks_like_date(value):
        try:
            return parse_date(value).isoformat()
        except ValueError as error:
            raise CellProblem(str(error).partition(" ")[2]) from None
    raise CellProblem(
        "is not a date: write it as YYYY-MM-DD or use a date cell (day and month are never guessed)"
    )


def as_number(value: Cell) -> int | float:
    if isinstance(value, bool):
        raise CellProblem("is not a number")
    if isinstance(value, int | float):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    text = as_text(value).replace(" ", "")
    if re.fullmatch(r"\d+,\d+", text):  # a decimal comma, as European spreadsheets write it
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise CellProblem("is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise CellProblem("is not a finite number")
    return int(number) if number.is_integer() else number


def split_list(text: str, *, people: bool = False) -> list[str]:
    """Items separated by `;`, or by `,` when the cell holds no `;` (people: `;` only)."""
    separator = ";" if people or ";" in text else ","
    return [item.strip() for item in text.split(separator) if present(item)]


def unicode_key(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()
