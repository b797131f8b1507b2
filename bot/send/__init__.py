"""The one send path of the bot: a shared budget under Telegram's limits (:mod:`bot.send.budget`)
and the session middleware that puts the application's Bot on it (:mod:`bot.send.middleware`).
The outbox worker (``bot.delivery.worker``) takes the same budget for its own session."""

from bot.send.budget import SendBudget
from bot.send.middleware import SendPathMiddleware, UpdateContextMiddleware, budget_of

__all__ = ["SendBudget", "SendPathMiddleware", "UpdateContextMiddleware", "budget_of"]
