-- 0007: production (issue 11). Telegram update ids already taken for handling, so an update that
-- Telegram delivers again (a webhook retry, getUpdates after a crash) is handled at most once
-- (bot/store/updates.py, bot/web/once.py). Kept for 7 days: Telegram re-delivers within hours.
CREATE TABLE processed_updates (
    update_id    INTEGER PRIMARY KEY,
    processed_at TEXT NOT NULL            -- UTC ISO, when the update was taken for handling
);
CREATE INDEX processed_updates_by_time ON processed_updates(processed_at);

-- Small values the running bot keeps for itself: the generated webhook secret ('webhook_secret'),
-- the health endpoint's write probe ('health_probe'). Not settings an operator edits.
CREATE TABLE app_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
