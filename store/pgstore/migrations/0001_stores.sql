-- Touchpoint PostgreSQL stores, schema version 1.
--
-- Every store (an identity graph, a consent ledger, an activation engine)
-- is a snapshot plus a log of the records appended since, as the file
-- stores keep them. Records are opaque to PostgreSQL: sealed with
-- AES-256-GCM under the caller's key unless the caller opted into
-- plaintext (pgstore.WithPlaintext).

CREATE TABLE touchpoint_stores (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text        NOT NULL CHECK (kind IN ('identity', 'consent', 'activation')),
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
    sealed       boolean     NOT NULL,
    key_check    bytea       NOT NULL,           -- HMAC of a constant under the key: refuses another key
    head         bigint      NOT NULL DEFAULT 0, -- the last log sequence number handed out
    generation   bigint      NOT NULL DEFAULT 0, -- compactions so far
    created_at   timestamptz NOT NULL DEFAULT now(),
    compacted_at timestamptz,
    UNIQUE (kind, name)
);

CREATE TABLE touchpoint_snapshot (
    store_id bigint  NOT NULL REFERENCES touchpoint_stores (id) ON DELETE CASCADE,
    pos      integer NOT NULL,
    rec      bytea   NOT NULL,
    PRIMARY KEY (store_id, pos)
);

CREATE TABLE touchpoint_log (
    store_id bigint NOT NULL REFERENCES touchpoint_stores (id) ON DELETE CASCADE,
    seq      bigint NOT NULL,
    writer   uuid   NOT NULL, -- the store instance that appended it (compaction keeps others' unseen records)
    rec      bytea  NOT NULL,
    PRIMARY KEY (store_id, seq)
);
