-- round_end: A = group fingerprint, expected series, next series, step ("warn", "break"
-- or "finish").
-- A round's end (`Hub::end_round`), in one step and once: unless the series is
-- no longer `expected`, the next series is stored; on a break pairing is paused and the
-- members of the round's rooms wait in the lobby again, in the order of their ids; at the finish the rooms end (their
-- members end up nowhere) and the series no longer runs (nor has a driver).
-- Returns {{"stale"}}, else {{"ok"}, present members, ended {room, member, ...}}.
local group, expected, next_series, step = A[1], A[2], A[3], A[4]
if not series_is(group, expected) then
  return {{'stale'}}
end
store_series(group, next_series)
local here = present(group)
local ended = {}
if step == 'break' then
  pause(group, true)
  local vacated
  ended, vacated = end_rooms(here)
  table.sort(vacated) -- in the order of their ids, as `Hub::end_round`
  for _, member in ipairs(vacated) do
    enter(group, member, '', 0) -- paused: she waits
  end
elseif step == 'finish' then
  ended = end_rooms(here)
  local base = K.series .. group
  redis.call('DEL', base .. ':lease')
  redis.call('SREM', running_set(), group)
end
return {{'ok'}, here, ended}
