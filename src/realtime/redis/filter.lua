-- filter: A = member, "1" (on) or "" (off).
-- Keeps a resumable member's profanity filter in her record, so that the node she resumes
-- on knows it (redeem.lua reads it). A record that is gone is not made again.
-- Returns 'set' or 'gone'.
local mkey = K.member .. A[1]
if redis.call('EXISTS', mkey) == 0 then
  return 'gone'
end
if A[2] == '1' then
  redis.call('HSET', mkey, 'filter', '1')
else
  redis.call('HDEL', mkey, 'filter')
end
return 'set'
