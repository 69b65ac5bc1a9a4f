-- Releases the leader lock only if we hold it, so a standby can take over at once on shutdown.
-- KEYS[1] leader STRING   ARGV[1] token
-- Returns 1 when released, else 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
