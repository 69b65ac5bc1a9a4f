-- Records that every scheduled row due before ARGV[1] is in the schedule, only while the edge
-- that pass read up to is still there (a flush took it, and with it the entries: no record).
-- KEYS[1] horizon HASH   ARGV[1] loaded up to (epoch ms)
-- Returns 1 when recorded, else 0.
local edge = tonumber(redis.call('HGET', KEYS[1], 'edge') or '')
if not edge or edge < tonumber(ARGV[1]) then
  return 0
end
local loaded = tonumber(redis.call('HGET', KEYS[1], 'loaded') or '')
if not loaded or loaded < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'loaded', ARGV[1])
end
return 1
