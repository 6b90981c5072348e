-- round_start: A = group fingerprint, expected series ("" to start a new one), next
-- series, node, lease (ms), sealed group code, pair count, pairs as {member, member, room},
-- bye count, byes, then choices as {room, draw} for members who wait again.
-- A round starts (`Hub::start_round`), in one step and once: unless the series
-- is no longer `expected` (or, for a new one, one runs), every present member of the plan
-- leaves her room or lobby; each planned pair whose members are both still present is
-- seated (`seat_pair`, counted); the byes, then members whose planned partner is gone,
-- then partners left behind who were not planned, `enter` the lobby again, in order, with
-- the choices; the history records the round;
-- pairing runs again; the next series is stored. A new series also drops the history of
-- the last one, keeps the sealed code, is listed as running, and is leased to `node`.
-- Returns {{"running"}} or {{"stale"}}, else {{"ok"}, ended {room, member, ...},
-- pairs {member, member, room, name, name, ...}, byes, ordinary pairs (as pairs)}.
local group, expected, next_series, node, lease, sealed = A[1], A[2], A[3], A[4], A[5], A[6]
local base = K.series .. group
if expected == '' then
  local current = redis.call('GET', base)
  if current and cjson.decode(current).phase ~= 'finished' then
    return {{'running'}}
  end
  redis.call('DEL', base .. ':met', base .. ':byes')
  redis.call('SET', base .. ':code', sealed, 'PX', series_ttl(group))
  redis.call('SET', base .. ':lease', node, 'PX', lease)
  redis.call('SADD', running_set(), group)
elseif not series_is(group, expected) then
  return {{'stale'}}
end
local i = 7
local planned, members = {}, {}
for _ = 1, tonumber(A[i]) do
  table.insert(planned, {A[i + 1], A[i + 2], A[i + 3]})
  table.insert(members, A[i + 1])
  table.insert(members, A[i + 2])
  i = i + 3
end
i = i + 1
local byes = {}
for _ = 1, tonumber(A[i]) do
  table.insert(byes, A[i + 1])
  table.insert(members, A[i + 1])
  i = i + 1
end
local here = {}
for _, member in ipairs(present(group)) do
  here[member] = true
end
local moving = {}
for _, member in ipairs(members) do
  if here[member] then
    table.insert(moving, member)
  end
end
local ended, _, stranded = end_rooms(moving)
for _, member in ipairs(moving) do
  vacate(member) -- the waiters; room members are out already
end
local seated, waiting = {}, {}
local met = base .. ':met'
for _, pair in ipairs(planned) do
  local a, b, room = pair[1], pair[2], pair[3]
  if here[a] and here[b] then
    seat_pair(group, a, b, room)
    redis.call('SADD', met, pair_key(a, b))
    for _, field in ipairs({a, b, room, name_of(a), name_of(b)}) do
      table.insert(seated, field)
    end
  elseif here[a] then
    table.insert(waiting, a)
  elseif here[b] then
    table.insert(waiting, b)
  end
end
local sat_out = {}
for _, member in ipairs(byes) do
  redis.call('HINCRBY', base .. ':byes', member, 1)
  if here[member] then
    table.insert(sat_out, member)
  end
end
local ttl = series_ttl(group)
redis.call('PEXPIRE', met, ttl)
redis.call('PEXPIRE', base .. ':byes', ttl)
pause(group, false)
store_series(group, next_series)
local ordinary = {}
local choice = i + 1
local function wait_again(member)
  if not A[choice] then
    return -- no choice left for her (`Hub::start_round` draws enough): she stays out
  end
  local entered = enter(group, member, A[choice], tonumber(A[choice + 1]))
  choice = choice + 2
  if entered[1] == 'paired' then
    local partner = entered[2]
    for _, field in ipairs({member, partner, A[choice - 2], name_of(member), name_of(partner)}) do
      table.insert(ordinary, field)
    end
  end
end
for _, member in ipairs(sat_out) do
  wait_again(member)
end
for _, member in ipairs(waiting) do
  wait_again(member)
end
for _, member in ipairs(stranded) do
  wait_again(member)
end
return {{'ok'}, ended, seated, sat_out, ordinary}
