-- reap: ARGV = prefix, member ttl (ms), then the members of one node's members.
-- Keeps those members' records alive, and finds what changed under them:
-- a partner whose record expired (her node died) is taken out of the room, and a member
-- waiting for a group that no longer exists is taken out of its lobby.
-- Returns a flat list of {kind, member, detail}: {"partner_gone", member, room} or
-- {"group_gone", member, ""}.
local p, ttl = ARGV[1], tonumber(ARGV[2])
local out = {}
for i = 3, #ARGV do
  local member = ARGV[i]
  local mkey = p .. ':m:' .. member
  redis.call('PEXPIRE', mkey, ttl)
  local place = redis.call('HGET', mkey, 'place') or ''
  if string.sub(place, 1, 5) == 'room:' then
    local room = string.sub(place, 6)
    local rkey = p .. ':room:' .. room
    for _, other in ipairs(redis.call('SMEMBERS', rkey)) do
      if other ~= member and redis.call('EXISTS', p .. ':m:' .. other) == 0 then
        redis.call('SREM', rkey, other)
        table.insert(out, 'partner_gone'); table.insert(out, member); table.insert(out, room)
      end
    end
  elseif string.sub(place, 1, 6) == 'lobby:' then
    local group = string.sub(place, 7)
    if redis.call('EXISTS', p .. ':group:' .. group) == 0 then
      redis.call('SREM', p .. ':lobby:' .. group, member)
      redis.call('HSET', mkey, 'place', '')
      table.insert(out, 'group_gone'); table.insert(out, member); table.insert(out, '')
    end
  end
end
return out
