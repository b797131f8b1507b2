"""Naming: an officer sets the Kyrgyz name of their own municipality (kept across re-imports)."""

from __future__ import annotations

from bot.db import Database
from bot.domain.clock import now_db
from bot.domain.errors import NotAnOfficer, NotFound, TextTooLong, TextTooShort, WrongMunicipality
from bot.domain.municipalities.model import NAME_MAX_LENGTH, NameNotOneLine, Place, search_key
from bot.domain.municipalities.places import get_municipality
from bot.domain.text import clean_user_text


async def set_name_ky(db: Database, *, officer_id: int, municipality_code: str, name_ky: str) -> Place:
    """An officer sets the Kyrgyz name of their own municipality.

    The name is cleaned (:func:`bot.domain.text.clean_user_text`) and stored as the officer's
    (``name_ky_source = 'officer'``), so a later import of the list never overwrites it.

    Raises:
        TextTooShort: nothing is left after cleaning.
        NameNotOneLine: the name has a line break.
        TextTooLong: over :data:`NAME_MAX_LENGTH` characters.
        NotAnOfficer: the actor is not an officer.
        WrongMunicipality: the actor is an officer of another municipality.
        NotFound: no such municipality.
    """
    name = clean_user_text(name_ky)
    if not name:
        raise TextTooShort(limit=1, actual=0)
    if "\n" in name:
        raise NameNotOneLine("a name is one line", limit=NAME_MAX_LENGTH, actual=len(name))
    if len(name) > NAME_MAX_LENGTH:
        raise TextTooLong(limit=NAME_MAX_LENGTH, actual=len(name))
    async with db.transaction() as tx:
        own = await tx.fetchval("SELECT municipality_code FROM officers WHERE telegram_id = ?", (officer_id,))
        if own is None:
            raise NotAnOfficer("not an officer")
        if own != municipality_code:
            raise WrongMunicipality("officer of another municipality")
        row = await tx.fetchone("SELECT name_ru FROM municipalities WHERE code = ?", (municipality_code,))
        if row is None:
            raise NotFound("municipality")
        await tx.execute(
            "UPDATE municipalities SET name_ky = ?, name_ky_source = 'officer', name_ky_set_by = ?,"
            " search_key = ?, updated_at = ? WHERE code = ?",
            (name, officer_id, search_key(row["name_ru"], name), now_db(), municipality_code),
        )
    place = await get_municipality(db, municipality_code)
    assert place is not None
    return place
