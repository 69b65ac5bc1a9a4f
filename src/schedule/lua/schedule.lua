-- Puts one notification into the schedule, replacing its previous entry, and wakes the leader
-- when it became the earliest entry (so the leader never sleeps past it).
-- Horizon: an entry due at or after the horizon's edge stays out of Redis (only its previous
-- entry is removed); the loader raises the edge before it reads PostgreSQL, so a row committed
-- before this check is either read by the loader or added here. No edge yet (no loader has run,
-- or Redis was flushed): every entry is added.
-- KEYS[1] schedule ZSET   KEYS[2] wake LIST   KEYS[3] horizon HASH (field `edge`, epoch ms)
-- ARGV[1] member (16-byte id + 4-byte version)   ARGV[2] score (due time, epoch ms)
-- ARGV[3] previous member to remove, or ""
-- Returns 1 when the leader was woken, 0 when added, 2 when beyond the horizon (not added).
if ARGV[3] ~= "" then
  redis.call('ZREM', KEYS[1], ARGV[3])
end
local edge = redis.call('HGET', KEYS[3], 'edge')
if edge and tonumber(ARGV[2]) >= tonumber(edge) then
  return 2
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local head = redis.call('ZRANGE', KEYS[1], 0, 0)
if head[1] == ARGV[1] then
  redis.call('DEL', KEYS[2])
  redis.call('RPUSH', KEYS[2], '1')
  return 1
end
return 0
