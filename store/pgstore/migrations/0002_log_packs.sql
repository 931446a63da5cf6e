-- Touchpoint PostgreSQL stores, schema version 2: a log row may hold
-- several records (a pack: each record, sealed as before, after its
-- length as a uvarint), so that a batch of a thousand entries is a few
-- rows, not a thousand. entries says how many; a row of one record holds
-- it as version 1 did.
ALTER TABLE touchpoint_log ADD COLUMN entries integer NOT NULL DEFAULT 1 CHECK (entries >= 1);

-- Sealed records are random bytes to a compressor: keep long packs out of
-- line without trying to compress them.
ALTER TABLE touchpoint_log ALTER COLUMN rec SET STORAGE EXTERNAL;
