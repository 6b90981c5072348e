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
  local record = redis.call('HMGET', K.member .. member, 'place', 'seated')
  -- Her place too: a node of an older version vacates a room without clearing `seated`.
  if string.sub(record[1] or '', 1, 5) == 'room:' and record[2] == group then
    chatting = chatting + 1
  else
    redis.call('SREM', seated, member)
  end
end
return {waiting, chatting}
