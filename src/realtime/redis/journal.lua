-- Prepended to the delivery scripts, after keys.lua: how an event reaches a member on any
-- node, and a resumable member's journal (docs/protocol.md section 6).
-- A starts with the journal key prefix, the delivery channel prefix and the journal's
-- bounds (window in ms, events, bytes); the script's own arguments follow, in B.
-- A journal entry is "seq at size event from data" (at: ms; from: the sending member's id
-- for a chat message, "-" for a notice); a delivery on a node's channel is
-- "member seq at size event from data", with seq 0 for a plain member (no seq on the
-- wire). `from` lets the node writing to her socket tell her own echo from a partner's
-- message (her profanity filter masks only the latter).
local J = {journal = A[1], channel = A[2], window = tonumber(A[3]),
  events = tonumber(A[4]), bytes = tonumber(A[5])}
local B = {}
for i = 6, #A do
  B[i - 5] = A[i]
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Whether an event of `size` bytes fits into the journal `jkey` of the record `mkey`.
local function fits(mkey, jkey, size)
  return redis.call('LLEN', jkey) < J.events
    and tonumber(redis.call('HGET', mkey, 'jbytes') or '0') + size <= J.bytes
end

-- Hands `event` (`data`: JSON text; `from`: see above) to `member`, wherever she is connected: a plain
-- member gets it as is; a resumable one gets her next seq, and the event is kept. While
-- she is away it is only kept: `keeping` 'always' (a notice) lets older events make room,
-- 'room' (a chat message) refuses it when her journal is full (`Journal::keep`/`hold`).
-- With `quiet` nothing is published: the caller writes it to her socket itself.
-- Returns 'sent', 'held', 'refused', or 'gone' (no record); and when it was kept, the
-- journal entry.
local function put(member, event, from, data, keeping, quiet)
  local mkey = K.member .. member
  if redis.call('EXISTS', mkey) == 0 then
    return 'gone'
  end
  local channel = J.channel .. (redis.call('HGET', mkey, 'node') or '')
  if redis.call('HEXISTS', mkey, 'resumable') == 0 then
    if not quiet then
      redis.call('PUBLISH', channel, member .. ' 0 0 0 ' .. event .. ' ' .. from .. ' ' .. data)
    end
    return 'sent'
  end
  local jkey = J.journal .. member
  if redis.call('EXISTS', jkey) == 0 then
    redis.call('HSET', mkey, 'jbytes', 0)
  end
  local size = #event + #data
  local away = redis.call('HEXISTS', mkey, 'away') == 1
  local now = now_ms()
  if away and keeping == 'room' then
    if not fits(mkey, jkey, size) then
      return 'refused'
    end
  else
    while true do
      local oldest = redis.call('LINDEX', jkey, 0)
      if not oldest then
        break
      end
      local at = tonumber(string.match(oldest, '^%d+ (%d+) '))
      if now - at <= J.window and fits(mkey, jkey, size) then
        break
      end
      redis.call('LPOP', jkey)
      redis.call('HINCRBY', mkey, 'jbytes', -tonumber(string.match(oldest, '^%d+ %d+ (%d+) ')))
    end
  end
  local seq = redis.call('HINCRBY', mkey, 'seq', 1)
  local entry = seq .. ' ' .. string.format('%d', now) .. ' ' .. size .. ' ' .. event .. ' '
    .. from .. ' ' .. data
  redis.call('RPUSH', jkey, entry)
  redis.call('HINCRBY', mkey, 'jbytes', size)
  redis.call('PEXPIRE', jkey, math.max(J.window, redis.call('PTTL', mkey)))
  if away then
    return 'held', entry
  end
  if not quiet then
    redis.call('PUBLISH', channel, member .. ' ' .. entry)
  end
  return 'sent', entry
end
