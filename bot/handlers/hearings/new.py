"""A new public hearing, step by step (a wizard on the kit, ``bot.flows``):

topic → title in Kyrgyz → in Russian (either may be skipped, not both) → agenda in Kyrgyz → in
Russian (in parts, up to 6,000 characters each; either may be skipped, not both) → date and time
(``DD.MM.YYYY HH:MM``, Bishkek time; refused with the reason and the earliest allowed date when
sooner than the notice period) → place → optionally a map location → optionally an open survey →
optionally a photo or document → preview exactly as residents will get it → publish.

The draft lives in the FSM (SQLite), so a restart loses nothing; the domain checks everything again
when publishing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.delivery.split import split_html
from bot.domain import hearings as hr
from bot.domain.clock import clock, from_db, to_db
from bot.domain.officers import Officer
from bot.domain.residents import count_residents
from bot.flows import Ctx, Prompt, Wizard
from bot.handlers.roles import officer_router
from bot.i18n import N_, _, format_date, format_number, format_time, ngettext, numbered
from bot.notices import render
from bot.ui.callbacks import parse_id
from bot.ui.errors import explain
from bot.ui.hearings import HearingAdminCallback, admin_button, example_time, kb, topic_button_label, topic_label
from bot.ui.keyboards import item_label
from bot.ui.messages import esc
from bot.ui.times import choice_rows, chosen, evening_choices

wizard = Wizard("hrnew", cancelled=N_("The draft is discarded."))
# typing (the title, usually) before choosing says that the topic comes first
topic = wizard.choice("topic", typed=N_("First choose the topic of the hearing with the buttons above; the title is "
                                        "asked next. /cancel — stop."))
title_ky = wizard.text("title_ky", max_len=hr.TITLE_MAX)
title_ru = wizard.text("title_ru", max_len=hr.TITLE_MAX)
agenda_ky = wizard.text("agenda_ky", max_len=hr.AGENDA_MAX, parts=True)
agenda_ru = wizard.text("agenda_ru", max_len=hr.AGENDA_MAX, parts=True)
starts = wizard.text("starts", max_len=40)
place = wizard.text("place", max_len=hr.PLACE_MAX)
location = wizard.media("location", accepts=("location",),
                        wrong=N_("Please send a location (📎 → Location), or press «Skip»."))
survey = wizard.choice("survey")
attachment = wizard.media("attachment", accepts=("photo", "document"),
                          wrong=N_("Please send a document or a photo, or press «Skip»."))
preview = wizard.choice("preview")


def _draft(ctx: Ctx) -> hr.Draft:
    return hr.Draft.from_dict(ctx.data.get("draft"))


def _keep(ctx: Ctx, draft: hr.Draft) -> None:
    ctx.data["draft"] = draft.to_dict()


@topic.prompt
async def _ask_topic(ctx: Ctx) -> Prompt:
    text = _("<b>New public hearing</b>. Step 1: choose the topic. /cancel — stop.")
    cut = [topic_label(key) for key in hr.TOPICS if topic_button_label(key) != topic_label(key)]
    if cut:  # a label shortened on its button is read whole here
        text += "\n\n" + "\n".join(f"• {esc(full)}" for full in cut)
    return Prompt(text, rows=[[topic.button(topic_button_label(key), key)] for key in hr.TOPICS])


@topic.handle
async def _got_topic(ctx: Ctx, value: str) -> None:
    if value not in hr.TOPICS:
        raise hr.InvalidInput("topic")
    draft = _draft(ctx)
    draft.topic = value
    _keep(ctx, draft)
    await ctx.goto(title_ky)


@title_ky.prompt
async def _ask_title_ky(ctx: Ctx) -> Prompt:
    return Prompt(_("Step 2: the title in Kyrgyz (up to {limit} characters), or «Skip» to write it only in "
                    "Russian.").format(limit=hr.TITLE_MAX), skip=True)


@title_ky.handle
async def _got_title_ky(ctx: Ctx, text: str | None) -> None:
    draft = _draft(ctx)
    draft.title_ky = hr.clean_text(text, hr.TITLE_MAX)
    _keep(ctx, draft)
    await ctx.goto(title_ru)


@title_ru.prompt
async def _ask_title_ru(ctx: Ctx) -> Prompt:
    if _draft(ctx).title_ky:
        return Prompt(_("Step 3: the title in Russian (up to {limit} characters), or «Skip»: residents will see "
                        "the Kyrgyz title.").format(limit=hr.TITLE_MAX), skip=True)
    return Prompt(_("Step 3: the title in Russian (up to {limit} characters).").format(limit=hr.TITLE_MAX))


@title_ru.handle
async def _got_title_ru(ctx: Ctx, text: str | None) -> None:
    draft = _draft(ctx)
    draft.title_ru = hr.clean_text(text, hr.TITLE_MAX)
    if not (draft.title_ky or draft.title_ru):
        raise hr.TitleMissing("title")
    _keep(ctx, draft)
    await ctx.goto(agenda_ky)


@agenda_ky.prompt
async def _ask_agenda_ky(ctx: Ctx) -> Prompt:
    return Prompt(_("Step 4: the agenda in Kyrgyz, up to {limit} characters in all; a long agenda may be sent in "
                    "several messages. Press «Done» when it is complete, or «Skip».").format(
        limit=format_number(hr.AGENDA_MAX)), skip=True)


@agenda_ky.handle
async def _got_agenda_ky(ctx: Ctx, text: str | None) -> None:
    draft = _draft(ctx)
    draft.agenda_ky = hr.clean_text(text, hr.AGENDA_MAX)
    _keep(ctx, draft)
    await ctx.goto(agenda_ru)


@agenda_ru.prompt
async def _ask_agenda_ru(ctx: Ctx) -> Prompt:
    return Prompt(_("Step 5: the agenda in Russian, up to {limit} characters in all; a long agenda may be sent in "
                    "several messages. Press «Done» when it is complete, or «Skip».").format(
        limit=format_number(hr.AGENDA_MAX)), skip=True)


@agenda_ru.handle
async def _got_agenda_ru(ctx: Ctx, text: str | None) -> None:
    draft = _draft(ctx)
    draft.agenda_ru = hr.clean_text(text, hr.AGENDA_MAX)
    _keep(ctx, draft)
    if not (draft.agenda_ky or draft.agenda_ru):  # both skipped: say so and ask again
        await ctx.answer(explain(hr.AgendaMissing("agenda")))
        await ctx.goto(agenda_ru)
        return
    await ctx.goto(starts)


@starts.prompt
async def _ask_starts(ctx: Ctx) -> Prompt:
    officer: Officer = ctx.officer
    days = await hr.notice_days(ctx.db, officer.municipality_code)
    earliest = hr.earliest_start(days, clock.now())
    return Prompt(
        _("Send the date and time of the hearing as DD.MM.YYYY HH:MM in Bishkek time, for example {example}.").format(
            example=example_time(days)) + "\n"
        + _("The earliest possible: {date}, {time}.").format(date=format_date(earliest, weekday=True),
                                                             time=format_time(earliest))
        + "\n" + _("Or choose one of these:"),
        rows=choice_rows(starts, evening_choices(earliest, (0, 2, 7)), ctx.locale))


@starts.handle
async def _got_starts(ctx: Ctx, text: str | None) -> None:
    await _set_start(ctx, hr.parse_start(text or "", ctx.settings.tz))


@starts.tapped
async def _start_chosen(ctx: Ctx, value: str) -> None:
    moment = chosen(value)
    if moment is not None:
        await _set_start(ctx, moment)


async def _set_start(ctx: Ctx, moment: datetime) -> None:
    """A start typed or chosen: checked against the clock and the notice period, then the place is
    asked — or, when the time is asked again from the preview (it passed meanwhile), the preview
    again with everything else kept."""
    officer: Officer = ctx.officer
    await hr.check_start(ctx.db, officer.municipality_code, moment)
    draft = _draft(ctx)
    draft.starts_at = to_db(moment)
    _keep(ctx, draft)
    await ctx.goto(preview if ctx.data.pop("retime", False) else place)


@place.prompt
async def _ask_place(ctx: Ctx) -> Prompt:
    moment = from_db(_draft(ctx).starts_at)
    return Prompt(_("Saved: {date}, {time}. Now send the place: the address or the building, up to {limit} "
                    "characters.").format(date=format_date(moment, weekday=True), time=format_time(moment),
                                          limit=hr.PLACE_MAX))


@place.handle
async def _got_place(ctx: Ctx, text: str | None) -> None:
    draft = _draft(ctx)
    draft.place = hr.clean_text(text, hr.PLACE_MAX)
    _keep(ctx, draft)
    await ctx.goto(location)


@location.prompt
async def _ask_location(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the location of the place on the map (📎 → Location), or press «Skip»."), skip=True)


@location.handle
async def _got_location(ctx: Ctx, message: Message | None) -> None:
    draft = _draft(ctx)
    if message is not None and message.location is not None:
        draft.latitude, draft.longitude = message.location.latitude, message.location.longitude
    _keep(ctx, draft)
    officer: Officer = ctx.officer
    if await hr.linkable_surveys(ctx.db, officer.municipality_code):
        await ctx.goto(survey)
    else:
        await ctx.goto(attachment)


@survey.prompt
async def _ask_survey(ctx: Ctx) -> Prompt:
    officer: Officer = ctx.officer
    choices = await hr.linkable_surveys(ctx.db, officer.municipality_code)
    lines = [f"{numbered(s.id)} {esc(s.question(ctx.locale))}" for s in choices]  # the buttons show the start
    return Prompt("\n".join([_("Link one of your open surveys to the hearing? Residents will see a button to vote."),
                             "", *lines]),
                  rows=[[survey.button(item_label("🗳", s.question(ctx.locale), number=s.id), str(s.id))]
                        for s in choices], skip=True)


@survey.handle
async def _got_survey(ctx: Ctx, value: str | None) -> None:
    draft = _draft(ctx)
    draft.survey_id = None
    if value is not None:
        officer: Officer = ctx.officer
        chosen = parse_id(value)
        if chosen is None or chosen not in {s.id for s in await hr.linkable_surveys(ctx.db, officer.municipality_code)}:
            raise hr.SurveyNotLinkable("survey")
        draft.survey_id = chosen
    _keep(ctx, draft)
    await ctx.goto(attachment)


@attachment.prompt
async def _ask_attachment(ctx: Ctx) -> Prompt:
    return Prompt(_("Attach a document (for example the draft budget) or a photo of the notice, or press «Skip»."),
                  skip=True)


@attachment.handle
async def _got_attachment(ctx: Ctx, message: Message | None) -> None:
    draft = _draft(ctx)
    draft.attachment_file_id = draft.attachment_kind = None
    if message is not None and message.photo:
        draft.attachment_file_id, draft.attachment_kind = message.photo[-1].file_id, "photo"
    elif message is not None and message.document is not None:
        draft.attachment_file_id, draft.attachment_kind = message.document.file_id, "document"
    _keep(ctx, draft)
    await ctx.goto(preview)


@preview.prompt
async def _show_preview(ctx: Ctx) -> Prompt:
    """The announcement exactly as residents will get it (the same renderer), the whole agenda in
    parts when it is longer than one message, and the number of recipients."""
    officer: Officer = ctx.officer
    draft = _draft(ctx)
    hearing = hr.draft_hearing(draft, officer.municipality_code)
    notice = hr.notices.announcement(hearing, await hr.linked_surveys(ctx.db, hearing))
    total = await count_residents(ctx.db, officer.municipality_code)
    head = _("<b>Preview.</b> This is how residents will see the announcement:")
    count = ngettext("It will be sent to {n} resident.", "It will be sent to {n} residents.", total).format(
        n=format_number(total))
    parts = split_html(f"{head}\n\n{render(notice, ctx.locale).text}\n\n{count}")
    for part in parts[:-1]:
        await ctx.answer(part)
    return Prompt(parts[-1], rows=[[preview.button(_("✅ Publish"), "publish")]])


@preview.handle
async def _publish(ctx: Ctx, value: str) -> None:
    if value != "publish":
        return
    officer: Officer = ctx.officer
    try:
        hearing = await hr.create_hearing(ctx.db, officer_id=officer.telegram_id, draft=_draft(ctx))
    except (hr.NoticeTooShort, hr.BadDateTime) as error:
        # the start passed while the preview was open, or the notice period was raised meanwhile:
        # say so and ask for the time again; everything else of the draft is kept
        await ctx.answer(explain(error))
        ctx.data["retime"] = True
        await ctx.goto(starts)
        return
    except hr.SurveyNotLinkable as error:  # the survey closed meanwhile: drop the link, show the preview again
        draft = _draft(ctx)
        draft.survey_id = None
        _keep(ctx, draft)
        await ctx.answer(explain(error))
        await ctx.goto(preview)
        return
    total = await hr.broadcast_total(ctx.db, hearing.announcement_id)
    await ctx.finish(ngettext(
        "📣 Published. The announcement is going out to {n} resident; reminders are planned 24 hours and "
        "1 hour before.",
        "📣 Published. The announcement is going out to {n} residents; reminders are planned 24 hours and "
        "1 hour before.", total).format(n=format_number(total)),
        kb([admin_button(_("Open the hearing"), "show", hearing.id)]))
    wake = getattr(ctx.deps.get("delivery_worker"), "wake", None)
    if callable(wake):
        wake()


async def on_new(callback: CallbackQuery, officer: Officer, state: FSMContext, **deps: Any) -> None:
    """"New hearing": an empty draft, the topic first."""
    await wizard.start(callback, state, {**deps, "officer": officer}, {"draft": hr.Draft().to_dict()})


def build_router() -> Router:
    """A new officers' router with the new-hearing wizard."""
    router = officer_router("hearings_new")
    router.callback_query.register(on_new, HearingAdminCallback.filter(F.action == "new"))
    wizard.register(router)
    return router


__all__ = ["build_router", "wizard"]
