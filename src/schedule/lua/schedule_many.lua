-- Adds many entries to the schedule (or moves existing members to their score), except those due at or
-- after the horizon's edge (see schedule.lua), and wakes the leader when one became the earliest.
-- KEYS[1] schedule ZSET   KEYS[2] wake LIST   KEYS[3] horizon HASH (field `edge`, epoch ms)
-- ARGV: score1, member1, score2, member2, …
-- Returns the number of members added (not already present).
local edge = redis.call('HGET', KEYS[3], 'edge')
if edge then
  edge = tonumber(edge)
end
local added = 0
local earliest = nil
for i = 1, #ARGV, 2 do
  local score = tonumber(ARGV[i])
  if not edge or score < edge then
    added = added + redis.call('ZADD', KEYS[1], score, ARGV[i + 1])
    if not earliest or score < earliest then
      earliest = score
    end
  end
end
if earliest then
  local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if head[2] and tonumber(head[2]) >= earliest then
    redis.call('DEL', KEYS[2])
    redis.call('RPUSH', KEYS[2], '1')
  end
end
return added
