-- Channel fallback: `fallback` holds the channels still to try, in order, after the current
-- one fails permanently; `channel_index` counts the hops taken. The switch to the next channel
-- is one UPDATE in the transaction that records the permanent failure (the channel, its
-- address and the version change together), so a sender's retry after a crash finds the new
-- channel and can never send the old one again.
ALTER TABLE notifications
    ADD COLUMN fallback TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN channel_index INTEGER NOT NULL DEFAULT 0;
