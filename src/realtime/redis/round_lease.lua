-- round_lease: A = node, lease (ms).
-- The running series `node` is to drive: each one whose lease it holds (renewed) or that
-- has no driver (leased to it now). Series that are gone leave the running set.
-- Returns {group, series, sealed code, ...}.
local node, lease = A[1], A[2]
local driven = {}
for _, group in ipairs(redis.call('SMEMBERS', running_set())) do
  local base = K.series .. group
  local series = redis.call('GET', base)
  if not series then
    redis.call('SREM', running_set(), group)
  else
    local holder = redis.call('GET', base .. ':lease')
    if holder == node then
      redis.call('PEXPIRE', base .. ':lease', lease)
    elseif not holder then
      redis.call('SET', base .. ':lease', node, 'PX', lease)
      holder = node
    end
    if holder == node then
      table.insert(driven, group)
      table.insert(driven, series)
      table.insert(driven, redis.call('GET', base .. ':code') or '')
    end
  end
end
return driven
