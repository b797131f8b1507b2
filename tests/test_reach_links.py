"""Linked chats through the real dispatcher and the emulator: a group and a channel linked by a
one-time code, a non-officer refused, unlinking, the bot removed or left without the right to post
(the link broken, the officer told in private), a group that becomes a supergroup mid-way (nothing
lost), and the outbox's pace in a group under the emulator's per-group limit."""

from __future__ import annotations

import re
import time

from bot.db import Database
from bot.domain import problems as pb
from bot.domain.reach import links, posts
from bot.i18n import numbered
from bot.ui.reach import ReachCallback
from tests.harness import plain
from tests.reach_support import deliver
from tests.support import ALAMUDUN, make_resident
from tests.support import officer_person as make_officer
from tests.support import onboard

OFFICER, STRANGER, RESIDENT, OTHER_OFFICER = 501, 502, 503, 504
GROUP, CHANNEL = -4001, -1004002


async def _code(officer, purpose: int) -> str:
    """The officer asks for a link code in the private chat (0: officers' group, 1: public chat)."""
    [intro] = await officer.send("/link")
    [shown] = await officer.press_data(intro["message_id"], ReachCallback(action="code", value=purpose).pack())
    match = re.search(r"\b([A-Z0-9]{6})\b", plain(shown))
    assert match, plain(shown)
    return match.group(1)


async def _in_group(harness, user_id: int, text: str, chat_id: int = GROUP) -> list[dict]:
    emu = harness.emulator
    before = len(emu.bot_messages(chat_id))
    await harness.feed(emu.send_text(user_id, text, chat_id=chat_id))
    return emu.bot_messages(chat_id)[before:]


async def _staff_group(harness, db: Database, officer) -> None:
    harness.emulator.add_group(GROUP, "Ак-Дөбө адистери")
    await harness.feed(harness.emulator.add_bot_to_chat(GROUP, OFFICER))
    code = await _code(officer, 0)
    [answer] = await _in_group(harness, OFFICER, f"/link {code}")
    assert "✅" in plain(answer)


async def test_a_group_is_linked_by_code_and_gets_the_alerts(harness, db: Database, settings) -> None:
    officer = await make_officer(harness, db, OFFICER)
    await posts.remember_bot_username(db, "jamaat_test_bot")
    harness.emulator.add_group(GROUP, "Ак-Дөбө адистери")
    assert not await _in_group(harness, OFFICER, "Салам баарына!")  # silent in groups
    code = await _code(officer, 0)
    await make_resident(db, STRANGER, "ky")
    [refused] = await _in_group(harness, STRANGER, f"/link {code}")  # a resident, not an officer
    assert "✅" not in plain(refused) and await links.linked_chat(db, GROUP) is None
    await make_officer(harness, db, OTHER_OFFICER, code=ALAMUDUN)  # another municipality's officer
    [refused] = await _in_group(harness, OTHER_OFFICER, f"/link {code}")
    assert "✅" not in plain(refused) and await links.linked_chat(db, GROUP) is None
    [linked] = await _in_group(harness, OFFICER, f"/link {code.lower()}")  # the code is still good
    assert "✅" in plain(linked)
    [again] = await _in_group(harness, OFFICER, f"/link {code}")  # once only
    assert "✅" not in plain(again)
    chat = await links.linked_chat(db, GROUP)
    assert chat is not None and (chat.purpose, chat.status, chat.municipality_code) == ("staff", "active", officer_code())
    await make_resident(db, RESIDENT, "ky")
    problem = await pb.raise_problem(db, author_id=RESIDENT, category="roads", text="Көчөдө жарык жок, караңгы")
    await deliver(harness, db, settings)
    [alert] = harness.emulator.bot_messages(GROUP)[-1:]
    assert numbered(problem.id) in plain(alert)
    buttons = [b for row in alert["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons and all("url" in b and "callback_data" not in b for b in buttons)  # nothing to press in a group
    assert buttons[0]["url"] == f"https://t.me/jamaat_test_bot?start=o_p{problem.id}"
    [offer] = await officer.send(f"/start o_p{problem.id}")  # the officer follows it: the problem, in private
    [card] = await officer.press_data(offer["message_id"], offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    assert numbered(problem.id) in plain(card) and "Көчөдө жарык жок" in plain(card)
    stranger_offer = await onboard(harness, db, STRANGER + 100, "ky")
    assert "po:" not in str([m.get("reply_markup") for m in await stranger_offer.send(f"/start o_p{problem.id}")])
    assert not await _in_group(harness, RESIDENT, "/problems")  # residents' commands do nothing there
    [bye] = await _in_group(harness, STRANGER, "/unlink")  # only officers unlink
    assert (await links.linked_chat(db, GROUP)).status == "active", plain(bye)
    await _in_group(harness, OFFICER, "/unlink")
    assert (await links.linked_chat(db, GROUP)).status == "unlinked"
    logged = await db.fetchall("SELECT action, actor_resident_id FROM audit_log WHERE action LIKE 'chat.%' ORDER BY id")
    assert [tuple(r) for r in logged] == [("chat.link", OFFICER), ("chat.unlink", OFFICER)]  # the audit log


async def test_blank_and_bare_slash_messages_in_a_group_are_ignored_quietly(harness, db: Database) -> None:
    """A space, a bare "/" or "/@" typed in a group (the CI fuzz run found a single space crashed the
    linking filter): nothing in the group, and no "something went wrong" in the sender's private chat."""
    await make_resident(db, RESIDENT, "ru")
    harness.emulator.add_group(GROUP, "Ак-Дөбө")
    for text in (" ", "/", "/ ", "/@", "/@bot", " /link"):
        assert not await _in_group(harness, RESIDENT, text), text
    assert not harness.emulator.bot_messages(RESIDENT)


def officer_code() -> str:
    from tests.support import AK_DEBE

    return AK_DEBE


async def test_a_channel_is_linked_by_the_code_posted_there(harness, db: Database, settings) -> None:
    officer = await make_officer(harness, db, OFFICER)
    emu = harness.emulator
    emu.add_channel(CHANNEL, "Ак-Дөбө айыл өкмөтү")
    await harness.feed(emu.add_bot_to_chat(CHANNEL, OFFICER, admin=True, can_post_messages=False))
    code = await _code(officer, 1)
    await harness.feed(emu.post_in_channel(CHANNEL, code))  # the bot may not post there yet: not linked
    assert await links.linked_chat(db, CHANNEL) is None
    await harness.feed(emu.set_bot_rights(CHANNEL, OFFICER, can_post_messages=True))
    await harness.feed(emu.post_in_channel(CHANNEL, code))
    chat = await links.linked_chat(db, CHANNEL)
    assert chat is not None and (chat.chat_type, chat.purpose, chat.locales) == ("channel", "public", ("ky", "ru"))
    assert emu.deleted_messages and emu.deleted_messages[-1]["text"] == code  # the code's post is removed
    await deliver(harness, db, settings)
    assert "Ак-Дөбө айыл өкмөтү" in plain(officer.last())  # told in private
    figures = await posts.chat_figures(db, officer_code())
    assert [(f.title, f.posts, f.joins) for f in figures] == [("Ак-Дөбө айыл өкмөтү", 0, 0)]
    [screen] = await officer.send("/reach")
    assert "Ак-Дөбө айыл өкмөтү" in plain(screen)


async def test_removal_and_lost_rights_break_the_link_and_tell_the_officer(harness, db: Database, settings) -> None:
    officer = await make_officer(harness, db, OFFICER)
    emu = harness.emulator
    await _staff_group(harness, db, officer)
    await harness.feed(emu.remove_bot_from_chat(GROUP, OFFICER))  # Telegram tells the bot
    chat = await links.linked_chat(db, GROUP)
    assert (chat.status, chat.broken_reason) == ("broken", "removed")
    await deliver(harness, db, settings)
    assert "Ак-Дөбө адистери" in plain(officer.last())
    told = len(emu.bot_messages(OFFICER))
    # a channel whose admin took the right to post, the update not seen: the refused send breaks it
    emu.add_channel(CHANNEL, "Айыл каналы")
    await harness.feed(emu.add_bot_to_chat(CHANNEL, OFFICER, admin=True))
    code = await _code(officer, 1)
    await harness.feed(emu.post_in_channel(CHANNEL, code))
    await deliver(harness, db, settings)
    told = len(emu.bot_messages(OFFICER))
    emu._bot_member[CHANNEL]["can_post_messages"] = False  # changed behind the bot's back
    from bot.domain import announcements

    await announcements.announce(db, officer_id=OFFICER, municipality_code=officer_code(), text_ky="Эртең жыйын болот.",
                                 text_ru=None, draft_id="d1")
    await deliver(harness, db, settings)
    chat = await links.linked_chat(db, CHANNEL)
    assert (chat.status, chat.broken_reason) == ("broken", "rights")
    assert any("Айыл каналы" in plain(m) for m in emu.bot_messages(OFFICER)[told:])  # told in private


async def test_group_becomes_a_supergroup_mid_way_and_nothing_is_lost(harness, db: Database, settings) -> None:
    officer = await make_officer(harness, db, OFFICER)
    emu = harness.emulator
    await _staff_group(harness, db, officer)
    await make_resident(db, RESIDENT, "ky")
    new_id = emu.migrate_to_supergroup(GROUP, OFFICER, announce=False)  # the bot is not told
    first = await pb.raise_problem(db, author_id=RESIDENT, category="roads", text="Биринчи көйгөй: жол жок")
    second = await pb.raise_problem(db, author_id=RESIDENT, category="water", text="Экинчи көйгөй: суу жок")
    await deliver(harness, db, settings)
    texts = [plain(m) for m in emu.bot_messages(new_id)]
    assert any(numbered(first.id) in t for t in texts) and any(numbered(second.id) in t for t in texts)
    chat = await links.linked_chat(db, new_id)
    assert chat is not None and chat.chat_type == "supergroup" and chat.status == "active"
    third = await pb.raise_problem(db, author_id=RESIDENT, category="water", text="Үчүнчү көйгөй: суу жок")
    refused = sum(1 for m, p in emu.requests if m == "sendMessage" and p.get("chat_id") == GROUP)
    await deliver(harness, db, settings)
    assert any(numbered(third.id) in plain(m) for m in emu.bot_messages(new_id))
    assert sum(1 for m, p in emu.requests if m == "sendMessage" and p.get("chat_id") == GROUP) == refused  # straight there
    # and when Telegram's service message comes first, the link moves before any send
    emu.add_group(GROUP - 1, "Экинчи топ")
    await harness.feed(emu.add_bot_to_chat(GROUP - 1, OFFICER))
    code = await _code(officer, 0)
    await _in_group(harness, OFFICER, f"/link {code}", chat_id=GROUP - 1)
    moved = emu.migrate_to_supergroup(GROUP - 1, OFFICER)
    while emu._updates and emu._updates[0]["update_id"] <= emu._last_update_id:
        update = emu._updates.pop(0)
        if "message" in update:
            await harness.feed(update)
    assert (await links.linked_chat(db, moved)) is not None


async def test_the_group_pace_is_respected_under_the_emulators_limit(harness, db: Database, settings,
                                                                     monkeypatch) -> None:
    from bot.send import budget

    officer = await make_officer(harness, db, OFFICER)
    emu = harness.emulator
    await _staff_group(harness, db, officer)
    # Telegram's 20 per 60 s, scaled to 5 per 6 s so the test is quick: the budget spaces a group by 1.2 s
    # (the 1 s between messages to one person would overrun it: the 6th would be refused with 429)
    emu.group_rate_limit = (5, 6.0)
    emu.rate_limits_enabled = True
    emu.global_rate, emu.per_chat_rate = 1000.0, 100.0
    monkeypatch.setattr(budget, "GROUP_INTERVAL", 1.2)
    await onboard(harness, db, RESIDENT, "ky")
    for n in range(8):
        await pb.raise_problem(db, author_id=RESIDENT, category="roads", text=f"Жол бузулган, {n + 1}-көчө")
    started = time.monotonic()
    await deliver(harness, db, settings, timeout=40)
    sends = [p for m, p in emu.requests if m == "sendMessage" and p.get("chat_id") == GROUP and "№" in p["text"]]
    delivered = [m for m in emu.bot_messages(GROUP) if "№" in plain(m)]
    assert len(delivered) == 8  # every alert arrived
    assert len(sends) == 8  # none refused with 429 and sent again: the budget kept the pace
    assert time.monotonic() - started >= 7 * 1.2 - 0.1
