-- 0008: personal data (Law of the Kyrgyz Republic "On personal information", 2008 No. 58).
-- A resident who asks to be deleted leaves an anonymous stub behind: a residents row with a negative
-- telegram_id (a private sequence, never a Telegram id), no names, no username, no language, no
-- municipality, inactive, and deleted_at set. Their problems, supports, service proposals and
-- hearing questions point at the stub, so counts and history stay and nobody can tell who it was;
-- their survey ballots move to another stub, so their votes stay counted with no link to anything
-- else they did. See bot/domain/privacy.py.
ALTER TABLE residents ADD COLUMN deleted_at TEXT;  -- set on an anonymous stub only
