-- 0006: public hearings — announcement, RSVP, questions, reminders, outcome. See bot/domain/hearings.py.
-- Times are UTC ISO text ('2026-12-20T08:00:00Z'), compared as text; shown in Asia/Bishkek.

-- Minimum notice period per municipality (no legal minimum was found: each community's charter
-- sets it; design decision, ../shared/domain.md). No row: the default (10 days).
CREATE TABLE hearing_settings (
    municipality_code TEXT PRIMARY KEY REFERENCES municipalities(code),
    min_notice_days   INTEGER NOT NULL CHECK (min_notice_days BETWEEN 0 AND 90),
    updated_by        INTEGER NOT NULL,
    updated_at        TEXT NOT NULL
);

-- Every change of the notice period: who, when, old and new (officers may not go below the floor,
-- bot/domain/hearings.py NOTICE_FLOOR_DAYS; only superadmins may).
CREATE TABLE hearing_notice_changes (
    id                INTEGER PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    changed_by        INTEGER NOT NULL,
    changed_at        TEXT NOT NULL,
    old_days          INTEGER NOT NULL,
    new_days          INTEGER NOT NULL,
    as_superadmin     INTEGER NOT NULL DEFAULT 0 CHECK (as_superadmin IN (0, 1))
);
CREATE INDEX hearing_notice_changes_by_municipality ON hearing_notice_changes(municipality_code, id);

CREATE TABLE hearings (
    id                 INTEGER PRIMARY KEY,
    municipality_code  TEXT NOT NULL REFERENCES municipalities(code),
    topic              TEXT NOT NULL CHECK (topic IN ('budget_draft', 'budget_execution', 'priority_problems',
                                                      'services_registry', 'other')),
    title_ky           TEXT NOT NULL DEFAULT '',   -- one language may be empty: residents then see the other
    title_ru           TEXT NOT NULL DEFAULT '',
    agenda_ky          TEXT NOT NULL DEFAULT '',
    agenda_ru          TEXT NOT NULL DEFAULT '',
    starts_at          TEXT NOT NULL,
    place              TEXT NOT NULL,
    latitude           REAL CHECK (latitude IS NULL OR latitude BETWEEN -90 AND 90),
    longitude          REAL CHECK (longitude IS NULL OR longitude BETWEEN -180 AND 180),
    survey_id          INTEGER REFERENCES surveys(id),
    attachment_file_id TEXT,                       -- Telegram file_id of a document or photo
    attachment_kind    TEXT CHECK (attachment_kind IN ('photo', 'document')),
    status             TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled', 'held')),
    announcement_id    INTEGER REFERENCES broadcasts(id),  -- who "got it" = its deliveries
    created_by         INTEGER NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    revision           INTEGER NOT NULL DEFAULT 0,  -- +1 on every edit or cancellation (.ics SEQUENCE)
    cancelled_at       TEXT,
    cancel_reason      TEXT,
    -- outcome (set once, when status becomes 'held')
    decisions_ky       TEXT NOT NULL DEFAULT '',
    decisions_ru       TEXT NOT NULL DEFAULT '',
    participants       INTEGER CHECK (participants IS NULL OR participants >= 0),
    minutes_file_id    TEXT,
    outcome_at         TEXT,
    CHECK (title_ky <> '' OR title_ru <> ''),
    CHECK (agenda_ky <> '' OR agenda_ru <> ''),
    CHECK ((attachment_file_id IS NULL) = (attachment_kind IS NULL)),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX hearings_by_municipality ON hearings(municipality_code, status, starts_at);

-- One answer per resident per hearing (the primary key is the rule); changeable.
CREATE TABLE hearing_rsvps (
    hearing_id  INTEGER NOT NULL REFERENCES hearings(id),
    resident_id INTEGER NOT NULL REFERENCES residents(telegram_id),
    answer      TEXT NOT NULL CHECK (answer IN ('going', 'not_going', 'remind')),
    share_name  INTEGER NOT NULL DEFAULT 0 CHECK (share_name IN (0, 1)),  -- consent to the hall list
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (hearing_id, resident_id)
) WITHOUT ROWID;

CREATE TABLE hearing_questions (
    id          INTEGER PRIMARY KEY,
    hearing_id  INTEGER NOT NULL REFERENCES hearings(id),
    resident_id INTEGER NOT NULL REFERENCES residents(telegram_id),
    text        TEXT NOT NULL,
    asked_at    TEXT NOT NULL
);
CREATE INDEX hearing_questions_by_hearing ON hearing_questions(hearing_id, id);

-- Planned reminders: due_at follows starts_at; sent_at is set in the transaction that queues the
-- reminder, so a restart or a second run never sends it twice. skipped = 1: not sent (a later
-- reminder was already due, or the hearing had begun).
CREATE TABLE hearing_reminders (
    hearing_id INTEGER NOT NULL REFERENCES hearings(id),
    kind       TEXT NOT NULL CHECK (kind IN ('24h', '1h')),
    due_at     TEXT NOT NULL,
    sent_at    TEXT,
    skipped    INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
    PRIMARY KEY (hearing_id, kind)
) WITHOUT ROWID;
CREATE INDEX hearing_reminders_due ON hearing_reminders(sent_at, due_at);

-- Problems accepted at a hearing (same municipality; checked in bot/domain/hearings.py).
CREATE TABLE hearing_problems (
    hearing_id INTEGER NOT NULL REFERENCES hearings(id),
    problem_id INTEGER NOT NULL REFERENCES problems(id),
    new_status TEXT,                               -- the status it was moved to, NULL when it was not moved
    PRIMARY KEY (hearing_id, problem_id)
) WITHOUT ROWID;
