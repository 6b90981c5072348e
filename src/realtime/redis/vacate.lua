-- Shared by the scripts below: takes member `member` out of her lobby or room.
-- Returns {room, partner_member} of a room she left ("" when none).
local function vacate(member)
  local mkey = K.member .. member
  local place = redis.call('HGET', mkey, 'place') or ''
  if place == '' then
    return {'', ''}
  end
  redis.call('HSET', mkey, 'place', '')
  if string.sub(place, 1, 6) == 'lobby:' then
    redis.call('LREM', K.lobby .. string.sub(place, 7), 0, member)
    return {'', ''}
  end
  if string.sub(place, 1, 5) == 'room:' then
    local room = string.sub(place, 6)
    local rkey = K.room .. room
    redis.call('SREM', rkey, member)
    local group = redis.call('HGET', mkey, 'seated')
    if group then
      redis.call('SREM', K.seated .. group, member)
      redis.call('HDEL', mkey, 'seated')
    end
    local partner = redis.call('SRANDMEMBER', rkey) or ''
    if partner == '' then
      redis.call('DEL', rkey)
    end
    return {room, partner}
  end
  return {'', ''}
end
