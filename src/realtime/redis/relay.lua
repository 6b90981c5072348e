-- relay: B = sender, room, payload, copy for the others ("" when the same).
-- A chat message into `room`: a member of the room may post; anyone else only from
-- nowhere, into a room still open with no resumable member (docs/protocol.md section 6),
-- unless reports removed her from a group (section 7).
-- The others get it first; when one is away with a full journal nobody does.
-- The sender's own copy is not published: her node writes it before it acks.
-- Returns {"not_in_room"}, {"refused"}, or {"sent" | "held", "inside" | "outside", echo}
-- (echo: the journal entry of her copy when she is resumable, else "").
local sender, room, payload, copy = B[1], B[2], B[3], B[4]
if copy == '' then
  copy = payload
end
local place = redis.call('HGET', K.member .. sender, 'place') or ''
local inside = place == 'room:' .. room
local members = redis.call('SMEMBERS', K.room .. room)
if not inside then
  if place ~= '' or #members == 0
      or redis.call('HEXISTS', K.member .. sender, 'removed') == 1 then
    return {'not_in_room'}
  end
  for _, other in ipairs(members) do
    if redis.call('HEXISTS', K.member .. other, 'resumable') == 1 then
      return {'not_in_room'}
    end
  end
end
local outcome = 'sent'
for _, other in ipairs(members) do
  if other ~= sender then
    local result = put(other, 'message', sender, copy, 'room', false)
    if result == 'refused' then
      return {'refused'}
    elseif result == 'held' then
      outcome = 'held'
    end
  end
end
if inside then
  local _, echo = put(sender, 'message', sender, payload, 'always', true)
  return {outcome, 'inside', echo or ''}
end
return {outcome, 'outside', ''}
