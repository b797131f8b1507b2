-- 0005: the municipal registry of services (ru МРУ, муниципальный реестр услуг; ../shared/domain.md).
-- Each municipality keeps its own entries: the basic registry (ky Базалык реестр) and the additional
-- list approved by its council (ky кошумча тизме). Residents propose new services, support them,
-- follow entries and rate delivered ones. Every status change and edit is kept in service_events.
-- The starter catalogue (bot/resources/municipal_services_examples.csv) is copied into a
-- municipality lazily, the first time its registry is opened (registry_seeded records when).

CREATE TABLE registry_seeded (
    municipality_code TEXT PRIMARY KEY REFERENCES municipalities(code),
    seeded_at         TEXT NOT NULL
);

CREATE TABLE services (
    id                INTEGER PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    name_ky           TEXT NOT NULL DEFAULT '',   -- either name may be empty; the other is shown
    name_ru           TEXT NOT NULL DEFAULT '',
    description_ky    TEXT NOT NULL DEFAULT '',
    description_ru    TEXT NOT NULL DEFAULT '',
    area              TEXT NOT NULL,              -- bot.domain.registry.AREAS
    registry          TEXT NOT NULL CHECK (registry IN ('basic', 'additional')),
    provider_kind     TEXT NOT NULL DEFAULT 'ayil_okmotu'
                      CHECK (provider_kind IN ('ayil_okmotu', 'municipal_enterprise', 'outsourced')),
    provider_name     TEXT NOT NULL DEFAULT '',
    recipients        TEXT NOT NULL DEFAULT '',
    paid              INTEGER NOT NULL DEFAULT 0 CHECK (paid IN (0, 1)),
    tariff            TEXT NOT NULL DEFAULT '',
    standard          TEXT NOT NULL DEFAULT '',   -- the service standard (text)
    resolution_number TEXT NOT NULL DEFAULT '',   -- council resolution (ky токтом, ru постановление)
    resolution_date   TEXT,                       -- 'YYYY-MM-DD'
    status            TEXT NOT NULL CHECK (status IN ('proposed', 'under_consideration', 'approved', 'included',
                                                      'suspended', 'excluded', 'rejected')),
    rejection_reason  TEXT,
    origin            TEXT NOT NULL CHECK (origin IN ('catalogue', 'officer', 'resident')),
    proposed_by       INTEGER REFERENCES residents(telegram_id),  -- the resident who initiated it
    on_behalf_of      TEXT CHECK (on_behalf_of IN ('disabilities', 'elderly', 'single_parent', 'other')),
    confirmed         INTEGER NOT NULL DEFAULT 1 CHECK (confirmed IN (0, 1)),  -- 0: catalogue copy not yet edited
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX services_by_area ON services(municipality_code, area, id);
CREATE INDEX services_by_status ON services(municipality_code, status);

-- History of every entry: creation, status changes, edits. Never deleted.
CREATE TABLE service_events (
    id          INTEGER PRIMARY KEY,
    service_id  INTEGER NOT NULL REFERENCES services(id),
    kind        TEXT NOT NULL CHECK (kind IN ('created', 'status', 'edited')),
    from_status TEXT,
    to_status   TEXT,
    actor_id    INTEGER,                              -- NULL for the seeded catalogue
    actor_role  TEXT NOT NULL CHECK (actor_role IN ('resident', 'officer', 'system')),
    comment     TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX service_events_by_service ON service_events(service_id, id);

CREATE TABLE service_followers (
    service_id  INTEGER NOT NULL REFERENCES services(id),
    resident_id INTEGER NOT NULL REFERENCES residents(telegram_id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (service_id, resident_id)
);
CREATE INDEX service_followers_by_resident ON service_followers(resident_id);

-- Residents' support of a proposed service (one per resident).
CREATE TABLE service_supports (
    service_id  INTEGER NOT NULL REFERENCES services(id),
    resident_id INTEGER NOT NULL REFERENCES residents(telegram_id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (service_id, resident_id)
);

-- Ratings of included services: at most one per resident per calendar quarter (Asia/Bishkek).
-- resident_id is kept only to enforce that; officers see averages and comments, never who.
CREATE TABLE service_ratings (
    id          INTEGER PRIMARY KEY,
    service_id  INTEGER NOT NULL REFERENCES services(id),
    resident_id INTEGER NOT NULL REFERENCES residents(telegram_id),
    quarter     TEXT NOT NULL,                        -- '2026Q4'
    score       INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment     TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    UNIQUE (service_id, resident_id, quarter)
);
CREATE INDEX service_ratings_by_service ON service_ratings(service_id, quarter);

-- Priority problems (migrations/0003_problems.sql) linked to the registry service they concern,
-- set by an officer of the municipality; the service card shows the open ones and their supports.
CREATE TABLE service_problem_links (
    service_id INTEGER NOT NULL REFERENCES services(id),
    problem_id INTEGER NOT NULL REFERENCES problems(id),
    linked_by  INTEGER NOT NULL,
    linked_at  TEXT NOT NULL,
    PRIMARY KEY (service_id, problem_id)
);
CREATE INDEX service_problem_links_by_problem ON service_problem_links(problem_id);
