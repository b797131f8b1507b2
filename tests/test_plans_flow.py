"""The plans cycle through the real dispatcher and the emulator: an officer builds an action-plan item
in the chat (steps, money), residents see it on the problem's card, a deadline moves with a reason,
the item is proposed at a budget hearing and accepted by the council, a monitoring group member joins
with a code and reports with a photo whose EXIF is gone, a member of another municipality is refused,
the officer answers and hides with a reason, the execution report is sent and attached to the
execution hearing, and the figures equal the data.

Buttons are pressed by their callback data and texts checked through the catalogs (``_(msgid,
locale=…)``) or language-independent facts (Babel dates, numbers), so the tests hold in any catalog state.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from bot.db import Database
from bot.domain import hearings as hr
from bot.domain import plans
from bot.domain import problems as pb
from bot.domain.plans.photos import has_metadata
from bot.domain.errors import NotAnOfficer, TextTooShort
from bot.i18n import _, numbered, use_locale
from bot.notices import render_stored
from bot.ui.errors import explain
from bot.ui.plans import PlanCb
from bot.ui.problems import ProblemCallback
from tests.harness import Harness, Person, plain
from tests.support import AK_DEBE, ALAMUDUN, grant, make_resident
from tests.test_plans_domain import exif_jpeg

START = datetime(2027, 1, 10, 6, 0, tzinfo=UTC)
AUTHOR, SUPPORTER, OFFICER, MEMBER, FOREIGN_MEMBER, FOREIGN_OFFICER = 501, 502, 503, 504, 505, 506


async def _people(harness: Harness, db: Database) -> dict[str, Person]:
    people = {}
    for key, uid, locale, code in (("author", AUTHOR, "ky", AK_DEBE), ("supporter", SUPPORTER, "ru", AK_DEBE),
                                   ("officer", OFFICER, "ru", AK_DEBE), ("member", MEMBER, "ky", AK_DEBE),
                                   ("foreign", FOREIGN_MEMBER, "ru", ALAMUDUN),
                                   ("foreign_officer", FOREIGN_OFFICER, "ru", ALAMUDUN)):
        people[key] = harness.person(uid, f"P{uid}", language_code=locale)
        await make_resident(db, uid, locale, code, name=f"Жашоочу{uid}")
    await grant(db, OFFICER, AK_DEBE)
    await grant(db, FOREIGN_OFFICER, ALAMUDUN)
    return people


async def press(person: Person, data: str) -> list[dict]:
    """Press the newest button whose callback data starts with ``data``."""
    for message in reversed(person.emulator.bot_messages(person.user_id)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("callback_data", "").startswith(data):
                    return await person.press_data(message["message_id"], button["callback_data"])
    raise AssertionError(f"no button {data!r}; last: {plain(person.last())!r}")


async def told(db: Database, kind: str) -> dict[int, str]:
    """The stored notice of ``kind`` each resident is queued to receive (the newest per resident)."""
    rows = await db.fetchall("SELECT d.resident_id, b.content FROM deliveries d JOIN broadcasts b"
                             " ON b.id = d.broadcast_id WHERE b.kind = ? ORDER BY b.id", (kind,))
    return {int(r[0]): str(r[1]) for r in rows}


def said(error: Exception, locale: str) -> str:
    """What the bot answers to ``error`` in ``locale``."""
    with use_locale(locale):
        return explain(error)


def _space(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


async def build_item(officer: Person, problem_id: int) -> int:
    """The officer's wizard: /plans → New item → 2027 → title → problem → enterprise → name → steps → money → save."""
    await officer.send("/plans")
    await press(officer, PlanCb(a="new").pack())
    await press(officer, "st:plnew:year:2027")
    await officer.send("Суу түтүгүн алмаштыруу")
    await officer.send(f"#{problem_id}")
    await press(officer, "st:plnew:responsible:municipal_enterprise")
    await officer.send("Ак-Дебе Суу")
    [bad] = await officer.send("Смета 31.02.2027")
    assert plain(bad) == said(plans.BadDate("x"), "ru")
    await officer.send("Смета — 01.03.2027\nТүтүк сатып алуу — 31.05.2027")
    await press(officer, "st:plnew:source:local_budget")
    await officer.send("150 000")
    await press(officer, "st:plnew:source:residents_labour")
    await officer.send("40000")
    saved = (await press(officer, "st:plnew:source:save"))[-1]
    return int(re.search(r"[#№](\d+)", plain(saved)).group(1))


async def test_the_cycle_through_the_dispatcher(harness: Harness, db: Database, frozen_clock) -> None:
    p = await _people(harness, db)
    problem = await pb.raise_problem(db, author_id=AUTHOR, category="water", text="Суу жок, үч айдан бери суу келбейт")
    await pb.support(db, problem_id=problem.id, resident_id=SUPPORTER)
    draft_hearing = await hr.create_hearing(db, officer_id=OFFICER, draft=hr.Draft(
        topic="budget_draft", title_ru="Бюджет 2027", agenda_ru="Проект бюджета", place="Айыл өкмөтү",
        starts_at="2027-02-01T08:00:00Z"))

    item_id = await build_item(p["officer"], problem.id)
    assert (await pb.get_problem(db, problem.id)).status == "in_action_plan"
    added = await told(db, "plan.added")
    assert set(added) == {AUTHOR, SUPPORTER}
    assert "2027-ж., 31-май" in render_stored(added[AUTHOR], "ky").text
    assert "31 мая 2027" in _space(render_stored(added[SUPPORTER], "ru").text)

    # the resident sees the item on the problem's card and opens it
    await p["author"].send("/problems")
    problem_card = (await p["author"].press_data(p["author"].last()["message_id"],
                                                  ProblemCallback(action="open", id=problem.id).pack()))[-1]
    buttons = {b.get("callback_data"): b["text"] for row in problem_card["reply_markup"]["inline_keyboard"] for b in row}
    assert "Суу түтүгүн алмаштыруу" in buttons[PlanCb(a="card", i=item_id).pack()]  # "In the action plan: …"
    item_card = (await press(p["author"], PlanCb(a="card", i=item_id).pack()))[-1]
    assert "Суу түтүгүн алмаштыруу" in plain(item_card) and "150 000" in _space(plain(item_card))
    assert "2027-ж., 1-март" in plain(item_card)
    # another municipality's resident: not found
    await p["foreign"].send("/plan")
    await p["foreign"].press_data(p["foreign"].last()["message_id"], PlanCb(a="card", i=item_id).pack())
    assert p["foreign"].alerts()[-1]["text"] == said(plans.ItemNotFound(item_id), "ru")

    # a deadline moves, with the reason
    officer = p["officer"]
    await officer.send("/plans")
    await press(officer, PlanCb(a="oc", i=item_id).pack())
    await press(officer, PlanCb(a="dl", i=item_id).pack())
    await press(officer, "st:pldl:step:")
    await officer.send("01.07.2027")
    [short] = await officer.send("кеч")
    assert plain(short) == said(TextTooShort(limit=plans.REASON_MIN, actual=3), "ru")
    await officer.send("Түтүк кечигип келет")
    changed = await told(db, "plan.changed")
    assert "Түтүк кечигип келет" in render_stored(changed[SUPPORTER], "ru").text
    assert "1 июля 2027" in _space(render_stored(changed[SUPPORTER], "ru").text)

    # proposed at the budget hearing, accepted by the council with an amount
    await press(officer, PlanCb(a="oc", i=item_id).pack())
    await press(officer, PlanCb(a="prop", i=item_id).pack())
    await press(officer, f"st:plprop:hearing:{draft_hearing.id}")
    await officer.send("150000")
    assert (await pb.get_problem(db, problem.id)).status == "at_hearing"
    proposed = await told(db, "plan.proposed")
    assert "Бюджет 2027" in render_stored(proposed[AUTHOR], "ky").text
    await press(officer, PlanCb(a="oc", i=item_id).pack())
    await press(officer, PlanCb(a="dec", i=item_id).pack())
    await press(officer, "st:pldec:decision:accepted")
    await officer.send("150000")
    await officer.send("12-3")
    await officer.send("20.01.2027")
    assert (await pb.get_problem(db, problem.id)).status == "in_budget"
    decided = await told(db, "plan.decided")
    assert "12-3" in render_stored(decided[AUTHOR], "ky").text and "2027-ж., 20-январь" in render_stored(
        decided[AUTHOR], "ky").text

    # the monitoring group: a code, a member, a report with a photo whose EXIF is gone
    await officer.send("/monitoring_group")
    code_message = (await press(officer, PlanCb(a="inv").pack()))[-1]
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", plain(code_message)).group(1)
    member = p["member"]
    await member.send(f"/monitoring {code}")
    assert (await plans.group(db, AK_DEBE)).members == 1
    foreign_code = (await plans.create_invite(db, officer_id=FOREIGN_OFFICER)).code
    await p["foreign"].send(f"/monitoring {foreign_code}")
    await p["foreign"].press_data(p["foreign"].last()["message_id"], PlanCb(a="rep", i=item_id).pack())
    assert p["foreign"].alerts()[-1]["text"] == said(plans.OtherMunicipalityMember("x"), "ru")

    await member.send("/plan")
    await press(member, PlanCb(a="card", i=item_id).pack())
    await press(member, PlanCb(a="rep", i=item_id).pack())
    await press(member, "st:plrep:progress:delayed")
    await member.send("Түтүктөр али келе элек")
    await press(member, "st:plrep:procurement:»")
    original = exif_jpeg()
    assert has_metadata(original)
    replies = await member._act(member.emulator.send_photo(MEMBER, data=original))
    copy = next(m for m in replies if m.get("photo"))
    copy_id = copy["photo"][-1]["file_id"]
    assert not has_metadata(member.emulator._files[copy_id].data)
    await press(member, "st:plrep:photos:done")
    posted = (await press(member, "st:plrep:sign:no"))[-1]
    report_id = int(re.search(r"[#№](\d+)", plain(posted)).group(1))
    for_residents = await told(db, "plan.report")
    assert set(for_residents) == {AUTHOR, SUPPORTER}
    assert "P504" not in render_stored(for_residents[SUPPORTER], "ru").text
    for_officers = await told(db, "plan.report_officers")
    rendered = render_stored(for_officers[OFFICER], "ru")
    assert "P504" in rendered.text and rendered.photo == copy_id

    # the officer answers and hides with a reason the group sees
    await officer.press_data(officer.last()["message_id"], PlanCb(a="ans", i=report_id).pack())
    await officer.send("Түтүктөр кийинки жумада келет")
    assert MEMBER in await told(db, "plan.answered")
    await officer.press_data(officer.last()["message_id"], PlanCb(a="hide", i=report_id).pack())
    await officer.send("Жеке маалымат бар")
    assert "Жеке маалымат бар" in render_stored((await told(db, "plan.report_hidden"))[MEMBER], "ky").text

    # the execution report, attached to the execution hearing
    frozen_clock.set(datetime(2028, 1, 15, 6, 0, tzinfo=UTC))
    execution = await hr.create_hearing(db, officer_id=OFFICER, draft=hr.Draft(
        topic="budget_execution", title_ru="Исполнение бюджета 2027", agenda_ru="Отчёт", place="Айыл өкмөтү",
        starts_at=(frozen_clock.now + timedelta(days=20)).strftime("%Y-%m-%dT08:00:00Z")))
    replies = await officer.send("/plan_report 2027")
    [document] = [m for m in replies if m.get("document")]
    data = officer.emulator._files[document["document"]["file_id"]].data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert rows[1][2] == "Суу түтүгүн алмаштыруу" and rows[1][6:9] == ["190000", "0", "150000"]
    await press(officer, f"pl:att:{execution.id}:")
    attached = await db.fetchval("SELECT attachment_file_id FROM hearings WHERE id = ?", (execution.id,))
    assert attached and officer.emulator._files[attached].data.decode("utf-8-sig") == data

    # the figures equal the data
    figures = await plans.figures(db, AK_DEBE)
    assert (figures.residents, figures.budget_changes, figures.budget_changes_som, figures.members,
            figures.monitored, figures.items) == (2, 1, 150_000, 1, 0, 1)
    [shown] = await officer.send("/figures")
    assert _("Members of monitoring groups: {count}", locale="ru").format(count=1) in plain(shown)


async def test_wizard_steps_end_on_navigation_and_outsiders_are_refused(harness: Harness, db: Database,
                                                                        frozen_clock) -> None:
    p = await _people(harness, db)
    officer = p["officer"]
    await officer.send("/plans")
    await press(officer, PlanCb(a="new").pack())
    await press(officer, "st:plnew:year:2027")
    await officer.send("/problems")  # a command ends the step
    replies = await officer.send("Бул текст аталыш эмес")
    assert not any("№" in plain(m) and "✅" in plain(m) for m in replies)
    assert await plans.plan_of(db, AK_DEBE) == []
    [refused] = await p["author"].send("/plans")
    assert plain(refused) == said(NotAnOfficer("x"), "ky")
    # a crafted officer button of another municipality's item is refused
    item = await plans.create_item(db, officer_id=FOREIGN_OFFICER, title="Көпүрө оңдоо", year=2027,
                                   responsible="ayil_okmotu")
    await officer.press_data(officer.last()["message_id"], PlanCb(a="oc", i=item.item.id).pack())
    assert officer.alerts()[-1]["text"] == said(plans.ItemNotFound(item.item.id), "ru")


async def test_a_signed_report_names_its_member_and_its_photos_open_from_the_card(harness: Harness, db: Database,
                                                                                  frozen_clock) -> None:
    p = await _people(harness, db)
    problem = await pb.raise_problem(db, author_id=AUTHOR, category="water", text="Суу жок, үч айдан бери суу келбейт")
    view = await plans.create_item(db, officer_id=OFFICER, title="Суу түтүгү", year=2027, responsible="ayil_okmotu",
                                   problem_ids=[problem.id])
    await plans.join(db, resident_id=MEMBER, code=(await plans.create_invite(db, officer_id=OFFICER)).code)
    photo = harness.emulator._store_file(exif_jpeg(), "photo", ext="jpg").file_id  # stands for a cleaned copy
    signed = await plans.post_report(db, resident_id=MEMBER, item_id=view.item.id, progress="on_schedule",
                                     note="Иш жүрүп жатат", photos=[photo], signed=True, author_name="Бакыт")
    unsigned = await plans.post_report(db, resident_id=MEMBER, item_id=view.item.id, progress="delayed",
                                       note="Кечигүү бар")
    author = p["author"]
    await author.send("/plan")
    card = (await press(author, PlanCb(a="card", i=view.item.id).pack()))[-1]
    name = "Жашоочу504"  # the member's stored name
    with use_locale("ky"):
        signed_line = _("Signed: {name}, member of the monitoring group.").format(name=name)
        author_line = _("Author: {name}").format(name=name)
    assert plain(card).count(signed_line) == 1 and author_line not in plain(card)
    assert numbered(unsigned.id) in plain(card)
    [sent] = await press(author, PlanCb(a="ph", i=signed.id).pack())
    assert sent["photo"][-1]["file_id"] == photo
    # the officer's card names the author of the unsigned report too
    officer = p["officer"]
    await officer.send("/plans")
    officer_card = (await press(officer, PlanCb(a="oc", i=view.item.id).pack()))[-1]
    with use_locale("ru"):
        assert _("Author: {name}").format(name=name) in plain(officer_card)
    # hidden: its photos no longer open
    await plans.hide(db, officer_id=OFFICER, report_id=signed.id, reason="Жеке маалымат бар")
    await author.press_data(card["message_id"], PlanCb(a="ph", i=signed.id).pack())
    assert author.alerts()[-1]["text"] == said(plans.ReportNotFound(signed.id), "ky")


async def test_linking_another_problem_tells_only_its_followers(harness: Harness, db: Database, frozen_clock) -> None:
    p = await _people(harness, db)
    first = await pb.raise_problem(db, author_id=AUTHOR, category="water", text="Суу жок, үч айдан бери суу келбейт")
    second = await pb.raise_problem(db, author_id=SUPPORTER, category="water", text="Кран бузук, суу агып жатат")
    view = await plans.create_item(db, officer_id=OFFICER, title="Суу түтүгү", year=2027, responsible="ayil_okmotu",
                                   problem_ids=[first.id])
    officer = p["officer"]
    await officer.send("/plans")
    await press(officer, PlanCb(a="oc", i=view.item.id).pack())
    await press(officer, PlanCb(a="ext", i=view.item.id).pack())
    [refused] = await officer.send("999")
    assert plain(refused) == said(plans.ProblemNotInMunicipality(999), "ru")
    await officer.send(f"{first.id}, {second.id}")
    await officer.send("Түтүк сатып алуу — 31.05.2027")
    assert (await pb.get_problem(db, second.id)).status == "in_action_plan"
    rows = await db.fetchall("SELECT d.resident_id FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
                             " WHERE b.kind = 'plan.added' ORDER BY b.id, d.resident_id")
    assert [r[0] for r in rows] == [AUTHOR, SUPPORTER]  # the first at creation, the newcomer now
    assert [s.title for s in (await plans.item_view(db, view.item)).steps] == ["Түтүк сатып алуу"]


async def test_a_done_item_and_the_states_money_have_their_own_words(harness: Harness, db: Database,
                                                                     frozen_clock) -> None:
    """"Done" of a plan item is not the wizard's «Готово» button, "State" as a source of money is not the
    «Состояние» column (msgctxt "plan item status", "money source"): the officer's card in Russian, the
    resident's in Kyrgyz."""
    p = await _people(harness, db)
    view = await plans.create_item(db, officer_id=OFFICER, title="Суу түтүгүн алмаштыруу", year=2027,
                                   responsible="ayil_okmotu", money={"state": 90_000, "local_budget": 10_000})
    officer = p["officer"]
    await officer.send("/plans")
    card = (await press(officer, PlanCb(a="oc", i=view.item.id).pack()))[-1]
    assert "• Государство: запланировано 90" in _space(plain(card)) and "Состояние" not in plain(card)
    buttons = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert "▶ Выполнено" in buttons and "▶ Готово" not in buttons
    done = (await press(officer, PlanCb(a="st", i=view.item.id, v="done").pack()))[-1]
    assert officer.alerts()[-1]["text"] == "Выполнено"
    assert "· 2027 · Выполнено" in plain(done)

    author = p["author"]
    await author.send("/plan")
    shown = (await press(author, PlanCb(a="card", i=view.item.id).pack()))[-1]
    assert "· 2027 · Аткарылды" in plain(shown) and "• Мамлекет:" in plain(shown) and "Даяр" not in plain(shown)
