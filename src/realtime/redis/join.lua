-- join: A = member, group fingerprint, name, node, member ttl (ms), room id, draw.
-- Leaves whatever she was in and is present (not away) again, then waits at the end of the
-- group's lobby, or is paired at once with the waiter `take_partner` picks: the same rule
-- as `Hub::join`. A member removed from the group by reports is refused.
-- Returns {outcome, left_room, left_partner, partner_member, partner_name}.
local member, group, name, node, ttl, room, draw =
  A[1], A[2], A[3], A[4], tonumber(A[5]), A[6], tonumber(A[7])
local left = vacate(member)
local mkey = K.member .. member
redis.call('HSET', mkey, 'name', name, 'node', node)
redis.call('HDEL', mkey, 'away') -- only a member who is here can ask to join
redis.call('PEXPIRE', mkey, ttl)
if redis.call('EXISTS', K.closed .. group) == 1 then
  return {'closed', left[1], left[2], '', ''}
end
if redis.call('SISMEMBER', K.safety .. group .. ':rm', member) == 1 then
  return {'removed', left[1], left[2], '', ''}
end
local last = redis.call('HGET', mkey, 'last') or ''
local partner = take_partner(group, member, last, draw)
if not partner then
  redis.call('RPUSH', K.lobby .. group, member)
  redis.call('HSET', mkey, 'place', 'lobby:' .. group)
  return {'waiting', left[1], left[2], '', ''}
end
seat_pair(group, member, partner, room)
return {'paired', left[1], left[2], partner, redis.call('HGET', K.member .. partner, 'name') or ''}
