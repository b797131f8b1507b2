-- 0010: from priority to result (issue 15; ../shared/domain.md, steps 3 and 5): the joint action plan
-- (ru совместный план действий, ky биргелешкен аракеттер планы) of a municipality and year, citizens'
-- budget proposals and the council's decisions, joint monitoring and evaluation groups (ky биргелешкен
-- мониторинг жана баалоо тобу) and their reports, and local initiatives (an item of kind 'initiative').
-- Money is whole som (INTEGER). Dates typed by officers are 'YYYY-MM-DD'; times are UTC ISO text.

CREATE TABLE plan_items (
    id                INTEGER PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    year              INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    kind              TEXT NOT NULL DEFAULT 'plan' CHECK (kind IN ('plan', 'initiative')),
    title             TEXT NOT NULL,
    responsible       TEXT NOT NULL CHECK (responsible IN ('ayil_okmotu', 'municipal_enterprise', 'initiative_group')),
    responsible_name  TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    result            TEXT NOT NULL DEFAULT '',      -- what was achieved (reported at the execution hearing)
    created_by        INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX plan_items_by_municipality ON plan_items(municipality_code, year, id);

-- An item solves one or more priority problems; their author and supporters follow the item.
CREATE TABLE plan_item_problems (
    item_id    INTEGER NOT NULL REFERENCES plan_items(id),
    problem_id INTEGER NOT NULL REFERENCES problems(id),
    PRIMARY KEY (item_id, problem_id)
);
CREATE INDEX plan_item_problems_by_problem ON plan_item_problems(problem_id);

CREATE TABLE plan_steps (
    id       INTEGER PRIMARY KEY,
    item_id  INTEGER NOT NULL REFERENCES plan_items(id),
    title    TEXT NOT NULL,
    deadline TEXT NOT NULL,                           -- 'YYYY-MM-DD'
    done_at  TEXT
);
CREATE INDEX plan_steps_by_item ON plan_steps(item_id, id);

-- Money of an item by source, planned and spent, whole som.
CREATE TABLE plan_money (
    item_id INTEGER NOT NULL REFERENCES plan_items(id),
    source  TEXT NOT NULL CHECK (source IN ('local_budget', 'residents_money', 'residents_labour', 'donor', 'state')),
    planned INTEGER NOT NULL DEFAULT 0 CHECK (planned >= 0),
    spent   INTEGER NOT NULL DEFAULT 0 CHECK (spent >= 0),
    PRIMARY KEY (item_id, source)
);

-- Every change of a deadline or of money, with the officer's reason (followers are told it).
CREATE TABLE plan_changes (
    id        INTEGER PRIMARY KEY,
    item_id   INTEGER NOT NULL REFERENCES plan_items(id),
    kind      TEXT NOT NULL CHECK (kind IN ('created', 'deadline', 'money', 'spent', 'step_done', 'status')),
    subject   TEXT NOT NULL DEFAULT '',               -- the step id or the money source
    old_value TEXT NOT NULL DEFAULT '',
    new_value TEXT NOT NULL DEFAULT '',
    reason    TEXT NOT NULL DEFAULT '',
    actor_id  INTEGER NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX plan_changes_by_item ON plan_changes(item_id, id);

-- A citizens' proposal for the local budget (an item proposed at a budget hearing) and the council's decision.
CREATE TABLE budget_proposals (
    id                INTEGER PRIMARY KEY,
    item_id           INTEGER NOT NULL REFERENCES plan_items(id),
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    hearing_id        INTEGER REFERENCES hearings(id),
    requested         INTEGER NOT NULL CHECK (requested > 0),
    proposed_by       INTEGER NOT NULL,
    proposed_at       TEXT NOT NULL,
    decision          TEXT CHECK (decision IN ('accepted', 'partly', 'rejected')),
    amount            INTEGER CHECK (amount IS NULL OR amount >= 0),
    reason            TEXT NOT NULL DEFAULT '',
    resolution_number TEXT NOT NULL DEFAULT '',
    resolution_date   TEXT,                           -- 'YYYY-MM-DD'
    decided_by        INTEGER,
    decided_at        TEXT,
    CHECK ((decision IS NULL) = (decided_at IS NULL))
);
CREATE INDEX budget_proposals_by_municipality ON budget_proposals(municipality_code, id);
CREATE INDEX budget_proposals_by_item ON budget_proposals(item_id, id);

-- The monitoring group of a municipality: the council's regulation approving it.
CREATE TABLE monitoring_groups (
    municipality_code TEXT PRIMARY KEY REFERENCES municipalities(code),
    regulation_number TEXT NOT NULL DEFAULT '',
    regulation_date   TEXT,                           -- 'YYYY-MM-DD'
    updated_by        INTEGER NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE TABLE monitoring_invites (
    code              TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    created_by        INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    used_by           INTEGER,
    used_at           TEXT
);

-- Membership, kept after leaving (left_at); one current membership per resident.
CREATE TABLE monitoring_members (
    id                INTEGER PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    resident_id       INTEGER NOT NULL REFERENCES residents(telegram_id),
    invite_code       TEXT NOT NULL,
    joined_at         TEXT NOT NULL,
    left_at           TEXT
);
CREATE UNIQUE INDEX monitoring_members_current ON monitoring_members(resident_id) WHERE left_at IS NULL;
CREATE INDEX monitoring_members_by_municipality ON monitoring_members(municipality_code, left_at);

-- A member's report on an action-plan item. photos: JSON list of file_ids of the re-encoded copies
-- (no metadata); the member's originals are never stored. author_id is shown to officers only,
-- unless signed = 1.
CREATE TABLE monitoring_reports (
    id                INTEGER PRIMARY KEY,
    item_id           INTEGER NOT NULL REFERENCES plan_items(id),
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    author_id         INTEGER NOT NULL REFERENCES residents(telegram_id),
    progress          TEXT NOT NULL CHECK (progress IN ('on_schedule', 'delayed', 'stopped')),
    note              TEXT NOT NULL DEFAULT '',
    procurement       TEXT NOT NULL DEFAULT '',
    photos            TEXT NOT NULL DEFAULT '[]',
    signed            INTEGER NOT NULL DEFAULT 0 CHECK (signed IN (0, 1)),
    hidden            INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    hidden_reason     TEXT NOT NULL DEFAULT '',
    hidden_by         INTEGER,
    created_at        TEXT NOT NULL
);
CREATE INDEX monitoring_reports_by_item ON monitoring_reports(item_id, id);
CREATE INDEX monitoring_reports_by_municipality ON monitoring_reports(municipality_code, id);

CREATE TABLE monitoring_answers (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES monitoring_reports(id),
    officer_id INTEGER NOT NULL,
    text       TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX monitoring_answers_by_report ON monitoring_answers(report_id, id);
