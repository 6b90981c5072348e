-- round_view: A = group fingerprint.
-- What the next round's pairing needs (read only): the present members, the group's
-- blocked pairs, and the series' history.
-- Returns {present, blocked pairs, met pairs, {member, byes, ...}}.
local group = A[1]
local base = K.series .. group
return {present(group),
  redis.call('SMEMBERS', K.safety .. group .. ':blk'), redis.call('SMEMBERS', base .. ':met'),
  redis.call('HGETALL', base .. ':byes')}
