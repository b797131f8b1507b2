-- 0004: surveys before hearings, secret one-per-resident votes, and verified residents.
-- Times are UTC ISO text ('2026-12-15T12:00:00Z'), compared as text. See bot/domain/surveys.py.

CREATE TABLE surveys (
    id                INTEGER PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    question_ky       TEXT NOT NULL DEFAULT '',   -- one language may be empty: residents then see the other
    question_ru       TEXT NOT NULL DEFAULT '',
    max_choices       INTEGER NOT NULL DEFAULT 1 CHECK (max_choices BETWEEN 1 AND 10),  -- 1: single choice
    opens_at          TEXT NOT NULL,
    closes_at         TEXT NOT NULL,
    hearing_id        INTEGER,                    -- optional link to a hearing (no FK until hearings exist)
    verified_only     INTEGER NOT NULL DEFAULT 0 CHECK (verified_only IN (0, 1)),
    status            TEXT NOT NULL DEFAULT 'scheduled'
                      CHECK (status IN ('scheduled', 'open', 'closed', 'deleted')),
    ballots           INTEGER NOT NULL DEFAULT 0, -- voters so far (kept by triggers below)
    recent_ballots    INTEGER NOT NULL DEFAULT 0, -- of them, accounts that joined < 1 h before voting
    created_by        INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    closed_at         TEXT,
    CHECK (question_ky <> '' OR question_ru <> ''),
    CHECK (closes_at > opens_at)
);
CREATE INDEX surveys_by_municipality ON surveys(municipality_code, status, closes_at);
CREATE INDEX surveys_due_open ON surveys(status, opens_at);
CREATE INDEX surveys_due_close ON surveys(status, closes_at);

CREATE TABLE survey_options (
    survey_id  INTEGER NOT NULL REFERENCES surveys(id),
    position   INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10),
    text_ky    TEXT NOT NULL DEFAULT '',
    text_ru    TEXT NOT NULL DEFAULT '',
    problem_id INTEGER,                           -- when taken from the municipality's priority problems
    votes      INTEGER NOT NULL DEFAULT 0,        -- kept by triggers below; recount with COUNT … GROUP BY
    PRIMARY KEY (survey_id, position)
) WITHOUT ROWID;

-- One ballot per resident per survey: the primary key is the rule (a double tap or two racing
-- taps cannot make a second row). Keyed by resident and survey, never by municipality, so a
-- resident who moves does not vote twice. Only counts ever leave these tables.
CREATE TABLE survey_ballots (
    survey_id     INTEGER NOT NULL REFERENCES surveys(id),
    resident_id   INTEGER NOT NULL REFERENCES residents(telegram_id),
    recent_joiner INTEGER NOT NULL DEFAULT 0 CHECK (recent_joiner IN (0, 1)),
    cast_at       TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (survey_id, resident_id)
) WITHOUT ROWID;

CREATE TABLE survey_votes (
    survey_id   INTEGER NOT NULL,
    resident_id INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (survey_id, resident_id, position),
    FOREIGN KEY (survey_id, resident_id) REFERENCES survey_ballots(survey_id, resident_id) ON DELETE CASCADE,
    FOREIGN KEY (survey_id, position) REFERENCES survey_options(survey_id, position)
) WITHOUT ROWID;
CREATE INDEX survey_votes_by_option ON survey_votes(survey_id, position);

CREATE TRIGGER survey_votes_count_insert AFTER INSERT ON survey_votes BEGIN
    UPDATE survey_options SET votes = votes + 1 WHERE survey_id = NEW.survey_id AND position = NEW.position;
END;
CREATE TRIGGER survey_votes_count_delete AFTER DELETE ON survey_votes BEGIN
    UPDATE survey_options SET votes = votes - 1 WHERE survey_id = OLD.survey_id AND position = OLD.position;
END;
CREATE TRIGGER survey_ballots_count_insert AFTER INSERT ON survey_ballots BEGIN
    UPDATE surveys SET ballots = ballots + 1, recent_ballots = recent_ballots + NEW.recent_joiner
    WHERE id = NEW.survey_id;
END;
CREATE TRIGGER survey_ballots_count_delete AFTER DELETE ON survey_ballots BEGIN
    UPDATE surveys SET ballots = ballots - 1, recent_ballots = recent_ballots - OLD.recent_joiner
    WHERE id = OLD.survey_id;
END;

-- Verified residents (bot/domain/verification.py). No phone number is kept: only how and when.
CREATE TABLE resident_verifications (
    resident_id       INTEGER PRIMARY KEY REFERENCES residents(telegram_id),
    method            TEXT NOT NULL CHECK (method IN ('phone', 'code')),
    municipality_code TEXT REFERENCES municipalities(code),  -- for 'code': the municipality the code vouches for
    verified_at       TEXT NOT NULL
);

-- One-time residence codes an officer generates in batches and hands out at the office or a hearing.
CREATE TABLE residence_codes (
    code              TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    created_by        INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    used_by           INTEGER,
    used_at           TEXT
);
CREATE INDEX residence_codes_by_municipality ON residence_codes(municipality_code, used_by);

-- Failed residence-code attempts, to throttle guessing (bot/domain/verification.py CODE_ATTEMPTS):
-- only who and when; never the code typed.
CREATE TABLE code_attempts (
    resident_id  INTEGER NOT NULL REFERENCES residents(telegram_id),
    attempted_at TEXT NOT NULL
);
CREATE INDEX code_attempts_by_resident ON code_attempts(resident_id, attempted_at);
