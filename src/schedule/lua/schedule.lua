-- Puts one notification into the schedule, replacing its previous entry, and wakes the leader
-- when it became the earliest entry (so the leader never sleeps past it).
-- KEYS[1] schedule ZSET   KEYS[2] wake LIST
-- ARGV[1] member (16-byte id + 4-byte version)   ARGV[2] score (due time, epoch ms)
-- ARGV[3] previous member to remove, or ""
-- Returns 1 when the leader was woken, else 0.
if ARGV[3] ~= "" then
  redis.call('ZREM', KEYS[1], ARGV[3])
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local head = redis.call('ZRANGE', KEYS[1], 0, 0)
if head[1] == ARGV[1] then
  redis.call('DEL', KEYS[2])
  redis.call('RPUSH', KEYS[2], '1')
  return 1
end
return 0
