-- part: A = member, room, threshold ("" for a block).
-- `block` or `report` (docs/protocol.md section 7; `Hub::part`): she leaves `room`, and she
-- and the member she was paired with there are never paired again in the room's group. A
-- report also adds her to that member's distinct reporters; at `threshold` the member is
-- removed from the group (once): out of her lobby or room, and her joins refused. The
-- group's blocks and reports expire with the group.
-- Returns {left_room, left_partner, removed_member, removed_room, removed_partner}
-- ("" where none; removed_member is "" too when her record is gone), or {"not_in_room"}.
local member, room, threshold = A[1], A[2], tonumber(A[3])
local mkey = K.member .. member
if (redis.call('HGET', mkey, 'place') or '') ~= 'room:' .. room then
  return {'not_in_room'}
end
local group = redis.call('HGET', mkey, 'seated') or ''
local met = redis.call('HGET', mkey, 'last') or ''
local left = vacate(member)
local ttl = redis.call('PTTL', K.group .. group)
if ttl <= 0 then
  ttl = 86400000 -- the group is gone or has no expiry: keep nothing for long
end
local function keep(key, value)
  local added = redis.call('SADD', key, value)
  redis.call('PEXPIRE', key, ttl)
  return added
end
local base = K.safety .. group
keep(base .. ':blk', pair_key(member, met))
local removed = {'', '', ''}
if threshold then
  local reporters = base .. ':rep:' .. met
  keep(reporters, member)
  if redis.call('SCARD', reporters) >= threshold and keep(base .. ':rm', met) == 1
      and redis.call('EXISTS', K.member .. met) == 1 then
    redis.call('HSET', K.member .. met, 'removed', '1') -- no posting from outside either
    local out = vacate(met)
    removed = {met, out[1], out[2]}
  end
end
return {left[1], left[2], removed[1], removed[2], removed[3]}
