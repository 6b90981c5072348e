-- Shared by the scripts below: takes member `sid` out of her lobby or room.
-- Returns {room, partner_sid} of a room she left ("" when none).
local function vacate(p, sid)
  local mkey = p .. ':m:' .. sid
  local place = redis.call('HGET', mkey, 'place') or ''
  if place == '' then
    return {'', ''}
  end
  redis.call('HSET', mkey, 'place', '')
  if string.sub(place, 1, 6) == 'lobby:' then
    redis.call('SREM', p .. ':lobby:' .. string.sub(place, 7), sid)
    return {'', ''}
  end
  if string.sub(place, 1, 5) == 'room:' then
    local room = string.sub(place, 6)
    local rkey = p .. ':room:' .. room
    redis.call('SREM', rkey, sid)
    local partner = redis.call('SRANDMEMBER', rkey) or ''
    if partner == '' then
      redis.call('DEL', rkey)
    end
    return {room, partner}
  end
  return {'', ''}
end
