"""What onboarding and the always-available commands say: the language question, the picker's
screens, the main menu text and /help; and the explanations of their domain errors.

Every function returns HTML-safe text in the current locale (``bot.i18n.use_locale``).
"""

from __future__ import annotations

from bot.domain.municipalities import Location, SearchQueryTooShort
from bot.domain.residents import UnknownMunicipality, UnsupportedLocale
from bot.i18n import _
from bot.ui.errors import explains
from bot.ui.messages import place_label


def language_prompt() -> str:
    """The bilingual language question: the same question in every supported language, one per line."""
    return "\n".join(_("Please choose your language.", locale=loc) for loc in ("ky", "ru"))


def language_hint() -> str:
    """Under the language buttons again, after a message that names no language: tap, or type its
    name (bilingual like :func:`language_prompt`: the language is what is being chosen)."""
    return "\n".join(_("Tap a button below, or type the name of the language: кыргызча or русский.", locale=loc)
                     for loc in ("ky", "ru"))


def picker_intro() -> str:
    """First screen of the municipality picker."""
    return _(
        "<b>Where do you live?</b>\n"
        "Choose your region below, or type part of the name of your municipality "
        "(for example: <i>Ак-Суу</i>, <i>Кара-Балта</i>)."
    )


def home_text(location: Location | None, locale: str) -> str:
    """Text of the main menu: where the resident is registered and what to do next."""
    if location is None:
        return _("Choose your municipality with /municipality.")
    return _(
        "<b>Main menu</b>\n"
        "Your municipality: {place}.\n\n"
        "Send /help to see what the bot can do."
    ).format(place=place_label(location, locale))


def officer_tools_text() -> str:
    """The officer's commands for every feature (shown in /help and /officer)."""
    return _(
        "/announce — an announcement to every resident\n"
        "/problems_queue — new problems; /problems_export — the ranked list as CSV and a chart\n"
        "/reopen_threshold — how many supporters reopen a solved problem\n"
        "/newsurvey — a survey; /survey_admin — turnout and results; /codes — residence codes\n"
        "/hearing — announce and run a public hearing; /hearing_notice — minimum notice, days\n"
        "/registry — the registry of services: statuses, new entries, CSV"
    ) + "\n" + _(
        "/plans — the joint action plan, budget proposals, the monitoring group\n"
        "/plan_report — the report for the execution hearing; /figures — the programme's figures\n"
        "/alerts — which alerts you get and when; /link — link a staff group or the channel; "
        "/reach — posts and joins per chat\n"
        "/audit — the audit log of your municipality"
    )


def help_text(*, officer: bool, superadmin: bool) -> str:
    """The /help text: the resident part, then the officer and superadmin parts for those roles."""
    parts = [
        _(
            "<b>Jamaat</b> helps residents take part in the life of their municipality.\n\n"
            "/menu — main menu\n"
            "/municipality — change your municipality\n"
            "/language — change the language\n"
            "/cancel — stop the current step\n"
            "/id — your Telegram id (an administrator may ask for it)\n"
            "/help — this help"
        ),
        _(
            "<b>Taking part</b>\n"
            "/problems — priority problems of your municipality; /newproblem — raise one\n"
            "/surveys — surveys before public hearings; /verify — confirm you live here\n"
            "/hearings — public hearings: dates, agenda, outcomes\n"
            "/services — the municipal registry of services; propose a new one"
        ),
        _(
            "<b>After the choice</b>\n"
            "/plan — the joint action plan: what is being done about the problems\n"
            "/monitoring — the residents' monitoring group (members join with a code)\n"
            "/privacy — what the bot stores about you; /delete_me — delete it"
        ),
    ]
    if officer:
        parts.append(
            _(
                "<b>For officers</b>\n"
                "/officer — your municipality and the officer tools\n"
                "/kyname — set the Kyrgyz name of your municipality"
            )
        )
        parts.append(officer_tools_text())
    if superadmin:
        parts.append(
            _(
                "<b>For administrators</b>\n"
                "/invite &lt;SOATE code or name&gt; — one-time code that makes its holder an officer\n"
                "/grant &lt;Telegram id&gt; &lt;SOATE code&gt; — make a resident an officer\n"
                "/revoke &lt;Telegram id&gt; — take the officer role away\n"
                "/officers &lt;SOATE code&gt; — officers of a municipality\n"
                "/find &lt;name&gt; — SOATE codes of municipalities"
            )
        )
    return "\n\n".join(parts)


# -- explanations -----------------------------------------------------------------------------------


@explains(SearchQueryTooShort)
def _query_too_short(error: SearchQueryTooShort) -> str:
    return _("Type at least 2 letters of the name.")


@explains(UnknownMunicipality)
def _unknown_municipality(error: UnknownMunicipality) -> str:
    return _("This municipality is no longer in the list. Please choose again.")


@explains(UnsupportedLocale)
def _unsupported_locale(error: UnsupportedLocale) -> str:
    return _("This button is out of date.")
