-- 0009: reach — officers' alerts (per kind: at once / daily digest / off, quiet hours), chats linked
-- to a municipality (officers' groups, the public channel, village groups) and their figures.
-- Times are UTC ISO text; hours are Asia/Bishkek hours (0-23) as the officer chose them.

-- One row per officer who changed anything; absent = every kind at once, no quiet hours.
CREATE TABLE reach_alert_settings (
    officer_id    INTEGER PRIMARY KEY REFERENCES residents(telegram_id),
    digest_hour   INTEGER NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
    quiet_from    INTEGER CHECK (quiet_from BETWEEN 0 AND 23),   -- NULL: no quiet hours
    quiet_to      INTEGER CHECK (quiet_to BETWEEN 0 AND 23),
    last_digest_on TEXT,                                          -- Bishkek date of the last digest
    updated_at    TEXT NOT NULL
);

-- Per officer and kind: how the alert reaches them; urgent = "at once" even in quiet hours.
CREATE TABLE reach_alert_modes (
    officer_id INTEGER NOT NULL REFERENCES residents(telegram_id),
    kind       TEXT NOT NULL,                 -- bot.domain.reach.alerts.KINDS
    mode       TEXT NOT NULL CHECK (mode IN ('now', 'digest', 'off')),
    urgent     INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    PRIMARY KEY (officer_id, kind)
);

-- Alerts waiting for an officer: for the daily digest ('digest'), or held by quiet hours ('quiet',
-- sent at due_at). ``notice`` is the Notice JSON that would have been sent at once.
CREATE TABLE reach_alert_queue (
    id         INTEGER PRIMARY KEY,
    officer_id INTEGER NOT NULL REFERENCES residents(telegram_id),
    kind       TEXT NOT NULL,
    held       TEXT NOT NULL CHECK (held IN ('digest', 'quiet')),
    summary    TEXT NOT NULL,                 -- JSON: {"ky": title, "ru": title, "ref": id}
    notice     TEXT NOT NULL,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    created_at TEXT NOT NULL,
    due_at     TEXT                           -- quiet: when it may go
);
CREATE INDEX reach_alert_queue_due ON reach_alert_queue(held, due_at);
CREATE INDEX reach_alert_queue_officer ON reach_alert_queue(officer_id, held);

-- A survey whose recent-joiner ballots formed a burst has been flagged to officers once.
CREATE TABLE reach_survey_bursts (
    survey_id  INTEGER PRIMARY KEY,
    flagged_at TEXT NOT NULL
);

-- One-time codes an officer gets with /link (short TTL); the code proves who links a chat.
CREATE TABLE reach_link_codes (
    code              TEXT PRIMARY KEY,
    officer_id        INTEGER NOT NULL REFERENCES residents(telegram_id),
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    purpose           TEXT NOT NULL CHECK (purpose IN ('staff', 'public')),
    created_at        TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    used_at           TEXT,
    used_chat_id      INTEGER
);

-- A linked chat. ``id`` is the stable reference (deep links carry it); ``chat_id`` changes when a
-- group becomes a supergroup. The outbox delivers to a chat through a ``residents`` row with the
-- chat's (negative) id and no municipality (so municipality broadcasts never include it).
CREATE TABLE reach_chats (
    id                INTEGER PRIMARY KEY,
    chat_id           INTEGER NOT NULL UNIQUE,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    chat_type         TEXT NOT NULL CHECK (chat_type IN ('group', 'supergroup', 'channel')),
    purpose           TEXT NOT NULL CHECK (purpose IN ('staff', 'public')),
    title             TEXT NOT NULL DEFAULT '',
    locales           TEXT NOT NULL DEFAULT 'ky,ru',  -- languages of posts: 'ky', 'ru' or 'ky,ru'
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'broken', 'unlinked')),
    broken_reason     TEXT,
    linked_by         INTEGER NOT NULL,               -- the officer whose code linked it
    linked_at         TEXT NOT NULL,
    migrated_from     INTEGER,                        -- the group's id before it became a supergroup
    updated_at        TEXT NOT NULL
);
CREATE INDEX reach_chats_by_municipality ON reach_chats(municipality_code, status);

-- Every post queued to a linked chat (figures: posts made).
CREATE TABLE reach_posts (
    id           INTEGER PRIMARY KEY,
    chat_ref     INTEGER NOT NULL REFERENCES reach_chats(id),
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
    kind         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX reach_posts_by_chat ON reach_posts(chat_ref);

-- A deep link opened by a resident: where they came from, until they confirm the municipality.
CREATE TABLE reach_pending (
    resident_id       INTEGER PRIMARY KEY REFERENCES residents(telegram_id),
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    target            TEXT NOT NULL DEFAULT '',      -- '', 's<id>' (survey) or 'h<id>' (hearing)
    chat_ref          INTEGER REFERENCES reach_chats(id),
    created_at        TEXT NOT NULL
);

-- A resident who joined (first chose a municipality) through a linked chat's deep link; once each.
CREATE TABLE reach_joins (
    resident_id       INTEGER PRIMARY KEY REFERENCES residents(telegram_id),
    chat_ref          INTEGER REFERENCES reach_chats(id),
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    joined_at         TEXT NOT NULL
);
CREATE INDEX reach_joins_by_chat ON reach_joins(chat_ref);
