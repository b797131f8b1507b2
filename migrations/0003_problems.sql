-- 0003: priority problems — residents raise and support them, officers move them through the
-- participation cycle (../shared/domain.md, "Problem statuses"). Times are UTC ISO text.

CREATE TABLE problems (
    id                INTEGER PRIMARY KEY,   -- shown to people as #id; grows with creation, so higher = newer
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    author_id         INTEGER NOT NULL REFERENCES residents(telegram_id),
    category          TEXT NOT NULL CHECK (category IN (
                          'water', 'roads', 'irrigation', 'schools', 'kindergartens', 'health', 'lighting',
                          'waste', 'culture_sport', 'social', 'safety', 'other')),
    text              TEXT,                  -- as typed (bidi/zero-width controls removed); NULL for a voice problem
    search_key        TEXT NOT NULL DEFAULT '',  -- folded words of the text (bot.domain.text.fold), for "similar"
    voice_file_id     TEXT,                  -- Telegram file_id of a voice message given instead of text
    voice_duration    INTEGER,               -- seconds
    photos            TEXT NOT NULL DEFAULT '[]',  -- JSON list of up to 3 photo file_ids
    latitude          REAL,
    longitude         REAL,
    status            TEXT NOT NULL DEFAULT 'new' CHECK (status IN (
                          'new', 'under_review', 'prioritized', 'in_action_plan', 'at_hearing', 'in_budget',
                          'in_progress', 'solved', 'rejected', 'duplicate')),
    duplicate_of      INTEGER REFERENCES problems(id),   -- set when status = 'duplicate'
    hidden            INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),  -- 1: hidden by an officer (abuse)
    hidden_reason     TEXT,
    supports          INTEGER NOT NULL DEFAULT 0,        -- count of problem_supports rows, kept by the triggers below
    draft_token       TEXT,                  -- random token of the draft it was published from (FSM data):
                                             -- a second "Publish" of the same draft finds it (idempotent)
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK (text IS NOT NULL OR voice_file_id IS NOT NULL),
    CHECK ((status = 'duplicate') = (duplicate_of IS NOT NULL))
);

-- The ranked list of a municipality: open (not solved/rejected/duplicate), not hidden, most supported
-- first, newer first on ties. A partial index, so the first page is an index range scan even with
-- hundreds of thousands of closed problems. Queries must repeat this WHERE clause word for word.
CREATE INDEX problems_ranked ON problems(municipality_code, supports DESC, id DESC)
    WHERE hidden = 0 AND status NOT IN ('solved', 'rejected', 'duplicate');
-- The officer's queue of new problems, oldest first.
CREATE INDEX problems_new ON problems(municipality_code, id) WHERE status = 'new' AND hidden = 0;
-- "Similar problems": open problems of one category in a municipality.
CREATE INDEX problems_by_category ON problems(municipality_code, category, supports DESC)
    WHERE hidden = 0 AND status NOT IN ('solved', 'rejected', 'duplicate');
CREATE INDEX problems_by_author ON problems(author_id, id);
-- One problem per draft: two racing taps on "Publish" create it once.
CREATE UNIQUE INDEX problems_by_draft ON problems(author_id, draft_token) WHERE draft_token IS NOT NULL;

-- One support per resident per problem, enforced here (a double tap or two devices count once).
CREATE TABLE problem_supports (
    problem_id  INTEGER NOT NULL REFERENCES problems(id),
    resident_id INTEGER NOT NULL REFERENCES residents(telegram_id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (problem_id, resident_id)
) WITHOUT ROWID;
CREATE INDEX problem_supports_by_resident ON problem_supports(resident_id, problem_id);

CREATE TRIGGER problem_supports_count_up AFTER INSERT ON problem_supports
BEGIN
    UPDATE problems SET supports = supports + 1 WHERE id = NEW.problem_id;
END;

CREATE TRIGGER problem_supports_count_down AFTER DELETE ON problem_supports
BEGIN
    UPDATE problems SET supports = supports - 1 WHERE id = OLD.problem_id;
END;

-- Every change of a problem: who (NULL = the system, e.g. a reopening by residents' answers), when, why.
CREATE TABLE problem_events (
    id         INTEGER PRIMARY KEY,
    problem_id INTEGER NOT NULL REFERENCES problems(id),
    actor_id   INTEGER,
    action     TEXT NOT NULL CHECK (action IN ('created', 'status', 'duplicate', 'merged_in', 'hidden', 'reopened')),
    old_status TEXT,
    new_status TEXT,
    related_id INTEGER,                      -- the other problem of a merge
    comment    TEXT,
    at         TEXT NOT NULL
);
CREATE INDEX problem_events_by_problem ON problem_events(problem_id, id);

-- "Still a problem?" answers of supporters after a problem was marked solved. One answer per
-- resident per solved event (solved_event_id), so a problem solved again asks afresh.
CREATE TABLE problem_still_answers (
    problem_id      INTEGER NOT NULL REFERENCES problems(id),
    solved_event_id INTEGER NOT NULL REFERENCES problem_events(id),
    resident_id     INTEGER NOT NULL REFERENCES residents(telegram_id),
    still           INTEGER NOT NULL CHECK (still IN (0, 1)),  -- 1: "still a problem", 0: "solved, thanks"
    at              TEXT NOT NULL,
    PRIMARY KEY (problem_id, solved_event_id, resident_id)
) WITHOUT ROWID;

-- Per-municipality settings of the problems feature (absent row: the defaults from Settings).
CREATE TABLE problem_settings (
    municipality_code TEXT PRIMARY KEY REFERENCES municipalities(code),
    reopen_threshold  INTEGER NOT NULL CHECK (reopen_threshold BETWEEN 1 AND 1000),
    updated_by        INTEGER,
    updated_at        TEXT NOT NULL
);
