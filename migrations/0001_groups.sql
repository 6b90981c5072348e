-- The only durable data (docs/protocol.md section 4): one row per live group.
-- The access code is never stored in clear: rows are found by its keyed hash, and the
-- sealed copy serves only the compat listing (`--public-group-list`).
CREATE TABLE groups (
    code_hash        BLOB PRIMARY KEY NOT NULL,
    code_sealed      BLOB NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL,
    rules            TEXT NOT NULL,
    owner_token_hash BLOB NOT NULL,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL
) STRICT;

CREATE INDEX groups_by_expiry ON groups (expires_at);
