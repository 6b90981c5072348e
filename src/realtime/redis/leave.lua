-- leave: ARGV = prefix, sid, room ("" for whatever she is in).
-- Returns {left_room, left_partner}, or {"not_in_room"} when `room` is not hers.
local p, sid, room = ARGV[1], ARGV[2], ARGV[3]
if room ~= '' and (redis.call('HGET', p .. ':m:' .. sid, 'place') or '') ~= 'room:' .. room then
  return {'not_in_room'}
end
return vacate(p, sid)
