-- back: A = member, room id, draw.
-- She is present again (`Hub::back`). In a room: her partner still there is to be told.
-- In a lobby: paired at once with the waiter `take_partner` picks, if any; else she keeps
-- her place in the lobby's order.
-- Returns {"room", room, partner_member} (partner "" when she is alone),
-- {"paired", partner_member, partner_name, own_name}, or {"none"}.
local member, room, draw = A[1], A[2], tonumber(A[3])
local mkey = K.member .. member
if redis.call('EXISTS', mkey) == 0 then
  return {'none'}
end
redis.call('HDEL', mkey, 'away')
local place = redis.call('HGET', mkey, 'place') or ''
if string.sub(place, 1, 5) == 'room:' then
  local current = string.sub(place, 6)
  return {'room', current, partner_in(current, member)}
end
if string.sub(place, 1, 6) ~= 'lobby:' then
  return {'none'}
end
local group = string.sub(place, 7)
local partner = take_partner(group, member, redis.call('HGET', mkey, 'last') or '', draw)
if not partner then
  return {'none'}
end
redis.call('LREM', K.lobby .. group, 0, member)
seat_pair(group, member, partner, room)
return {'paired', partner, redis.call('HGET', K.member .. partner, 'name') or '',
  redis.call('HGET', mkey, 'name') or ''}
