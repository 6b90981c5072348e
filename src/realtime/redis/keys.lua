-- Prepended to every script. ARGV starts with the key prefixes that Rust's `Keys` hands
-- over (the one place the layout is spelled out); the script's own arguments follow, in A.
local K = {member = ARGV[1], lobby = ARGV[2], room = ARGV[3], closed = ARGV[4], group = ARGV[5],
  counts = ARGV[6], seated = ARGV[7], safety = ARGV[8], series = ARGV[9]}
local A = {}
for i = 10, #ARGV do
  A[i - 9] = ARGV[i]
end
