-- away: A = member.
-- Her connection dropped: she keeps her lobby place or room, but `take_partner` skips her
-- until `back.lua` (docs/protocol.md section 6; `Hub::away`). A member with no record is
-- nowhere and stays so.
-- Returns {room, partner_member}: her room and the partner still in it, to be told
-- ("" when none).
local member = A[1]
local mkey = K.member .. member
if redis.call('EXISTS', mkey) == 0 then
  return {'', ''}
end
redis.call('HSET', mkey, 'away', '1')
local place = redis.call('HGET', mkey, 'place') or ''
if string.sub(place, 1, 5) ~= 'room:' then
  return {'', ''}
end
local room = string.sub(place, 6)
local partner = partner_in(room, member)
if partner == '' then
  return {'', ''}
end
return {room, partner}
