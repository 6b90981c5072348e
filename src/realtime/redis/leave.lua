-- leave: ARGV = prefix, member, room ("" for whatever she is in).
-- Returns {left_room, left_partner}, or {"not_in_room"} when `room` is not hers.
local p, member, room = ARGV[1], ARGV[2], ARGV[3]
if room ~= '' and (redis.call('HGET', p .. ':m:' .. member, 'place') or '') ~= 'room:' .. room then
  return {'not_in_room'}
end
return vacate(p, member)
