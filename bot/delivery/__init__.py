"""Delivery: the outbox worker that sends queued broadcasts under Telegram's limits.

``bot.domain.outbox.enqueue`` writes rows; :class:`~bot.delivery.worker.DeliveryWorker` (started
with the bot, see ``bot.app``) sends them: one copy per recipient in their language, at most
``DELIVERY_RATE`` messages per second overall and one per second per chat, pausing everything on
429, marking residents who blocked the bot inactive, resuming after a crash.
"""
