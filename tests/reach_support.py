"""What the reach tests share: delivering the outbox through the real worker against the emulator,
and the stored broadcasts of a kind."""

from __future__ import annotations

from typing import Any

from bot.db import Database


async def deliver(harness, db: Database, settings, timeout: float = 20.0) -> None:
    """Run the delivery worker (with the linked-chat middleware, as the app starts it) until the outbox is empty."""
    from bot.delivery.chats import LinkedChatSends
    from bot.delivery.worker import DeliveryWorker

    worker = DeliveryWorker(db, harness.bot, settings.model_copy(update={"telegram_api_url": harness.emulator.base_url}))
    LinkedChatSends.install(worker)
    await worker.start()
    try:
        worker.wake()
        await worker.wait_idle(timeout=timeout)
    finally:
        await worker.stop()


async def broadcasts_to(db: Database, resident_id: int, kind: str | None = None) -> list[Any]:
    """``(kind, content, status)`` of every delivery to ``resident_id`` (of ``kind``), oldest first."""
    sql = ("SELECT b.kind, b.content, d.status FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
           " WHERE d.resident_id = ?")
    params: list[Any] = [resident_id]
    if kind is not None:
        sql += " AND b.kind = ?"
        params.append(kind)
    return await db.fetchall(sql + " ORDER BY d.id", params)
