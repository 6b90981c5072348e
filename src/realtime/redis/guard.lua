-- Prepended to a script about one node's member (A[1]), whose last argument is that
-- node: when her record names another node (she resumed there) or is gone, the script
-- does nothing and returns {"moved"}.
if (redis.call('HGET', K.member .. A[1], 'node') or '') ~= A[#A] then
  return {'moved'}
end
