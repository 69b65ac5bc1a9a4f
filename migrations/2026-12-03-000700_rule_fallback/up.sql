-- A rule naming a recipient may list fallback channels; each event copies onto its
-- notifications those the recipient has an address for (the rule is written before the
-- recipient is known, so the check is made when the event is handled).
ALTER TABLE rules ADD COLUMN fallback TEXT[] NOT NULL DEFAULT '{}';
