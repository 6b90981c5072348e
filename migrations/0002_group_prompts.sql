-- Icebreakers (docs/protocol.md section 7): the owner's prompts, a JSON array of strings.
-- Groups created before this migration have none.
ALTER TABLE groups ADD COLUMN prompts TEXT NOT NULL DEFAULT '[]';
