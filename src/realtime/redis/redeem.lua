-- redeem: A = token key, token hash.
-- Uses up a resume token. Returns {} for an unknown, used or expired one, else
-- {member, name, sealed group code ("" when none), profanity filter ("1" on, "" off)}.
local member = redis.call('GETDEL', A[1])
if not member then
  return {}
end
local mkey = K.member .. member
if redis.call('HGET', mkey, 'token') ~= A[2] then
  return {}
end
redis.call('HDEL', mkey, 'token')
return {member, redis.call('HGET', mkey, 'name') or '', redis.call('HGET', mkey, 'code') or '',
  redis.call('HGET', mkey, 'filter') or ''}
