-- join: A = member, group fingerprint, name, node, member ttl (ms), room id, draw.
-- Leaves whatever she was in and is present (not away) again, then `enter`s the group:
-- waits at the end of its lobby, or is paired at once with the waiter `take_partner`
-- picks: the same rule as `Hub::join`. A member removed from the group by reports is refused.
-- Returns {outcome, left_room, left_partner, partner_member, partner_name}.
local member, group, name, node, ttl, room, draw =
  A[1], A[2], A[3], A[4], tonumber(A[5]), A[6], tonumber(A[7])
local left = vacate(member)
local mkey = K.member .. member
redis.call('HSET', mkey, 'name', name, 'node', node)
redis.call('HDEL', mkey, 'away') -- only a member who is here can ask to join
redis.call('PEXPIRE', mkey, ttl)
local entered = enter(group, member, room, draw)
local partner = entered[2]
local partner_name = ''
if partner ~= '' then
  partner_name = redis.call('HGET', K.member .. partner, 'name') or ''
end
return {entered[1], left[1], left[2], partner, partner_name}
