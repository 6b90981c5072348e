-- Prepended to join.lua for a resumable member (docs/protocol.md section 6): in the same
-- step as her join, her record is marked resumable, so that every event for her from then
-- on is numbered, and keeps her group's sealed code (the last argument) for the node she
-- may resume on. No matching rule changes.
redis.call('HSET', K.member .. A[1], 'resumable', '1', 'code', A[#A])
