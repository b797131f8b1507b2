"""/newsurvey: an officer creates a survey step by step, on the kit (``bot.flows``).

Question in Kyrgyz → in Russian (either may be skipped, not both) → options (one per message or
several lines in one message, "Done" when all are in; or the municipality's top open problems) →
the same options in the other language → single choice or up to N → opening time ("Now" or
``DD.MM.YYYY HH:MM`` in Bishkek time) → closing time → everyone or verified residents only → the
hearing it prepares (if any is coming) → preview → publish. The draft lives in the FSM (SQLite), so
a restart loses nothing; every rule is checked again by the domain when publishing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.db import Database
from bot.domain import NumberOutOfRange
from bot.domain import surveys as sv
from bot.domain.clock import clock, from_db, to_db
from bot.domain.officers import Officer
from bot.domain.residents import count_residents
from bot.flows import ONE_MESSAGE, Ctx, Prompt, Wizard
from bot.i18n import display_timezone, N_, _, format_datetime, ngettext, numbered, pgettext
from bot.ui.callbacks import parse_id
from bot.ui.errors import explain
from bot.ui.keyboards import item_label, with_menu
from bot.ui.messages import esc
from bot.ui.surveys import SurveyAdminCallback, example_time, open_card_button, preview_text
from bot.ui.surveys.texts import options_summary
from bot.ui.times import choice_rows, chosen, evening_choices

wizard = Wizard("svnew", cancelled=N_("The draft is discarded."))
question_ky = wizard.text("qky", max_len=sv.QUESTION_MAX)
question_ru = wizard.text("qru", max_len=sv.QUESTION_MAX)
options_ky = wizard.text("oky", max_len=ONE_MESSAGE)
options_ru = wizard.text("oru", max_len=ONE_MESSAGE)
titles_ky = wizard.text("tky", max_len=ONE_MESSAGE)
titles_ru = wizard.text("tru", max_len=ONE_MESSAGE)
max_choices = wizard.choice("max")
opens_at = wizard.text("opens", max_len=ONE_MESSAGE)
closes_at = wizard.text("closes", max_len=ONE_MESSAGE)
who = wizard.choice("who")
hearing = wizard.choice("hearing")
preview = wizard.choice("preview")

OPTIONS = {"ky": options_ky, "ru": options_ru}


def draft_of(ctx: Ctx) -> sv.Draft:
    """The draft kept in the wizard's data."""
    return sv.Draft.from_dict(ctx.data.get("draft", {}))


def keep(ctx: Ctx, draft: sv.Draft) -> None:
    """Put ``draft`` back into the wizard's data (stored by the next ``goto``/``save``)."""
    ctx.data["draft"] = draft.to_dict()


async def cmd_newsurvey(message: Message, officer: Officer, state: FSMContext, **deps: Any) -> None:
    """/newsurvey: start a draft (officers only, through the router's gate)."""
    await wizard.start(message, state, {**deps, "officer": officer}, {"draft": sv.Draft().to_dict()})


async def on_new(callback: CallbackQuery, officer: Officer, state: FSMContext, **deps: Any) -> None:
    """"➕ New survey" on the officer's list: the same wizard as /newsurvey."""
    await wizard.start(callback, state, {**deps, "officer": officer}, {"draft": sv.Draft().to_dict()})


# -- the question -------------------------------------------------------------------------------


@question_ky.prompt
async def _ask_question_ky(ctx: Ctx) -> Prompt:
    return Prompt(_("<b>New survey</b>. Step 1: send the question in Kyrgyz (up to {limit} characters), "
                    "or press «Skip» to write it only in Russian. /cancel — stop.").format(limit=sv.QUESTION_MAX),
                  skip=True)


@question_ky.handle
async def _got_question_ky(ctx: Ctx, text: str | None) -> None:
    draft = draft_of(ctx)
    draft.question_ky = sv.clean_question(text) if text is not None else ""
    keep(ctx, draft)
    await ctx.goto(question_ru)


@question_ru.prompt
async def _ask_question_ru(ctx: Ctx) -> Prompt:
    has_ky = bool(draft_of(ctx).question_ky)
    text = _("Step 2: send the question in Russian (up to {limit} characters).").format(limit=sv.QUESTION_MAX)
    if has_ky:
        text += "\n" + _("Or press «Skip»: residents will see the Kyrgyz text.")
    return Prompt(text, skip=has_ky)


@question_ru.handle
async def _got_question_ru(ctx: Ctx, text: str | None) -> None:
    draft = draft_of(ctx)
    if text is None and not draft.question_ky:
        raise sv.QuestionMissing("no question")
    draft.question_ru = sv.clean_question(text) if text is not None else ""
    keep(ctx, draft)
    await ctx.goto(options_ky if draft.question_ky else options_ru)


# -- the options --------------------------------------------------------------------------------


async def _options_prompt(ctx: Ctx, language: str) -> Prompt:
    draft = draft_of(ctx)
    step = OPTIONS[language]
    if sv.translating(draft, language):
        n = len(draft.options)
        return Prompt(ngettext("Now send the same {n} option in Russian, in the same order.",
                               "Now send the same {n} options in Russian, in the same order.", n).format(n=n))
    if language == "ky":
        text = _("Step 3: send the options in Kyrgyz, {min} to {max}: one per message, or several lines in one "
                 "message. Press «Done» when all are in.")
    else:
        text = _("Step 3: send the options in Russian, {min} to {max}: one per message, or several lines in one "
                 "message. Press «Done» when all are in.")
    rows = []
    problems = await sv.priority_problem_options(ctx.db, ctx.officer.municipality_code, limit=sv.MIN_OPTIONS)
    if len(problems) >= sv.MIN_OPTIONS:
        rows.append([step.button(_("Take the top priority problems"), "top")])
    return Prompt(text.format(min=sv.MIN_OPTIONS, max=sv.MAX_OPTIONS), rows=rows)


async def _got_options(ctx: Ctx, text: str | None, language: str) -> None:
    draft = draft_of(ctx)
    count = sv.add_options(draft, text or "", language=language)
    keep(ctx, draft)
    await ctx.save()
    index = 0 if language == "ky" else 1
    rows = []
    if count >= sv.MIN_OPTIONS and (not sv.translating(draft, language) or count == len(draft.options)):
        rows.append([OPTIONS[language].button(pgettext("button", "Done"), "done")])
    await ctx.say(  # "Done" once enough are in, and always Back and Cancel
        ngettext("{n} option so far:", "{n} options so far:", count).format(n=count) + "\n"
        + options_summary(draft, index), rows=rows)


async def _tapped_options(ctx: Ctx, value: str, language: str) -> None:
    draft = draft_of(ctx)
    if value == "done":
        sv.options_complete(draft, language)
        await ctx.goto(options_ru if language == "ky" and draft.question_ru else max_choices)
    elif value == "top" and not sv.translating(draft, language):
        options = await sv.priority_problem_options(ctx.db, ctx.officer.municipality_code)
        if len(options) < sv.MIN_OPTIONS:
            raise sv.TooFewProblems("fewer than 2 problems")
        draft.options = options
        keep(ctx, draft)
        await ctx.goto(_first_titles_step(draft))


# -- titles of options taken from problems (short, editable, per language) ------------------------


def _first_titles_step(draft: sv.Draft) -> Any:
    """The titles are checked in each language the survey is asked in: Kyrgyz first, then Russian."""
    return titles_ky if draft.question_ky else titles_ru


@titles_ky.prompt
async def _ask_titles_ky(ctx: Ctx) -> Prompt:
    return Prompt(_("The options are the top problems, cut to short titles that fit a button. In Kyrgyz:\n"
                    "{options}\n\nTo change them, send the new titles in Kyrgyz, one per line, in the same "
                    "order. Or press «Keep».").format(options=options_summary(draft_of(ctx), 0)),
                  rows=[[titles_ky.button(_("Keep"), "keep")]])


@titles_ru.prompt
async def _ask_titles_ru(ctx: Ctx) -> Prompt:
    return Prompt(_("The options are the top problems, cut to short titles that fit a button. In Russian:\n"
                    "{options}\n\nTo change them, send the new titles in Russian, one per line, in the same "
                    "order. Or press «Keep».").format(options=options_summary(draft_of(ctx), 1)),
                  rows=[[titles_ru.button(_("Keep"), "keep")]])


async def _titles_done(ctx: Ctx, language: str) -> None:
    draft = draft_of(ctx)
    await ctx.goto(titles_ru if language == "ky" and draft.question_ru else max_choices)


@titles_ky.handle
async def _got_titles_ky(ctx: Ctx, text: str | None) -> None:
    draft = draft_of(ctx)
    sv.rename_options(draft, text or "", language="ky")
    keep(ctx, draft)
    await _titles_done(ctx, "ky")


@titles_ru.handle
async def _got_titles_ru(ctx: Ctx, text: str | None) -> None:
    draft = draft_of(ctx)
    sv.rename_options(draft, text or "", language="ru")
    keep(ctx, draft)
    await _titles_done(ctx, "ru")


@titles_ky.tapped
async def _keep_titles_ky(ctx: Ctx, value: str) -> None:
    if value == "keep":
        await _titles_done(ctx, "ky")


@titles_ru.tapped
async def _keep_titles_ru(ctx: Ctx, value: str) -> None:
    if value == "keep":
        await _titles_done(ctx, "ru")


@options_ky.prompt
async def _ask_options_ky(ctx: Ctx) -> Prompt:
    return await _options_prompt(ctx, "ky")


@options_ru.prompt
async def _ask_options_ru(ctx: Ctx) -> Prompt:
    return await _options_prompt(ctx, "ru")


@options_ky.handle
async def _got_options_ky(ctx: Ctx, text: str | None) -> None:
    await _got_options(ctx, text, "ky")


@options_ru.handle
async def _got_options_ru(ctx: Ctx, text: str | None) -> None:
    await _got_options(ctx, text, "ru")


@options_ky.tapped
async def _tapped_ky(ctx: Ctx, value: str) -> None:
    await _tapped_options(ctx, value, "ky")


@options_ru.tapped
async def _tapped_ru(ctx: Ctx, value: str) -> None:
    await _tapped_options(ctx, value, "ru")


# -- how many choices, when, who ----------------------------------------------------------------


@max_choices.prompt
async def _ask_max(ctx: Ctx) -> Prompt:
    count = len(draft_of(ctx).options)
    rows = [[max_choices.button(_("One answer"), "1")]]
    more = [max_choices.button(_("Up to {n}").format(n=n), str(n)) for n in range(2, count + 1)]
    rows += [more[i:i + 3] for i in range(0, len(more), 3)]
    return Prompt(_("Step 4: how many options may each resident choose?"), rows=rows)


@max_choices.handle
async def _got_max(ctx: Ctx, value: str) -> None:
    draft = draft_of(ctx)
    n = parse_id(value, limit=sv.MAX_OPTIONS)
    if n is None or n > len(draft.options):
        raise NumberOutOfRange(low=1, high=len(draft.options), actual=n)
    draft.max_choices = n
    keep(ctx, draft)
    await ctx.goto(opens_at)


@opens_at.prompt
async def _ask_opens(ctx: Ctx) -> Prompt:
    return Prompt(_("Step 5: when does voting open? Send the date and time in Bishkek time as DD.MM.YYYY HH:MM, "
                    "for example {example}, or press «Now».").format(example=example_time()),
                  rows=[[opens_at.button(_("Now"), "now")]])


@opens_at.handle
async def _got_opens(ctx: Ctx, text: str | None) -> None:
    now = clock.now()
    moment = sv.opening_time(sv.parse_local_datetime(text or "", display_timezone()), now)
    draft = draft_of(ctx)
    draft.opens_at = to_db(moment)
    keep(ctx, draft)
    await ctx.goto(closes_at)


@opens_at.tapped
async def _opens_now(ctx: Ctx, value: str) -> None:
    if value != "now":
        return
    draft = draft_of(ctx)
    draft.opens_at = to_db(clock.now())
    keep(ctx, draft)
    await ctx.goto(closes_at)


@closes_at.prompt
async def _ask_closes(ctx: Ctx) -> Prompt:
    opens_at = draft_of(ctx).opens_at
    earliest = max(clock.now(), from_db(opens_at)) if opens_at else clock.now()
    return Prompt(_("Step 6: when does voting close? Send the date and time in Bishkek time as DD.MM.YYYY HH:MM, "
                    "for example {example}.").format(example=example_time()) + "\n" + _("Or choose one of these:"),
                  rows=choice_rows(closes_at, evening_choices(earliest, (1, 3, 7)), ctx.locale))


@closes_at.handle
async def _got_closes(ctx: Ctx, text: str | None) -> None:
    await _set_closing(ctx, sv.parse_local_datetime(text or "", display_timezone()))


@closes_at.tapped
async def _closing_chosen(ctx: Ctx, value: str) -> None:
    moment = chosen(value)
    if moment is not None:
        await _set_closing(ctx, moment)


async def _set_closing(ctx: Ctx, typed: datetime) -> None:
    """A closing time typed or chosen, checked against now and the opening (the same rules either way)."""
    draft = draft_of(ctx)
    opens = from_db(draft.opens_at) if draft.opens_at else None
    draft.closes_at = to_db(sv.closing_time(typed, clock.now(), opens))
    keep(ctx, draft)
    await ctx.goto(who)


@who.prompt
async def _ask_who(ctx: Ctx) -> Prompt:
    return Prompt(_("Step 7: who may vote?"), rows=[[who.button(_("All residents of the municipality"), "0")],
                                                    [who.button(_("Verified residents only"), "1")]])


@who.handle
async def _got_who(ctx: Ctx, value: str) -> None:
    draft = draft_of(ctx)
    draft.verified_only = value == "1"
    keep(ctx, draft)
    coming = await sv.upcoming_hearings(ctx.db, ctx.officer.municipality_code)
    await ctx.goto(hearing if coming else preview)


@hearing.prompt
async def _ask_hearing(ctx: Ctx) -> Prompt:
    locale = ctx.locale
    coming = await sv.upcoming_hearings(ctx.db, ctx.officer.municipality_code)
    rows = [[hearing.button(item_label("🏛", h.title(locale), number=h.id), str(h.id))] for h in coming]
    rows.append([hearing.button(_("No hearing"), "0")])
    listed = "\n".join(f"{numbered(h.id)} · {esc(h.title(locale))} · {format_datetime(h.starts_at, locale)}"
                       for h in coming)  # the buttons carry short titles: the whole ones are here
    return Prompt(_("Step 8: is this survey preparing a public hearing? Its results will be presented there.")
                  + "\n\n" + listed, rows=rows)


@hearing.handle
async def _got_hearing(ctx: Ctx, value: str) -> None:
    draft = draft_of(ctx)
    draft.hearing_id = parse_id(value)
    keep(ctx, draft)
    await ctx.goto(preview)


# -- preview and publish ------------------------------------------------------------------------


@preview.prompt
async def _show_preview(ctx: Ctx) -> Prompt:
    db: Database = ctx.db
    code = ctx.officer.municipality_code
    draft = draft_of(ctx)
    linked = await sv.get_hearing_ref(db, draft.hearing_id, code)
    text = preview_text(draft, ctx.locale, await count_residents(db, code), linked)
    return Prompt(text, rows=[[preview.button(_("✅ Publish"), "publish")]])


@preview.handle
async def _publish(ctx: Ctx, value: str) -> None:
    if value != "publish":
        return
    try:
        survey = await sv.create_survey(ctx.db, officer_id=ctx.officer.telegram_id, draft=draft_of(ctx))
    except sv.ClosingPassed as error:  # the draft waited too long: ask for a new closing time
        ctx.toast(explain(error), alert=True)
        await ctx.goto(closes_at)
        return
    await ctx.state.clear()
    if survey.status == "open":
        text = _("✅ Survey #{id} is published and announced to the residents. Its card shows the turnout, "
                 "and the results once it closes; all your surveys are in /survey_admin.").format(id=survey.id)
    else:
        text = _("✅ Survey #{id} is saved. It opens on {opens}, and the residents will be told then.").format(
            id=survey.id, opens=format_datetime(survey.opens_at, ctx.locale))
    markup = with_menu(InlineKeyboardMarkup(inline_keyboard=[[open_card_button(survey.id)]]))
    if ctx.message is not None:
        try:
            await ctx.message.edit_text(text, reply_markup=markup)  # the last word: a way on (issue 12)
            return
        except TelegramBadRequest:  # an old message may not be editable; send a new one
            pass
    await ctx.answer(text, markup)


def register(router: Any) -> None:
    """Attach /newsurvey, "➕ New survey" and the wizard to the officers' survey router."""
    router.message.register(cmd_newsurvey, Command("newsurvey"))
    router.callback_query.register(on_new, SurveyAdminCallback.filter(F.action == "new"))
    wizard.register(router)
