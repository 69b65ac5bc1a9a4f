-- Raises the horizon's edge before the loader reads PostgreSQL up to it (never lowers it), and
-- drops up to ARGV[2] entries at or beyond it (written while there was no edge, e.g. by an older
-- version; bounded so a large trim never blocks Redis): later passes read them from PostgreSQL.
-- KEYS[1] horizon HASH   KEYS[2] schedule ZSET
-- ARGV[1] wanted edge (epoch ms)   ARGV[2] most entries to drop
-- Returns {edge, loaded}: the edge now in force and the end of what is known loaded ("" if none).
local edge = tonumber(redis.call('HGET', KEYS[1], 'edge') or '')
local wanted = tonumber(ARGV[1])
if not edge or wanted > edge then
  edge = wanted
  redis.call('HSET', KEYS[1], 'edge', ARGV[1])
end
local beyond = redis.call('ZRANGE', KEYS[2], string.format('%d', edge), '+inf', 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
if #beyond > 0 then
  redis.call('ZREM', KEYS[2], unpack(beyond))
end
local loaded = redis.call('HGET', KEYS[1], 'loaded') or ''
return {string.format('%d', edge), loaded}
