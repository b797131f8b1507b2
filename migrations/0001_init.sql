-- 0001: foundation — municipalities (SOATE), residents, officers, invites, conversation state.
-- Times are UTC, ISO 8601 text ('2026-11-29T21:24:47Z'), so they sort and compare as text.

-- Key/value facts about the database itself (e.g. the checksum of the imported municipality list).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Administrative units from the SOATE classifier. Codes are the stable keys: names change
-- (districts and municipalities are renamed), codes do not, so residents keep their link when
-- an updated list is re-imported.
CREATE TABLE oblasts (
    code    TEXT PRIMARY KEY,            -- first 5 digits of SOATE, e.g. '41708' (Chüy)
    name_ru TEXT NOT NULL,
    name_ky TEXT,                        -- NULL: not attested; show name_ru
    active  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE districts (
    code        TEXT PRIMARY KEY,        -- first 8 digits of SOATE, e.g. '41708203' (Alamüdün)
    oblast_code TEXT NOT NULL REFERENCES oblasts(code),
    name_ru     TEXT NOT NULL,
    name_ky     TEXT,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE INDEX districts_by_oblast ON districts(oblast_code, active);

CREATE TABLE municipalities (
    code           TEXT PRIMARY KEY,     -- the full 14-digit SOATE code
    district_code  TEXT NOT NULL REFERENCES districts(code),
    kind           TEXT NOT NULL CHECK (kind IN ('city', 'town', 'ayil_aimak')),
    name_ru        TEXT NOT NULL,
    name_ky        TEXT,                 -- from the data file, or set by an officer (below)
    name_ky_source TEXT CHECK (name_ky_source IN ('data', 'officer')),
    name_ky_set_by INTEGER,              -- officer's Telegram id when name_ky_source = 'officer'
    search_key     TEXT NOT NULL,        -- folded names for search (see bot.domain.text.fold)
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),  -- 0: gone from the latest list
    updated_at     TEXT NOT NULL
);
CREATE INDEX municipalities_by_district ON municipalities(district_code, active);

CREATE TABLE residents (
    telegram_id       INTEGER PRIMARY KEY,
    first_name        TEXT NOT NULL DEFAULT '',
    last_name         TEXT,
    username          TEXT,
    language_code     TEXT,              -- as Telegram last reported it; informational only
    locale            TEXT CHECK (locale IN ('ky', 'ru')),  -- the resident's own choice; NULL until chosen
    municipality_code TEXT REFERENCES municipalities(code),
    joined_at         TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    active            INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),  -- 0: blocked the bot
    inactive_since    TEXT
);
CREATE INDEX residents_by_municipality ON residents(municipality_code, active);

-- The officer role: one municipality per officer.
CREATE TABLE officers (
    telegram_id       INTEGER PRIMARY KEY REFERENCES residents(telegram_id),
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    granted_by        INTEGER NOT NULL,
    granted_at        TEXT NOT NULL
);
CREATE INDEX officers_by_municipality ON officers(municipality_code);

-- Every grant and revocation, never deleted.
CREATE TABLE officer_events (
    id                INTEGER PRIMARY KEY,
    telegram_id       INTEGER NOT NULL,
    municipality_code TEXT NOT NULL,
    action            TEXT NOT NULL CHECK (action IN ('grant', 'revoke')),
    via               TEXT NOT NULL CHECK (via IN ('command', 'invite')),
    actor_id          INTEGER NOT NULL,  -- the superadmin; for an invite, the superadmin who issued it
    invite_code       TEXT,
    at                TEXT NOT NULL
);

-- One-time codes a superadmin hands to a future officer.
CREATE TABLE officer_invites (
    code              TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    created_by        INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    used_by           INTEGER,
    used_at           TEXT
);

-- aiogram FSM (conversation state), so a restart in the middle of a flow loses nothing.
CREATE TABLE fsm_state (
    storage_key TEXT PRIMARY KEY,        -- built by aiogram's DefaultKeyBuilder
    state       TEXT,
    data        TEXT NOT NULL DEFAULT '{}',  -- JSON object
    updated_at  TEXT NOT NULL
);

-- One-shot prompts (the language question, a municipality picker) already answered: a second tap
-- on the same message (a double tap, two racing updates) is recognized and does nothing.
CREATE TABLE answered_prompts (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;
