"""Naming: an officer sets the Kyrgyz name of their own municipality (kept across re-imports)."""

from __future__ import annotations

from bot.db import Database
from bot.domain import audit
from bot.domain.clock import now_db
from bot.domain.errors import NotAnOfficer, NotFound, TextTooLong, TextTooShort, WrongMunicipality
from bot.domain.municipalities.model import NAME_MAX_LENGTH, NameNotOneLine, Place, search_key
from bot.domain.municipalities.places import get_municipality
from bot.domain.text import clean_user_text
from bot.store import municipalities as store
from bot.store import officers as officers_store


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
        tx.after_commit.append(lambda: tx.cache.pop("locations", None))  # places.LOCATIONS_CACHE
        tx.after_commit.append(lambda: tx.cache.pop("municipality_search", None))  # search.SEARCH_CACHE
        own = await officers_store.municipality_of(tx, officer_id)
        if own is None:
            raise NotAnOfficer("not an officer")
        if own != municipality_code:
            raise WrongMunicipality("officer of another municipality")
        names = await store.names_of(tx, municipality_code)
        if names is None:
            raise NotFound("municipality")
        await store.set_officer_name_ky(tx, municipality_code, name_ky=name, officer_id=officer_id,
                                        search_key=search_key(names[0], name), at=now_db())
        await audit.record(tx, audit.Actor.officer(officer_id), "municipality.name_ky", audit.Target("municipality"),
                           municipality_code=municipality_code, details={"name_ky": name})
    place = await get_municipality(db, municipality_code)
    assert place is not None
    return place
