-- One row per attachment: 'pending' from the upload request until completion verified the object, then 'ready'.
CREATE TABLE attachments (
    id           uuid        PRIMARY KEY,
    owner_id     text        NOT NULL,
    room_id      text        NOT NULL,
    file_key     text        NOT NULL UNIQUE,
    file_name    text        NOT NULL,
    mime_type    text        NOT NULL,
    size         bigint      NOT NULL CHECK (size > 0),
    status       text        NOT NULL CHECK (status IN ('pending', 'ready')),
    checksum     text,
    created_at   timestamptz NOT NULL,
    completed_at timestamptz,
    expires_at   timestamptz NOT NULL,
    CHECK ((status = 'ready') = (completed_at IS NOT NULL AND checksum IS NOT NULL))
);

-- Room listing: ready attachments of a room, newest first, keyset-paginated on (created_at, id).
CREATE INDEX attachments_room_listing ON attachments (room_id, status, created_at, id);

-- The orphan sweep looks only at pending uploads, by expiry.
CREATE INDEX attachments_pending_expiry ON attachments (expires_at) WHERE status = 'pending';
