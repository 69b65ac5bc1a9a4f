-- Moves due entries from the schedule to the ready stream, atomically and only for the leader:
-- a paused ex-leader whose lock expired can never promote.
-- KEYS[1] leader STRING   KEYS[2] schedule ZSET   KEYS[3] ready STREAM
-- ARGV[1] leader token   ARGV[2] now (epoch ms)   ARGV[3] batch size (bounds time spent in Redis)
-- Returns {moved, next_score}: moved = -1 when not the leader; next_score = score of the
-- earliest remaining entry as a string, or "" when the schedule is empty.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return {-1, ''}
end
local due = redis.call('ZRANGE', KEYS[2], '-inf', ARGV[2], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]), 'WITHSCORES')
local moved = 0
for i = 1, #due, 2 do
  redis.call('XADD', KEYS[3], '*', 'n', due[i], 'd', due[i + 1])
  redis.call('ZREM', KEYS[2], due[i])
  moved = moved + 1
end
local head = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local next_score = ''
if head[2] then
  next_score = head[2]
end
return {moved, next_score}
