-- Shared by join, back and the round scripts: who may be paired, and seating a pair.

-- The member of a blocked pair's set (docs/protocol.md section 7): the two ids in order.
local function pair_key(a, b)
  if a < b then
    return a .. ' ' .. b
  end
  return b .. ' ' .. a
end

-- Takes out of `group`'s lobby the partner for `member` (her last partner `last`) that
-- `draw` picks among the eligible waiters who are present (not away) and not blocked with
-- her (`Hub::part`), in their order of
-- arrival: the same rule as `Lobby::take_partner` and `Choice::pick`. Waiters whose
-- records are gone (their node died) leave the lobby on the way. Returns the partner, or
-- nil when nobody is eligible or the group's pairing is paused (a break between timed
-- rounds, `Hub::pause`).
local function take_partner(group, member, last, draw)
  if redis.call('EXISTS', K.safety .. group .. ':paused') == 1 then
    return nil
  end
  local lobby = K.lobby .. group
  local blocked = K.safety .. group .. ':blk'
  local eligible = {}
  for _, other in ipairs(redis.call('LRANGE', lobby, 0, -1)) do
    local okey = K.member .. other
    if redis.call('EXISTS', okey) == 0 then
      redis.call('LREM', lobby, 0, other) -- her node is gone
    elseif other ~= member and other ~= last
        and (redis.call('HGET', okey, 'last') or '') ~= member
        and redis.call('HEXISTS', okey, 'away') == 0
        and redis.call('SISMEMBER', blocked, pair_key(member, other)) == 0 then
      table.insert(eligible, other)
    end
  end
  if #eligible == 0 then
    return nil
  end
  local partner = eligible[(draw % #eligible) + 1]
  redis.call('LREM', lobby, 0, partner)
  return partner
end

-- Opens `room` for the two members of `group`, each the other's last partner. For the
-- owner's counts (docs/protocol.md section 7) the pairing is counted and both join the
-- group's set of seated members, which `vacate` leaves (`occupancy.lua` reads it).
local function seat_pair(group, member, partner, room)
  local rkey = K.room .. room
  redis.call('SADD', rkey, member, partner)
  redis.call('EXPIRE', rkey, 86400) -- outlives any chat; rooms of dead nodes vanish
  redis.call('HSET', K.member .. member, 'place', 'room:' .. room, 'last', partner, 'seated', group)
  redis.call('HSET', K.member .. partner, 'place', 'room:' .. room, 'last', member, 'seated', group)
  local seated = K.seated .. group
  redis.call('SADD', seated, member, partner)
  redis.call('EXPIRE', seated, 86400) -- as rooms; members of dead nodes are filtered out
  tally(K.counts .. group, K.group .. group, 'pairs', 1)
end

-- The other member of `room` besides `member` ("" when she is alone).
local function partner_in(room, member)
  for _, other in ipairs(redis.call('SMEMBERS', K.room .. room)) do
    if other ~= member then
      return other
    end
  end
  return ''
end

-- Puts `member`, who is nowhere, into `group`'s lobby, or pairs her at once in `room` with
-- the waiter `take_partner` picks by `draw` (`Hub::enter`). A closed group, or one that
-- removed her, refuses her. Returns {outcome, partner}: "waiting", "paired" (with the
-- partner), "closed" or "removed".
local function enter(group, member, room, draw)
  if redis.call('EXISTS', K.closed .. group) == 1 then
    return {'closed', ''}
  end
  if redis.call('SISMEMBER', K.safety .. group .. ':rm', member) == 1 then
    return {'removed', ''}
  end
  local mkey = K.member .. member
  local partner = take_partner(group, member, redis.call('HGET', mkey, 'last') or '', draw)
  if not partner then
    redis.call('RPUSH', K.lobby .. group, member)
    redis.call('HSET', mkey, 'place', 'lobby:' .. group)
    return {'waiting', ''}
  end
  seat_pair(group, member, partner, room)
  return {'paired', partner}
end
