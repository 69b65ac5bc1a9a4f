-- Digests: notifications to one recipient with the same digest_key go out as one message. The
-- first one due opens the window (digest_release_at = its due time + digest_window) and is held
-- until then; the others due meanwhile wait for the same release. At the release the first
-- one claimed carries the digest: in its claim it claims every other scheduled one of the key
-- (digest_of = its id), and its outcome ends them all. digest_of = id marks the carrier.
ALTER TABLE notifications
    ADD COLUMN digest_key TEXT,
    ADD COLUMN digest_window TEXT,
    ADD COLUMN digest_subject TEXT,
    ADD COLUMN digest_body TEXT,
    ADD COLUMN digest_release_at TIMESTAMPTZ,
    ADD COLUMN digest_of UUID;
CREATE INDEX notifications_digest_idx ON notifications (tenant_id, recipient_id, digest_key)
    WHERE digest_key IS NOT NULL AND status IN ('scheduled', 'sending');
CREATE INDEX notifications_digest_of_idx ON notifications (digest_of) WHERE digest_of IS NOT NULL;
