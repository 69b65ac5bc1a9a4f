-- Renews the leader lock only if we still hold it (compare-and-extend).
-- KEYS[1] leader STRING   ARGV[1] token   ARGV[2] TTL in ms
-- Returns 1 when renewed, 0 when the lock is someone else's or gone.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
