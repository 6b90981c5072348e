-- pause: A = group fingerprint, "1" to pause its ordinary pairing (a break), "" to let it
-- run again (`Hub::pause`).
pause(A[1], A[2] == '1')
return 1
