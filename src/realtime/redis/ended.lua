-- ended: A = member, journal key, token key prefix, node.
-- She is gone for good (her connection closed, or her resume window passed): takes her
-- out of her lobby or room and deletes her record, journal and resume token.
-- Returns {left_room, left_partner}, as leave.lua.
local member = A[1]
local mkey = K.member .. member
local token = redis.call('HGET', mkey, 'token')
if token then
  redis.call('DEL', A[3] .. token)
end
local left = vacate(member)
redis.call('DEL', mkey, A[2])
return left
