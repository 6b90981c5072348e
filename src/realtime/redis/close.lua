-- close: ARGV = prefix, group fingerprint, seconds until the group would have expired.
-- Marks the group closed and empties its lobby; returns the members that were waiting.
local p, group, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
redis.call('SET', p .. ':closed:' .. group, '1', 'EX', math.max(ttl, 1))
local lobby = p .. ':lobby:' .. group
local waiting = redis.call('SMEMBERS', lobby)
for _, member in ipairs(waiting) do
  redis.call('HSET', p .. ':m:' .. member, 'place', '')
end
redis.call('DEL', lobby)
return waiting
