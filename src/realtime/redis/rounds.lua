-- Shared by the round scripts (docs/protocol.md section 8): a group's series of timed
-- rounds lives under `K.series .. group` (the series as JSON, the one key a join reads),
-- with `:code` (the group's sealed code), `:met` (pairs met in this series, as `:blk`),
-- `:byes` (member -> byes) and `:lease` (the node that drives it); the set
-- `K.series .. 'running'` lists the groups whose series runs.

-- The set of running series.
local function running_set()
  return K.series .. 'running'
end

-- The members of `group` present for a round (`Hub::present`): waiting in its lobby (in
-- order of arrival) or seated in one of its rooms (in id order), with a live record, and
-- not away.
local function present(group)
  local found, seen = {}, {}
  local function add(member)
    if not seen[member] and redis.call('HEXISTS', K.member .. member, 'away') == 0 then
      seen[member] = true
      table.insert(found, member)
    end
  end
  for _, member in ipairs(redis.call('LRANGE', K.lobby .. group, 0, -1)) do
    if (redis.call('HGET', K.member .. member, 'place') or '') == 'lobby:' .. group then
      add(member)
    end
  end
  local seated = redis.call('SMEMBERS', K.seated .. group)
  table.sort(seated)
  for _, member in ipairs(seated) do
    local record = redis.call('HMGET', K.member .. member, 'place', 'seated')
    if string.sub(record[1] or '', 1, 5) == 'room:' and record[2] == group then
      add(member)
    end
  end
  return found
end

-- Ends the rooms that `members` sit in (`Hub::end_rooms`): each of them, and a partner
-- still there, leaves; a partner not in `members` leaves too. Waiters stay.
-- Returns the ended rooms flat {room, member, ...} (each member once), the members of
-- `members` who left a room, and the partners not in `members` who left one and are not
-- away (they wait again: `Hub::end_rooms`).
local function end_rooms(members)
  local listed, told, ended, vacated, stranded = {}, {}, {}, {}, {}
  for _, member in ipairs(members) do
    listed[member] = true
  end
  local function tell(room, member)
    if not told[member] then
      told[member] = true
      table.insert(ended, room)
      table.insert(ended, member)
    end
  end
  for _, member in ipairs(members) do
    local place = redis.call('HGET', K.member .. member, 'place') or ''
    if string.sub(place, 1, 5) == 'room:' then
      local left = vacate(member)
      table.insert(vacated, member)
      tell(left[1], member)
      if left[2] ~= '' then
        tell(left[1], left[2])
        if not listed[left[2]] then
          vacate(left[2])
          if redis.call('EXISTS', K.member .. left[2]) == 1
              and redis.call('HEXISTS', K.member .. left[2], 'away') == 0 then
            table.insert(stranded, left[2])
          end
        end
      end
    end
  end
  return ended, vacated, stranded
end

-- How long a series' keys live: as long as the group (a day when it has no expiry).
local function series_ttl(group)
  local ttl = redis.call('PTTL', K.group .. group)
  if ttl <= 0 then
    return 86400000
  end
  return ttl
end

-- Whether the stored series of `group` is `expected` (the compare of a compare-and-set).
local function series_is(group, expected)
  return (redis.call('GET', K.series .. group) or '') == expected
end

-- Stores the series `series` of `group` (the set of the compare-and-set).
local function store_series(group, series)
  redis.call('SET', K.series .. group, series, 'PX', series_ttl(group))
end

-- Pauses `group`'s ordinary pairing (a break; the flag lives as long as the group), or
-- lets it run again (`Hub::pause`); `take_partner` reads the flag.
local function pause(group, paused)
  local key = K.safety .. group .. ':paused'
  if paused then
    redis.call('SET', key, '1', 'PX', series_ttl(group))
  else
    redis.call('DEL', key)
  end
end

-- Drops `group`'s series and all it kept, and lets its ordinary pairing run again.
local function drop_series(group)
  local base = K.series .. group
  redis.call('DEL', base, base .. ':code', base .. ':met', base .. ':byes', base .. ':lease')
  redis.call('SREM', running_set(), group)
  pause(group, false)
end

-- A member's display name as her record keeps it.
local function name_of(member)
  return redis.call('HGET', K.member .. member, 'name') or ''
end
