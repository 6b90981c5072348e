-- attach: B = member, node, last_seq, member ttl (ms).
-- She resumes on `node`: from now on her events go there, at once (she is no longer
-- away: nothing more is only held for her). Returns {"gone"} when her record is gone,
-- else {away, gap, place, entries...}: whether she was away (to be brought back with
-- back.lua, which also pairs her in a lobby), whether events after `last_seq` are no
-- longer kept ("1"/"0"), her place, and her kept entries after `last_seq`, in order.
local member, node, last_seq, ttl = B[1], B[2], tonumber(B[3]), tonumber(B[4])
local mkey = K.member .. member
if redis.call('EXISTS', mkey) == 0 then
  return {'gone'}
end
redis.call('HSET', mkey, 'node', node)
redis.call('PEXPIRE', mkey, ttl)
local last = tonumber(redis.call('HGET', mkey, 'seq') or '0')
local entries = redis.call('LRANGE', J.journal .. member, 0, -1)
local first = last + 1
if #entries > 0 then
  first = tonumber(string.match(entries[1], '^(%d+) '))
end
local out = {redis.call('HDEL', mkey, 'away') == 1 and '1' or '0',
  (last_seq < last and first > last_seq + 1) and '1' or '0',
  redis.call('HGET', mkey, 'place') or ''}
for _, entry in ipairs(entries) do
  if tonumber(string.match(entry, '^(%d+) ')) > last_seq then
    table.insert(out, entry)
  end
end
return out
