-- 0002: the outbox. Every message sent to more than the person who acted goes through here
-- (announcements, reminders, status notifications), so rate limits, retries, languages and
-- bookkeeping live in one place (see ARCHITECTURE.md in the shared folder and bot/delivery/).

CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL,        -- what caused it: 'announcement', 'problem_status', …
    municipality_code   TEXT REFERENCES municipalities(code),
    sender_id           INTEGER,              -- officer who caused it, NULL for system messages
    show_progress       INTEGER NOT NULL DEFAULT 0 CHECK (show_progress IN (0, 1)),  -- sender sees progress + summary
    content             TEXT NOT NULL,        -- JSON, see bot.domain.outbox.Content
    created_at          TEXT NOT NULL,
    total               INTEGER NOT NULL DEFAULT 0,
    progress_chat_id    INTEGER,              -- where the sender's progress message lives
    progress_message_id INTEGER,
    progress_updated_at TEXT,
    dedup_key           TEXT UNIQUE,          -- set by a caller that must enqueue at most once (a double tap)
    paid                INTEGER NOT NULL DEFAULT 0 CHECK (paid IN (0, 1)),  -- sent with allow_paid_broadcast
    started_at          TEXT,                 -- first delivery attempt
    finished_at         TEXT
);
CREATE INDEX broadcasts_unfinished ON broadcasts(finished_at);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    broadcast_id    INTEGER NOT NULL REFERENCES broadcasts(id),
    resident_id     INTEGER NOT NULL REFERENCES residents(telegram_id),
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,                     -- NULL: due now
    message_id      INTEGER,                  -- Telegram message id once sent
    error           TEXT,                     -- why it failed or was skipped
    parts_sent      INTEGER NOT NULL DEFAULT 0,  -- a long text goes out in parts; resume after the last one sent
    possible_duplicate INTEGER NOT NULL DEFAULT 0 CHECK (possible_duplicate IN (0, 1)),
                                              -- 1: a request for it was cut off (crash, timeout): maybe 2 copies
    updated_at      TEXT,
    UNIQUE (broadcast_id, resident_id)        -- one copy per recipient per broadcast
);
-- The worker walks queued rows in id order (next_attempt_at is checked per row: few rows wait).
CREATE INDEX deliveries_due ON deliveries(status, id);
CREATE INDEX deliveries_by_broadcast ON deliveries(broadcast_id, status);
