"""The vocabulary of the inventory document spec: records, enums and their validation."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    ValidationInfo,
    field_validator,
)

from inventory.dates import parse_date

DOCUMENT_FORMAT = "social-inventory/2"
LEGACY_DOCUMENT_FORMAT = "social-inventory/1"
READABLE_FORMATS = (DOCUMENT_FORMAT, LEGACY_DOCUMENT_FORMAT)


class Function(StrEnum):
    MARKETING = "marketing"
    COMMUNICATIONS = "communications"
    CUSTOMER_CARE = "customer_care"
    SALES = "sales"
    HR = "hr"
    LEGAL = "legal"
    IT = "it"
    EXECUTIVE = "executive"
    OTHER = "other"


class SocialAccess(StrEnum):
    OPEN = "open"
    RESTRICTED = "restricted"
    BLOCKED = "blocked"


class Employment(StrEnum):
    EMPLOYEE = "employee"
    EXTERNAL = "external"


class ConsultantKind(StrEnum):
    AGENCY = "agency"
    FREELANCER = "freelancer"


class PolicyStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    RETIRED = "retired"


class Platform(StrEnum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    LINKEDIN = "linkedin"
    X = "x"
    YOUTUBE = "youtube"
    TIKTOK = "tiktok"
    THREADS = "threads"
    PINTEREST = "pinterest"
    SNAPCHAT = "snapchat"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    REDDIT = "reddit"
    OTHER = "other"


class ChannelStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    DORMANT = "dormant"
    RETIRED = "retired"


class ConsultantRole(StrEnum):
    ADVISORY = "advisory"
    CONTENT = "content"
    FULL_MANAGEMENT = "full_management"


class CredentialsHolder(StrEnum):
    IN_HOUSE = "in_house"
    CONSULTANT = "consultant"
    UNKNOWN = "unknown"


class TwoFactor(StrEnum):
    ON = "on"
    OFF = "off"
    UNKNOWN = "unknown"


class Takedown(StrEnum):
    OPEN = "open"
    REQUESTED = "requested"
    REMOVED = "removed"
    TOLERATED = "tolerated"


class Goal(StrEnum):
    RELATIONSHIP = "relationship"
    CUSTOMER_CARE = "customer_care"
    AWARENESS = "awareness"
    RECRUITING = "recruiting"
    COMMUNITY = "community"
    SALES_ROI = "sales_roi"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class SubjectType(StrEnum):
    CHANNEL = "channel"
    DEPARTMENT = "department"
    CONSULTANT = "consultant"
    POLICY = "policy"
    LOOKALIKE = "lookalike"
    ORGANIZATION = "organization"


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DOMAIN = re.compile(r"[^@\s]+")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


def _iso_date(value: Any) -> Any:
    """Accept only `YYYY-MM-DD` text (pydantic's lax mode would take timestamps too)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD")
    return parse_date(value)


def _hours(value: Any) -> Any:
    """Reject booleans and text; keep whole numbers as ints so documents round-trip."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a number")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{value!r} is not a finite number")
    if value < 0:
        raise ValueError(f"{value!r} is negative; hours a week must be 0 or more")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _is_edge_junk(character: str) -> bool:
    """White space, a control character (`\\x1f`) or an invisible format character
    (zero-width space, byte order mark): nothing a person sees at the end of a key."""
    return character.isspace() or unicodedata.category(character) in ("Cc", "Cf")


def clean_text(value: str) -> str:
    """A string as the inventory keeps it: without white space, control or invisible
    characters at either end. The one trimming used for every text field and every key."""
    if value and "!" <= value[0] <= "~" and "!" <= value[-1] <= "~":
        return value  # printable ASCII at both ends: nothing to trim (nearly every string)
    start, end = 0, len(value)
    while start < end and _is_edge_junk(value[start]):
        start += 1
    while end > start and _is_edge_junk(value[end - 1]):
        end -= 1
    return value[start:end]


def key_form(kind: str, key: str) -> str:
    """The form in which two natural keys are compared: cleaned, and for a person's e-mail
    case-folded (Unicode case, not only ASCII: `Ärger@` = `ärger@`, the Kelvin sign = K).
    Import, forms, the store and waivers all compare keys through this one function."""
    cleaned = clean_text(key)
    return cleaned.casefold() if kind == "person" else cleaned


def _cleaned(value: Any) -> Any:
    """Every text field's validator (a million calls in a large import): `clean_text`'s
    quick answer for printable ASCII ends is repeated here to spare a call."""
    if isinstance(value, str):
        if value and "!" <= value[0] <= "~" and "!" <= value[-1] <= "~":
            return value
        return clean_text(value)
    return value


IsoDate = Annotated[
    date, BeforeValidator(_iso_date), PlainSerializer(lambda d: d.isoformat(), return_type=str)
]
Hours = Annotated[int | float | None, BeforeValidator(_hours)]
Text = Annotated[str, Field(strict=True), BeforeValidator(_cleaned)]
RequiredText = Annotated[str, Field(strict=True, min_length=1), BeforeValidator(_cleaned)]


class Record(BaseModel):
    """Every record: unknown fields are errors, strings are trimmed, enums stay plain values."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        use_enum_values=True,
        validate_assignment=True,
        # validators are built on first use, not at import: the UI's first screen needs none
        defer_build=True,
    )


class Organization(Record):
    name: RequiredText
    email_domains: list[RequiredText] = Field(default_factory=list)

    @field_validator("email_domains")
    @classmethod
    def _lower_case_domains(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _DOMAIN.fullmatch(value):
                raise ValueError(f"{value!r} is not a domain (no '@', no spaces)")
            if value != value.lower():
                raise ValueError(f"{value!r} must be lower-case ({value.lower()!r})")
        _refuse_repeats(values, "")
        return values


class Department(Record):
    name: RequiredText
    function: Function = Function.OTHER
    social_access: SocialAccess = SocialAccess.OPEN


class Person(Record):
    email: RequiredText
    name: RequiredText
    department: RequiredText | None = None
    employment: Employment = Employment.EMPLOYEE
    left_on: IsoDate | None = None

    @field_validator("email")
    @classmethod
    def _looks_like_an_address(cls, value: str) -> str:
        return _address(value)


class Consultant(Record):
    name: RequiredText
    kind: ConsultantKind = ConsultantKind.AGENCY
    knowledge_transfer: StrictBool = False
    deliverables: list[RequiredText] = Field(default_factory=list)
    contract_end_on: IsoDate | None = None


class Policy(Record):
    version: RequiredText
    title: RequiredText
    status: PolicyStatus = PolicyStatus.DRAFT
    legal_reviewed_on: IsoDate | None = None
    next_review_on: IsoDate | None = None


class ChannelConsultant(Record):
    consultant: RequiredText
    role: ConsultantRole


class Channel(Record):
    platform: Platform
    handle: RequiredText
    name: RequiredText
    url: Text | None = None
    status: ChannelStatus = ChannelStatus.ACTIVE
    owner: RequiredText | None = None
    backup_owner: RequiredText | None = None
    reporting_department: RequiredText | None = None
    linked_departments: list[RequiredText] = Field(default_factory=list)
    consultants: list[ChannelConsultant] = Field(default_factory=list)
    credentials_holder: CredentialsHolder = CredentialsHolder.UNKNOWN
    policy: RequiredText | None = None
    weekly_hours: Hours = None
    last_post_on: IsoDate | None = None
    goals: list[Goal] = Field(default_factory=list)
    notes: Text = ""
    admins: list[RequiredText] = Field(default_factory=list)
    login_email: Text | None = None
    two_factor: TwoFactor = TwoFactor.UNKNOWN
    reviewed_on: IsoDate | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return _http_url(value)

    @field_validator("login_email")
    @classmethod
    def _login_address(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        # the spec's test for a login mailbox: one '@', text on both sides
        local, at, domain = value.partition("@")
        if not (at and local and domain) or "@" in domain:
            raise ValueError(
                f"{value!r} does not look like an address (one '@', text on both sides)"
            )
        return value

    @field_validator("admins")
    @classmethod
    def _admins_once(cls, values: list[str], info: ValidationInfo) -> list[str]:
        if not values:
            return values
        _refuse_repeats([v.lower() for v in values], "admin ")
        # owner and backup_owner come before admins, so they are validated already
        owners = {
            str(email).lower(): role
            for role in ("owner", "backup_owner")
            if (email := info.data.get(role))
        }
        both = [
            f"{v!r} (the {owners[v.lower()].replace('_', ' ')})"
            for v in values
            if v.lower() in owners
        ]
        if both:
            raise ValueError(
                f"lists {', '.join(both)}: the owner and backup owner are not listed as admins"
            )
        return values

    @field_validator("linked_departments", "goals")
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        if len(values) > 1:
            _refuse_repeats([str(v) for v in values], "")
        return values

    @field_validator("consultants")
    @classmethod
    def _one_role_per_consultant(cls, values: list[ChannelConsultant]) -> list[ChannelConsultant]:
        if len(values) > 1:
            _refuse_repeats([v.consultant for v in values], "consultant ")
        return values

    @property
    def key(self) -> str:
        return channel_id(self.platform, self.handle)


class Lookalike(Record):
    """An account that presents itself as the company but that the company does not run."""

    platform: Platform
    handle: RequiredText
    url: Text | None = None
    found_on: IsoDate
    takedown: Takedown = Takedown.OPEN
    notes: Text = ""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return _http_url(value)

    @property
    def key(self) -> str:
        return channel_id(self.platform, self.handle)


def _address(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} does not look like an e-mail address")
    return value


def _http_url(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if not _URL.fullmatch(value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _refuse_repeats(values: list[str], what: str) -> None:
    if len(set(values)) == len(values):
        return
    repeated = sorted(value for value, count in Counter(values).items() if count > 1)
    raise ValueError(f"lists {what}{', '.join(map(repr, repeated))} more than once")


def channel_id(platform: str, handle: str) -> str:
    """The canonical id of a channel used in flags: `platform/handle`."""
    return f"{platform}/{handle}"


class InventoryDocument(Record):
    format: str
    organization: Organization
    departments: list[Department] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    consultants: list[Consultant] = Field(default_factory=list)
    policies: list[Policy] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    lookalikes: list[Lookalike] = Field(default_factory=list)

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in READABLE_FORMATS:
            readable = " or ".join(repr(f) for f in READABLE_FORMATS)
            raise ValueError(f"{value!r} is not a supported format; expected {readable}")
        return value


FIELDS_ADDED_IN_2: dict[str, tuple[str, ...]] = {
    "organization": ("email_domains",),
    "people": ("left_on",),
    "channels": ("admins", "login_email", "two_factor", "reviewed_on"),
    "document": ("lookalikes",),
}
"""What `/2` added to `/1`, by document section: a `/1` document holding one is an error."""
