-- 0011: the audit log (issue 13 item 5). Every officer and superadmin action, written in the same
-- transaction as the action itself by bot.domain.audit.record: who (the actor's resident id and role),
-- what (an action code, the target's kind and id, small JSON details, never residents' personal data),
-- when (UTC ISO text) and the municipality it concerns. Officers read their municipality's entries,
-- superadmins any.
CREATE TABLE audit_log (
    id                INTEGER PRIMARY KEY,
    at                TEXT NOT NULL,
    actor_resident_id INTEGER,              -- the actor's residents.telegram_id (a negative stub id once they were deleted)
    actor_role        TEXT NOT NULL CHECK (actor_role IN ('officer', 'superadmin')),
    municipality_code TEXT,                 -- the municipality concerned; NULL for a national action
    action            TEXT NOT NULL,        -- e.g. 'problem.status', 'survey.publish' (bot.domain.audit.Action)
    target_kind       TEXT,                 -- 'problem', 'survey', 'hearing', 'service', 'resident', …
    target_id         INTEGER,
    details           TEXT NOT NULL DEFAULT '{}'  -- JSON object
);
CREATE INDEX audit_log_by_municipality ON audit_log(municipality_code, id);

-- Append-only: nothing from the bot may change or remove an entry. The one exception is the privacy
-- erasure of a person who asked to be deleted (bot.domain.privacy): their resident id, as the actor or
-- as a 'resident' target, may be replaced by the id of their anonymous stub (a deleted residents row),
-- and nothing else in the row may change.
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
    NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor_role IS OLD.actor_role
    AND NEW.municipality_code IS OLD.municipality_code AND NEW.action IS OLD.action
    AND NEW.target_kind IS OLD.target_kind AND NEW.details IS OLD.details
    AND (NEW.actor_resident_id IS OLD.actor_resident_id
         OR EXISTS (SELECT 1 FROM residents WHERE telegram_id = NEW.actor_resident_id
                    AND deleted_at IS NOT NULL AND NEW.actor_resident_id < 0))
    AND (NEW.target_id IS OLD.target_id
         OR (OLD.target_kind = 'resident'
             AND EXISTS (SELECT 1 FROM residents WHERE telegram_id = NEW.target_id
                         AND deleted_at IS NOT NULL AND NEW.target_id < 0)))
)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
