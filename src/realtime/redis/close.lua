-- close: A = group fingerprint, seconds until the group would have expired.
-- Marks the group closed and empties its lobby; returns the members that were waiting
-- (those whose records are still alive).
local group, ttl = A[1], tonumber(A[2])
redis.call('SET', K.closed .. group, '1', 'EX', math.max(ttl, 1))
local lobby = K.lobby .. group
local waiting = {}
for _, member in ipairs(redis.call('LRANGE', lobby, 0, -1)) do
  local mkey = K.member .. member
  if redis.call('EXISTS', mkey) == 1 then
    redis.call('HSET', mkey, 'place', '')
    table.insert(waiting, member)
  end
end
redis.call('DEL', lobby)
return waiting
