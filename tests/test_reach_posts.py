"""Public chats through the real dispatcher and the emulator: a hearing announcement posted to the
municipality's channel and two village groups in each chat's languages, with a deep link that
onboards a new resident straight into the municipality (language, then a confirmation, no search)
and opens the hearing; the reach figures count the post and the join."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from bot.db import Database
from bot.domain.reach import links, posts
from bot.domain.residents import get_resident
from bot.ui.reach import ReachCallback
from tests.harness import plain
from tests.hearings_support import OFFICER, START, make_hearing  # noqa: F401  (START: the frozen clock's)
from tests.reach_support import deliver
from tests.support import AK_DEBE
from tests.support import officer_person as make_officer

pytestmark = pytest.mark.usefixtures("frozen_clock")
CHANNEL, VILLAGE_1, VILLAGE_2 = -1009001, -9002, -9003
NEWCOMER = 9100
TITLE_KY, TITLE_RU = "2027-жылдын бюджетинин долбоору", "Проект бюджета на 2027 год"


async def _code(officer) -> str:
    [intro] = await officer.send("/link")
    [shown] = await officer.press_data(intro["message_id"], ReachCallback(action="code", value=1).pack())
    return re.search(r"\b([A-Z0-9]{6})\b", plain(shown)).group(1)


def _link_button(message: dict) -> str:
    [button] = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
    return button["url"]


async def test_announcement_in_channel_and_groups_and_the_deep_link_onboards(harness, db: Database, settings) -> None:
    emu = harness.emulator
    officer = await make_officer(harness, db, OFFICER)
    await posts.remember_bot_username(db, "jamaat_test_bot")
    emu.add_channel(CHANNEL, "Ак-Дөбө айыл өкмөтү")
    await harness.feed(emu.add_bot_to_chat(CHANNEL, OFFICER, admin=True))
    await harness.feed(emu.post_in_channel(CHANNEL, await _code(officer)))
    for chat_id, title in ((VILLAGE_1, "Ак-Дөбө айылы"), (VILLAGE_2, "Жаңы-Жер айылы")):
        emu.add_group(chat_id, title)
        await harness.feed(emu.add_bot_to_chat(chat_id, OFFICER))
        await harness.feed(emu.send_text(OFFICER, f"/link {await _code(officer)}", chat_id=chat_id))
    village_2 = await links.linked_chat(db, VILLAGE_2)
    [screen] = await officer.send("/reach")
    await officer.press_data(screen["message_id"], ReachCallback(action="chat", ref=village_2.ref).pack())
    await officer.press_data(screen["message_id"], ReachCallback(action="lang", ref=village_2.ref, value=2).pack())
    assert (await links.linked_chat(db, VILLAGE_2)).locales == ("ru",)

    hearing = await make_hearing(db)
    await deliver(harness, db, settings)
    channel_post, post_1, post_2 = (emu.bot_messages(c)[-1] for c in (CHANNEL, VILLAGE_1, VILLAGE_2))
    assert TITLE_KY in plain(channel_post) and TITLE_RU in plain(channel_post)  # both languages
    assert TITLE_RU in plain(post_2) and TITLE_KY not in plain(post_2)  # the language chosen for it
    links_ = [_link_button(m) for m in (channel_post, post_1, post_2)]
    payloads = [parse_qs(urlparse(u).query)["start"][0] for u in links_]
    assert all(u.startswith("https://t.me/jamaat_test_bot?start=") for u in links_)
    assert len(set(payloads)) == 3 and all(len(p) <= 64 and re.fullmatch(r"[A-Za-z0-9_-]+", p) for p in payloads)

    newcomer = harness.person(NEWCOMER, "Бакыт", language_code="ru")
    [prompt] = await newcomer.send(f"/start {payloads[1]}")  # from the first village group
    assert "Кыргызча" in str(prompt["reply_markup"]) and "Русский" in str(prompt["reply_markup"])
    replies = await newcomer.press("Русский")
    question = replies[-1]
    assert "Ак-Дебе" in plain(question) or "Ак-Дөбө" in plain(question)  # the municipality, no search
    assert "rj:yes" in str(question["reply_markup"]) and not any("geo:" in str(m.get("reply_markup")) for m in replies)
    cards = await newcomer.press("✅")
    resident = await get_resident(db, NEWCOMER)
    assert resident is not None and resident.municipality_code == AK_DEBE and resident.locale == "ru"
    assert any(TITLE_RU in plain(m) for m in cards)  # the hearing opens
    again = await newcomer.press("✅", question)  # a second tap changes nothing
    assert not any(TITLE_RU in plain(m) for m in again)

    figures = {f.chat_id: f for f in await posts.chat_figures(db, AK_DEBE)}
    assert (figures[VILLAGE_1].posts, figures[VILLAGE_1].joins) == (1, 1)
    assert (figures[CHANNEL].posts, figures[CHANNEL].joins) == (1, 0)
    assert figures[CHANNEL].posts_sent == 1
    [reach] = await officer.send("/reach")
    assert "Ак-Дөбө айылы" in plain(reach)
    assert hearing.id


async def test_a_bad_or_foreign_payload_falls_back_to_ordinary_onboarding(harness, db: Database) -> None:
    newcomer = harness.person(NEWCOMER, "Бакыт", language_code="ru")
    [prompt] = await newcomer.send("/start r_99999999999999_0_1")  # no such municipality
    assert "Русский" in str(prompt["reply_markup"])
    replies = await newcomer.press("Русский")
    assert "geo:oblast:" in str(replies[-1].get("reply_markup"))  # the ordinary picker
    assert posts.parse_payload("r_41708203803000_h12_5") == posts.DeepLink(AK_DEBE, "h12", 5)
    assert posts.parse_payload("r_41708203803000_x12_5") is None
    assert len(posts.make_payload(AK_DEBE, "s999999999999", 999999999999)) <= 64


async def test_a_survey_post_opens_the_ballot_for_a_resident_already_registered(harness, db: Database,
                                                                                settings) -> None:
    from datetime import timedelta

    from bot.domain import surveys as sv
    from bot.domain.clock import to_db
    from tests.support import make_resident
    from tests.survey_helpers import draft

    emu = harness.emulator
    officer = await make_officer(harness, db, OFFICER)
    await posts.remember_bot_username(db, "jamaat_test_bot")
    emu.add_group(VILLAGE_1, "Ак-Дөбө айылы")
    await harness.feed(emu.add_bot_to_chat(VILLAGE_1, OFFICER))
    await harness.feed(emu.send_text(OFFICER, f"/link {await _code(officer)}", chat_id=VILLAGE_1))
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(
        opens_at=to_db(START), closes_at=to_db(START + timedelta(days=5))))
    await deliver(harness, db, settings)
    post = emu.bot_messages(VILLAGE_1)[-1]
    assert "Какую дорогу ремонтировать?" in plain(post) and "Кайсы жолду оңдойбуз?" in plain(post)
    payload = parse_qs(urlparse(_link_button(post)).query)["start"][0]
    assert payload.endswith(f"_s{survey.id}_{(await links.linked_chat(db, VILLAGE_1)).ref}")
    await make_resident(db, NEWCOMER, "ru")  # already registered there: no question, the ballot opens
    person = harness.person(NEWCOMER, "Бакыт", language_code="ru")
    [ballot] = await person.send(f"/start {payload}")
    assert "Какую дорогу ремонтировать?" in plain(ballot) and "sv:" in str(ballot["reply_markup"])
    figures = {f.chat_id: f for f in await posts.chat_figures(db, AK_DEBE)}
    assert figures[VILLAGE_1].joins == 0 and figures[VILLAGE_1].posts == 1  # not a newcomer: not counted
