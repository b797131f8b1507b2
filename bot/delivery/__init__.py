"""Delivery: the outbox worker that sends queued broadcasts under Telegram's limits.

``bot.domain.outbox.enqueue`` writes rows; :class:`~bot.delivery.worker.DeliveryWorker` (started
with the bot, see ``bot.app``) sends them: one copy per recipient in their language, in a fair
order among broadcasts (:mod:`bot.delivery.lanes`), at most ``DELIVERY_RATE`` messages per second
and only what direct replies leave of Telegram's budget (:mod:`bot.send`), one per second per
chat, holding a chat (or the outbox) for exactly ``retry_after`` on 429, marking residents who
blocked the bot inactive, resuming after a crash.
"""
