-- An HTML alternative for e-mails, rendered like the body.
ALTER TABLE notifications ADD COLUMN html TEXT;
-- What the provider last reported after accepting the message (delivered, undelivered, ...):
-- `sent` stays "handed to the provider"; this says what became of it afterwards.
ALTER TABLE notifications ADD COLUMN delivery_status TEXT;
ALTER TABLE notifications ADD COLUMN delivery_status_at TIMESTAMPTZ;

-- The provider's id of the message (an SMS `sid`), and the status its callbacks report.
ALTER TABLE delivery_attempts ADD COLUMN provider_message_id TEXT;
ALTER TABLE delivery_attempts ADD COLUMN provider_status TEXT;
ALTER TABLE delivery_attempts ADD COLUMN provider_status_at TIMESTAMPTZ;
CREATE INDEX delivery_attempts_provider_message_idx ON delivery_attempts (provider_message_id)
    WHERE provider_message_id IS NOT NULL;

-- After a rotation the previous secret still signs webhooks until it expires.
ALTER TABLE tenants ADD COLUMN previous_webhook_secret TEXT;
ALTER TABLE tenants ADD COLUMN previous_webhook_secret_expires_at TIMESTAMPTZ;
