-- occupancy: A = group fingerprint.
-- Counts the group's members who wait in its lobby and those who sit in its rooms, alone
-- or with a partner (docs/protocol.md section 7, owner counts; `Hub::occupancy`). Only
-- live records count: a member whose node died is not counted, and leaves the group's
-- set of seated members on the way.
-- Returns {waiting, chatting}.
local group = A[1]
local waiting = 0
for _, member in ipairs(redis.call('LRANGE', K.lobby .. group, 0, -1)) do
  if (redis.call('HGET', K.member .. member, 'place') or '') == 'lobby:' .. group then
    waiting = waiting + 1
  end
end
local chatting = 0
local seated = K.seated .. group
for _, member in ipairs(redis.call('SMEMBERS', seated)) do
  if (redis.call('HGET', K.member .. member, 'seated') or '') == group then
    chatting = chatting + 1
  else
    redis.call('SREM', seated, member)
  end
end
return {waiting, chatting}
