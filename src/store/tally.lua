-- Shared by the scripts that add to a group's lasting counts (docs/protocol.md section 7,
-- owner counts): the store's `add_counts` and the pairing scripts.

-- Adds `n` to `field` of the counts hash `counts` of the group whose record is `group`,
-- if that group is live; the hash expires with the record.
local function tally(counts, group, field, n)
  if tonumber(n) <= 0 then
    return
  end
  local ttl = redis.call('PTTL', group)
  if ttl <= 0 then
    return
  end
  redis.call('HINCRBY', counts, field, n)
  redis.call('PEXPIRE', counts, ttl)
end
