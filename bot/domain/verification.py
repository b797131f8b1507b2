"""Verified residents, for surveys open to verified residents only.

Two ways, both from the issue "Surveys before hearings":

* **Phone**: the resident shares their own contact with Telegram's request-contact button. Accepted
  only when the contact's ``user_id`` is the sender's own id (a forwarded or picked contact of
  someone else has another or no ``user_id``) and the number is Kyrgyz (country code +996,
  followed by 9 digits). The number itself is not stored: only that, how and when.
* **Residence code**: an officer generates a batch of one-time codes for their municipality and
  hands them out at the office or at a hearing; each code verifies one resident of that
  municipality, once. A code-verified resident counts as verified for that municipality only.
  Guessing is throttled: after :data:`CODE_ATTEMPTS` failed codes within :data:`CODE_WINDOW` the
  resident must wait (failures are kept in ``code_attempts``, migration 0004). A resident already
  verified for their municipality is told so and the code is not used up.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from datetime import timedelta

from bot.domain import audit
from bot.db import Database
from bot.domain import DomainError, InvalidInput, NotFound, NumberOutOfRange
from bot.domain.clock import clock, from_db, now_db, to_db
from bot.domain.officers import require_officer
from bot.store import Reader
from bot.store import verification as store

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I: codes are read aloud and copied from paper."""
CODE_LENGTH = 8
MAX_BATCH = 200
"""Codes per batch an officer may generate at once."""
CODE_ATTEMPTS = 5
"""Failed residence codes a resident may send within :data:`CODE_WINDOW` before having to wait."""
CODE_WINDOW = timedelta(hours=1)
KG_PHONE = re.compile(r"^996\d{9}$")
"""A Kyrgyz number after normalization: 996 and the 9-digit national number (ITU-T E.164)."""


class TooManyAttempts(DomainError):
    """Too many failed residence codes lately; ``retry_after`` is a ``timedelta`` until the next try is allowed."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("too many attempts")
        self.retry_after = retry_after


class VerificationRefused(DomainError):
    """Not accepted (see the subclasses)."""


class ContactNotOwn(VerificationRefused):
    """The shared contact is not the sender's own (a forwarded or picked contact)."""


class PhoneNotKyrgyz(VerificationRefused):
    """The number is not a Kyrgyz one (+996 and 9 digits)."""


class AlreadyVerified(VerificationRefused):
    """The resident is already verified for their municipality; the code stays unused."""


class CodeRefused(VerificationRefused):
    """A residence code that does not verify this resident; counted as a failed attempt."""


class CodeUnknown(CodeRefused):
    """No such code."""


class CodeUsed(CodeRefused):
    """The code has verified someone already."""


class CodeOfAnotherMunicipality(CodeRefused):
    """The code is of another municipality than the resident's."""


class NotACode(InvalidInput):
    """The text does not have the shape of a residence code (not counted as an attempt)."""


class CodeCountOutOfRange(NumberOutOfRange):
    """``/codes N`` with N outside 1..:data:`MAX_BATCH`."""


def normalize_phone(raw: str) -> str:
    """Digits only, in international form: "+996 700 123-456" and "996700123456" → "996700123456".

    A local "0700 123 456" becomes "996700123456" too. Anything else is returned as its digits.
    """
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 10 and digits.startswith("0"):
        digits = "996" + digits[1:]
    return digits


def is_kyrgyz_phone(raw: str) -> bool:
    """True for a Kyrgyz number (+996 and 9 digits) in any of the usual spellings."""
    return bool(KG_PHONE.match(normalize_phone(raw)))


def _counts_for(verification: sqlite3.Row | None, municipality_code: str) -> bool:
    """Whether a stored verification counts for ``municipality_code``: a phone anywhere, a code only in its own."""
    if verification is None:
        return False
    return bool(verification["method"] == "phone" or verification["municipality_code"] == municipality_code)


async def is_verified_tx(tx: Reader, resident_id: int, municipality_code: str) -> bool:
    """Whether the resident counts as verified for a survey of ``municipality_code``."""
    return _counts_for(await store.verification_of(tx, resident_id), municipality_code)


async def is_verified(db: Database, resident_id: int, municipality_code: str) -> bool:
    """See :func:`is_verified_tx`."""
    return await is_verified_tx(db, resident_id, municipality_code)


async def verify_by_contact(db: Database, *, sender_id: int, contact_user_id: int | None, phone_number: str) -> None:
    """Verify the sender by a shared contact.

    Raises:
        ContactNotOwn: the contact is not the sender's own. PhoneNotKyrgyz: not +996.
        NotFound: the sender has never written to the bot.
    """
    if contact_user_id is None or int(contact_user_id) != int(sender_id):
        raise ContactNotOwn("not own")
    if not is_kyrgyz_phone(phone_number):
        raise PhoneNotKyrgyz("not kg")
    async with db.transaction() as tx:
        if not await store.resident_exists(tx, sender_id):
            raise NotFound("resident")
        await store.set_phone_verified(tx, sender_id, now_db())


def normalize_code(text: str) -> str:
    """Upper-case, drop spaces and dashes: "k7qm-4xpd" → "K7QM4XPD"."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    """``K7QM-4XPD`` for reading aloud."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def looks_like_code(text: str) -> bool:
    """True if the text has the shape of a residence code."""
    code = normalize_code(text)
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


async def generate_codes(db: Database, *, officer_id: int, count: int) -> list[str]:
    """An officer creates ``count`` one-time residence codes for their own municipality.

    Raises:
        NotAnOfficer: not an officer. CodeCountOutOfRange: ``count`` outside 1..:data:`MAX_BATCH`.
    """
    officer = await require_officer(db, officer_id)
    if not 1 <= count <= MAX_BATCH:
        raise CodeCountOutOfRange(low=1, high=MAX_BATCH, actual=count)
    codes: list[str] = []
    now = now_db()
    async with db.transaction() as tx:
        while len(codes) < count:  # again only for the rare code that exists already
            batch = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                     for _ in range(count - len(codes))]
            inserted = await store.insert_codes(tx, batch, municipality_code=officer.municipality_code,
                                                created_by=officer_id, created_at=now)
            for code in batch:
                if code in inserted:
                    codes.append(code)
                    inserted.discard(code)  # a code repeated in the batch was inserted once
        await audit.record(tx, audit.Actor.officer(officer_id), "verification.codes", audit.Target("municipality"),
                           municipality_code=officer.municipality_code, details={"count": count})
    return codes


async def redeem_code(db: Database, *, resident_id: int, code: str) -> str:
    """Verify a resident of the code's municipality with a one-time residence code; returns the municipality code.

    Atomic: of two residents racing with one code, exactly one is verified. A resident already
    verified for their current municipality is refused with :class:`AlreadyVerified` and the code stays
    unused. Every :class:`CodeRefused` is recorded (who, when — not the
    code) in the same transaction; with :data:`CODE_ATTEMPTS` of them within :data:`CODE_WINDOW`
    no code is looked at until the oldest of those falls out of the window.

    Raises:
        NotACode: not shaped like a code (not counted as an attempt).
        TooManyAttempts: throttled (``retry_after``).
        AlreadyVerified, CodeUnknown, CodeUsed, CodeOfAnotherMunicipality (the resident lives elsewhere).
    """
    if not looks_like_code(code):
        raise NotACode("not a code")
    normalized = normalize_code(code)
    now_dt = clock.now()
    refused: type[CodeRefused] | None = None
    async with db.transaction() as tx:
        recent = await store.recent_failures(tx, resident_id, to_db(now_dt - CODE_WINDOW), CODE_ATTEMPTS)
        if len(recent) >= CODE_ATTEMPTS:
            raise TooManyAttempts(from_db(recent[-1]) + CODE_WINDOW - now_dt)
        home = await store.resident_municipality(tx, resident_id)
        current = await store.verification_of(tx, resident_id)
        if home is not None and _counts_for(current, home):
            raise AlreadyVerified("already")
        row = await store.code_row(tx, normalized)
        if row is None:
            refused = CodeUnknown
        elif row["used_by"] is not None:
            refused = CodeUsed
        elif home != row["municipality_code"]:
            refused = CodeOfAnotherMunicipality
        now = to_db(now_dt)
        if refused is not None:
            await store.record_failure(tx, resident_id, now, forget_until=to_db(now_dt - CODE_WINDOW))
        else:
            assert row is not None
            await store.use_code(tx, normalized, resident_id, now)
            if current is None or current["method"] != "phone":  # a phone verification is wider: keep it
                await store.set_code_verified(tx, resident_id, row["municipality_code"], now)
    if refused is not None or row is None:  # raised after the commit, so that the attempt is kept
        raise (refused or CodeUnknown)("code refused")
    return str(row["municipality_code"])


async def unused_codes_count(db: Database, *, officer_id: int) -> int:
    """How many codes of the officer's municipality are still unused.

    Raises:
        NotAnOfficer: not an officer.
    """
    officer = await require_officer(db, officer_id)
    return await store.count_unused(db, officer.municipality_code)

