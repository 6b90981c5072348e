-- round_forget: A = group fingerprint.
-- The group is gone: so is its series, and its pairing is no longer paused.
drop_series(A[1])
return 1
