-- notify: B = member, event, data.
-- A notice (`join_room`, `partner_left`, ...) for one member; see `put`.
return (put(B[1], B[2], '-', B[3], 'always', false))
