-- Owner counts (docs/protocol.md section 7): what happened in a group since it was created.
-- Kept in the group's own row, so they go with it. Pairings are added in batches (see
-- src/realtime/counting.rs), never one write per pairing.
ALTER TABLE groups ADD COLUMN pairs_formed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE groups ADD COLUMN reports INTEGER NOT NULL DEFAULT 0;
ALTER TABLE groups ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
