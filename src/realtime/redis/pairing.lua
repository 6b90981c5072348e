-- Shared by join and back: who may be paired, and seating a pair.

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
-- nil when nobody is eligible.
local function take_partner(group, member, last, draw)
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
