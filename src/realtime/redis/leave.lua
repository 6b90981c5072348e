-- leave: A = member, room ("" for whatever she is in).
-- Returns {left_room, left_partner}, or {"not_in_room"} when `room` is not hers.
local member, room = A[1], A[2]
if room ~= '' and (redis.call('HGET', K.member .. member, 'place') or '') ~= 'room:' .. room then
  return {'not_in_room'}
end
return vacate(member)
