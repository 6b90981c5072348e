-- typing: B = sender, room.
-- `typing {room}` for the other member of `room` when the sender sits in it and the other
-- is there and not away: published on her node's channel with no seq and not kept, since
-- typing is ephemeral (docs/protocol.md section 7). Returns 'sent' or 'dropped'.
local sender, room = B[1], B[2]
if (redis.call('HGET', K.member .. sender, 'place') or '') ~= 'room:' .. room then
  return 'dropped'
end
for _, other in ipairs(redis.call('SMEMBERS', K.room .. room)) do
  local okey = K.member .. other
  if other ~= sender and redis.call('EXISTS', okey) == 1
      and redis.call('HEXISTS', okey, 'away') == 0 then
    local channel = J.channel .. (redis.call('HGET', okey, 'node') or '')
    redis.call('PUBLISH', channel, other .. ' 0 0 0 typing - ' .. cjson.encode({room = room}))
    return 'sent'
  end
end
return 'dropped'
