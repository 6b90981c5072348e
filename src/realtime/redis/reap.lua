-- reap: A = member ttl (ms), then the members of one node.
-- Keeps those members' records alive, and finds what changed under them:
-- a partner whose record expired (her node died) is taken out of the room, and a member
-- waiting for a group that no longer exists is taken out of its lobby.
-- Returns a flat list of {kind, member, detail}: {"partner_gone", member, room} or
-- {"group_gone", member, ""}.
local ttl = tonumber(A[1])
local out = {}
for i = 2, #A do
  local member = A[i]
  local mkey = K.member .. member
  redis.call('PEXPIRE', mkey, ttl)
  local place = redis.call('HGET', mkey, 'place') or ''
  if string.sub(place, 1, 5) == 'room:' then
    local room = string.sub(place, 6)
    local rkey = K.room .. room
    for _, other in ipairs(redis.call('SMEMBERS', rkey)) do
      if other ~= member and redis.call('EXISTS', K.member .. other) == 0 then
        redis.call('SREM', rkey, other)
        table.insert(out, 'partner_gone'); table.insert(out, member); table.insert(out, room)
      end
    end
  elseif string.sub(place, 1, 6) == 'lobby:' then
    local group = string.sub(place, 7)
    if redis.call('EXISTS', K.group .. group) == 0 then
      redis.call('LREM', K.lobby .. group, 0, member)
      redis.call('HSET', mkey, 'place', '')
      table.insert(out, 'group_gone'); table.insert(out, member); table.insert(out, '')
    end
  end
end
return out
