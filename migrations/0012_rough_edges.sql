-- Issue 12: "I will come" and "Remind me" are not exclusive. The reminder is a flag of its own beside
-- the answer; the answer 'remind' stays for residents who asked only for a reminder (no answer yet).
-- Until now 'going' and 'remind' both got reminders: keep exactly that for existing rows.
ALTER TABLE hearing_rsvps ADD COLUMN reminder INTEGER NOT NULL DEFAULT 0 CHECK (reminder IN (0, 1));
UPDATE hearing_rsvps SET reminder = 1 WHERE answer IN ('going', 'remind');

-- Issue 12: the officer's note about votes from recent joiners is not shown in a first rollout.
-- Set when a survey is created: whether its municipality then had ROLLOUT_BASE residents who had
-- joined before the survey opens (bot.domain.surveys.model.ROLLOUT_BASE); existing surveys keep
-- the note as before.
ALTER TABLE surveys ADD COLUMN established INTEGER NOT NULL DEFAULT 1 CHECK (established IN (0, 1));
