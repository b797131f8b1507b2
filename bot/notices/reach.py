"""What reach sends: officers' alerts (new problem, question for a hearing, vote burst), the daily
digest, linked chats' broken links and channel links, and the wrappers that post any notice to a
linked chat (an officers' group: the alert without its buttons; a public chat: in the chat's
languages, with a button opening the bot through a deep link)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.types import InlineKeyboardButton

from bot.domain.outbox import Notice
from bot.domain.reach import alerts as kinds
from bot.domain.reach.links import CHAT_LINKED, LINK_BROKEN
from bot.domain.reach.posts import CHAT_ALERT_NOTICE, POST_NOTICE
from bot.i18n import _, current_locale, ngettext, numbered
from bot.notices import Rendered, esc, pick, render, renders
from bot.ui.hearings import HearingAdminCallback
from bot.ui.problems.callbacks import OfficerProblemCallback
from bot.ui.surveys.callbacks import SurveyAdminCallback


def kind_label(kind: str) -> str:
    """The alert kind's name in the current language."""
    labels = {
        kinds.PROBLEM_NEW: _("New problems"),
        kinds.PROBLEM_REOPENED: _("Reopened problems"),
        kinds.SERVICE_PROPOSED: _("Proposed services"),
        kinds.HEARING_QUESTION: _("Questions for hearings"),
        kinds.SURVEY_BURST: _("Vote bursts in surveys"),
    }
    return labels.get(kind, kind)


@renders(kinds.PROBLEM_NEW_NOTICE)
def problem_new(facts: Mapping[str, Any]) -> Rendered:
    """To the municipality's officers: a resident raised a problem; open it or take it under review."""
    from bot.ui.problems.cards import category_label

    excerpt = esc(facts["excerpt"]) if facts.get("excerpt") else _("🎤 voice message")
    text = _("🆕 A resident raised problem #{id} ({category}):\n«{excerpt}»").format(
        id=facts["id"], category=esc(category_label(str(facts["category"]))), excerpt=excerpt)
    pid = int(facts["id"])
    return Rendered(text, [[
        InlineKeyboardButton(text=_("Open"), callback_data=OfficerProblemCallback(action="open", id=pid).pack()),
        InlineKeyboardButton(text=_("Take under review"), callback_data=OfficerProblemCallback(
            action="status", id=pid, arg="under_review", seen=str(facts.get("status") or "new")).pack()),
    ]])


@renders(kinds.QUESTION_NOTICE)
def hearing_question(facts: Mapping[str, Any]) -> Rendered:
    """To the municipality's officers: a resident asked a question for a hearing."""
    locale = current_locale()
    text = _("❓ A new question for the hearing «{title}»:\n{text}").format(
        title=esc(pick(facts, "title", locale)), text=esc(facts.get("text") or ""))
    button = InlineKeyboardButton(text=_("All questions"), callback_data=HearingAdminCallback(
        action="qs", hearing_id=int(facts["hearing_id"])).pack())
    return Rendered(text, [[button]])


@renders(kinds.BURST_NOTICE)
def survey_burst(facts: Mapping[str, Any]) -> Rendered:
    """To the municipality's officers: many votes of a survey come from accounts that just joined."""
    locale = current_locale()
    recent = int(facts["recent"])
    text = ngettext(
        "⚠️ Survey «{title}»: {recent} of {ballots} votes came from an account that joined the bot less than an "
        "hour before voting. Check the survey before relying on its results.",
        "⚠️ Survey «{title}»: {recent} of {ballots} votes came from accounts that joined the bot less than an "
        "hour before voting. Check the survey before relying on its results.",
        recent,
    ).format(title=esc(pick(facts, "title", locale)), recent=recent, ballots=int(facts["ballots"]))
    button = InlineKeyboardButton(text=_("Open the survey"), callback_data=SurveyAdminCallback(
        action="show", survey_id=int(facts["survey_id"])).pack())
    return Rendered(text, [[button]])


@renders(kinds.DIGEST_NOTICE)
def digest(facts: Mapping[str, Any]) -> Rendered:
    """An officer's daily digest: per kind, how many and the first few."""
    locale = current_locale()
    total = int(facts.get("total") or 0)
    lines = [ngettext("📋 <b>Daily digest</b>: {count} new item.", "📋 <b>Daily digest</b>: {count} new items.",
                      total).format(count=total)]
    top: Mapping[str, Any] = facts.get("top") or {}
    for kind, count in (facts.get("counts") or {}).items():
        lines.append("")
        lines.append(_("<b>{kind}</b>: {count}").format(kind=esc(kind_label(kind)), count=int(count)))
        for item in top.get(kind, []):
            title = pick(item, "title", locale) or str(item.get("title") or "")
            extra = f" — {esc(item['text'])}" if item.get("text") else ""
            lines.append(f"• {numbered(int(item.get('ref') or 0))} {esc(title)}{extra}")
        hidden = int(count) - len(top.get(kind, []))
        if hidden > 0:
            lines.append(ngettext("…and {count} more", "…and {count} more", hidden).format(count=hidden))
    return Rendered("\n".join(lines))


@renders(LINK_BROKEN)
def link_broken(facts: Mapping[str, Any]) -> Rendered:
    """To the officer who linked a chat: the bot can no longer post there."""
    title = esc(facts.get("title") or "")
    if facts.get("reason") == "removed":
        text = _("⚠️ The bot was removed from «{title}», so nothing is posted there any more. "
                 "Add the bot again and link the chat with /link.").format(title=title)
    else:
        text = _("⚠️ The bot may no longer post in «{title}». Give the bot the right to post messages, "
                 "then link the chat again with /link.").format(title=title)
    return Rendered(text)


@renders(CHAT_LINKED)
def chat_linked(facts: Mapping[str, Any]) -> Rendered:
    """To the officer whose code was posted in a channel: it is linked."""
    return Rendered(_("✅ The channel «{title}» is linked. Announcements of hearings and surveys will be posted "
                      "there; see /reach.").format(title=esc(facts.get("title") or "")))


def _inner(facts: Mapping[str, Any]) -> Notice:
    return Notice.from_json(json.dumps(facts["inner"]))


def _in_languages(facts: Mapping[str, Any]) -> tuple[list[str], str, str | None]:
    """The chat's languages, and the inner notice's text in each (one after the other) and photo."""
    locales = [loc for loc in facts.get("locales") or [] if loc in ("ky", "ru")] or [current_locale()]
    notice = _inner(facts)
    rendered = [render(notice, locale) for locale in locales]
    photo = next((r.photo for r in rendered if r.photo), None)
    return locales, "\n\n———\n\n".join(r.text for r in rendered), photo


@renders(CHAT_ALERT_NOTICE, in_chat=True)
def chat_alert(facts: Mapping[str, Any]) -> Rendered:
    """An officers' alert in a linked officers' group, in the group's languages; buttons would act in
    the group, so the only button opens the bot in a private chat."""
    locales, text, photo = _in_languages(facts)
    rows = []
    if facts.get("bot"):
        label = " / ".join(_("Open in the bot", locale=loc) for loc in locales)
        start = f"?start={facts['open']}" if facts.get("open") else ""
        rows.append([InlineKeyboardButton(text=label, url=f"https://t.me/{facts['bot']}{start}")])
    return Rendered(text, rows, photo)


@renders(POST_NOTICE, in_chat=True)
def public_post(facts: Mapping[str, Any]) -> Rendered:
    """A post in a linked public chat: the notice in each of the chat's languages (one after the
    other), its resident buttons replaced by one deep link into the bot."""
    locales, text, photo = _in_languages(facts)
    rows = []
    if facts.get("link"):
        label = " / ".join(_("Open in the bot", locale=loc) for loc in locales)
        rows.append([InlineKeyboardButton(text=label, url=str(facts["link"]))])
    return Rendered(text, rows, photo)
