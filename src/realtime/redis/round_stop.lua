-- round_stop: A = group fingerprint, then choices as {room, draw}.
-- The owner stops a running series (`Hub::stop_rounds`): it is dropped with all
-- it kept, pairing runs again, and the present waiters of a break `enter` the lobby again
-- in their order of arrival, with the choices (those beyond the choices keep their place).
-- Returns {{"none"}} when no series runs, else {{"ok"}, pairs {member, member, room, name,
-- name, ...}}.
local group = A[1]
local current = redis.call('GET', K.series .. group)
if not current or cjson.decode(current).phase == 'finished' then
  return {{'none'}}
end
drop_series(group)
local paired = {}
local choice = 2
local lobby = K.lobby .. group
for _, member in ipairs(redis.call('LRANGE', lobby, 0, -1)) do
  local mkey = K.member .. member
  if A[choice] and (redis.call('HGET', mkey, 'place') or '') == 'lobby:' .. group
      and redis.call('HEXISTS', mkey, 'away') == 0 then
    vacate(member)
    local entered = enter(group, member, A[choice], tonumber(A[choice + 1]))
    if entered[1] == 'paired' then
      local partner = entered[2]
      for _, field in ipairs({member, partner, A[choice], name_of(member), name_of(partner)}) do
        table.insert(paired, field)
      end
    end
    choice = choice + 2
  end
end
return {{'ok'}, paired}
