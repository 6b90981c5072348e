-- join: A = member, group fingerprint, name, node, member ttl (ms), room id, draw.
-- Leaves whatever she was in, then waits at the end of the group's lobby, or is paired at
-- once with the eligible waiter (record still alive) that the draw picks among them in
-- their order of arrival: the same rule as `Hub::join` and `Choice::pick`.
-- Returns {outcome, left_room, left_partner, partner_member, partner_name}.
local member, group, name, node, ttl, room, draw =
  A[1], A[2], A[3], A[4], tonumber(A[5]), A[6], tonumber(A[7])
local left = vacate(member)
local mkey = K.member .. member
redis.call('HSET', mkey, 'name', name, 'node', node)
redis.call('PEXPIRE', mkey, ttl)
if redis.call('EXISTS', K.closed .. group) == 1 then
  return {'closed', left[1], left[2], '', ''}
end
local last = redis.call('HGET', mkey, 'last') or ''
local lobby = K.lobby .. group
local eligible = {}
for _, other in ipairs(redis.call('LRANGE', lobby, 0, -1)) do
  local okey = K.member .. other
  if redis.call('EXISTS', okey) == 0 then
    redis.call('LREM', lobby, 0, other) -- her node is gone
  elseif other ~= member and other ~= last and (redis.call('HGET', okey, 'last') or '') ~= member then
    table.insert(eligible, other)
  end
end
if #eligible == 0 then
  redis.call('RPUSH', lobby, member)
  redis.call('HSET', mkey, 'place', 'lobby:' .. group)
  return {'waiting', left[1], left[2], '', ''}
end
local partner = eligible[(draw % #eligible) + 1]
local pkey = K.member .. partner
redis.call('LREM', lobby, 0, partner)
local rkey = K.room .. room
redis.call('SADD', rkey, member, partner)
redis.call('EXPIRE', rkey, 86400) -- outlives any chat; rooms of dead nodes vanish
redis.call('HSET', mkey, 'place', 'room:' .. room, 'last', partner)
redis.call('HSET', pkey, 'place', 'room:' .. room, 'last', member)
return {'paired', left[1], left[2], partner, redis.call('HGET', pkey, 'name') or ''}
