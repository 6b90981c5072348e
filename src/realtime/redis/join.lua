-- join: ARGV = prefix, member, group fingerprint, name, node, member ttl (ms), fresh room id,
-- random number. Leaves whatever she was in, then waits in the group's lobby, paired at
-- once with a uniformly chosen eligible waiter whose record is still alive.
-- Returns {outcome, left_room, left_partner, partner_member, partner_name}.
local p, member, group, name, node, ttl, room, random =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8])
local left = vacate(p, member)
local mkey = p .. ':m:' .. member
redis.call('HSET', mkey, 'name', name, 'node', node)
redis.call('PEXPIRE', mkey, ttl)
if redis.call('EXISTS', p .. ':closed:' .. group) == 1 then
  return {'closed', left[1], left[2], '', ''}
end
local last = redis.call('HGET', mkey, 'last') or ''
local lobby = p .. ':lobby:' .. group
local eligible = {}
for _, other in ipairs(redis.call('SMEMBERS', lobby)) do
  local okey = p .. ':m:' .. other
  if redis.call('EXISTS', okey) == 0 then
    redis.call('SREM', lobby, other) -- her node is gone
  elseif other ~= member and other ~= last and (redis.call('HGET', okey, 'last') or '') ~= member then
    table.insert(eligible, other)
  end
end
if #eligible == 0 then
  redis.call('SADD', lobby, member)
  redis.call('HSET', mkey, 'place', 'lobby:' .. group)
  return {'waiting', left[1], left[2], '', ''}
end
local partner = eligible[(random % #eligible) + 1]
local pkey = p .. ':m:' .. partner
redis.call('SREM', lobby, partner)
local rkey = p .. ':room:' .. room
redis.call('SADD', rkey, member, partner)
redis.call('EXPIRE', rkey, 86400) -- outlives any chat; rooms of dead nodes vanish
redis.call('HSET', mkey, 'place', 'room:' .. room, 'last', partner)
redis.call('HSET', pkey, 'place', 'room:' .. room, 'last', member)
return {'paired', left[1], left[2], partner, redis.call('HGET', pkey, 'name') or ''}
