package io.natter.attachment.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** The {@code attachments} table through Jdbi; rows are {@link Attachment}s. */
public final class AttachmentRepository {
    private static final String COLUMNS = "id, owner_id, room_id, file_key, file_name, mime_type, size, status, checksum, "
            + "created_at, completed_at, expires_at";
    private static final RowMapper<Attachment> ROW = AttachmentRepository::map;

    private final Jdbi jdbi;

    public AttachmentRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The work done on one row while holding its lock, inside one transaction. */
    @FunctionalInterface
    public interface LockedWork<T> {
        T apply(LockedRow row);
    }

    /** A row locked with {@code SELECT ... FOR UPDATE} (empty when missing), and what may be done to it. */
    public interface LockedRow {
        Optional<Attachment> current();

        /** Marks the row ready with its checksum; it stays locked until the work returns. */
        void markReady(String checksum, Instant completedAt);

        /** Deletes the row (committed when the work returns normally). */
        void delete();
    }

    public void insert(Attachment a) {
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO attachments (" + COLUMNS + ") VALUES (:id, :ownerId, "
                        + ":roomId, :fileKey, :fileName, :mimeType, :size, :status, :checksum, :createdAt, :completedAt, "
                        + ":expiresAt)")
                .bind("id", a.id())
                .bind("ownerId", a.ownerId())
                .bind("roomId", a.roomId())
                .bind("fileKey", a.fileKey())
                .bind("fileName", a.fileName())
                .bind("mimeType", a.mimeType())
                .bind("size", a.size())
                .bind("status", a.status().value())
                .bind("checksum", a.checksum())
                .bind("createdAt", utc(a.createdAt()))
                .bind("completedAt", utc(a.completedAt()))
                .bind("expiresAt", utc(a.expiresAt()))
                .execute());
    }

    public Optional<Attachment> find(UUID id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM attachments WHERE id = :id")
                .bind("id", id).map(ROW).findOne());
    }

    /**
     * Runs {@code work} in one transaction holding the row's lock, so completion, deletion and the sweep of one
     * attachment never interleave. An exception from {@code work} rolls back what it did to the row.
     */
    public <T> T locked(UUID id, LockedWork<T> work) {
        return jdbi.inTransaction(handle -> {
            Optional<Attachment> row = handle.createQuery("SELECT " + COLUMNS + " FROM attachments WHERE id = :id FOR UPDATE")
                    .bind("id", id).map(ROW).findOne();
            return work.apply(new Locked(handle, id, row));
        });
    }

    /**
     * One page of a room's ready attachments, newest first ({@code created_at} then {@code id}, descending), strictly
     * after {@code after} when given: keyset pagination on the listing index.
     */
    public List<Attachment> readyInRoom(String roomId, Optional<PageCursor> after, int limit) {
        return jdbi.withHandle(handle -> {
            String sql = "SELECT " + COLUMNS + " FROM attachments WHERE room_id = :roomId AND status = 'ready'"
                    + (after.isPresent() ? " AND (created_at, id) < (:createdAt, :id)" : "")
                    + " ORDER BY created_at DESC, id DESC LIMIT :limit";
            var query = handle.createQuery(sql).bind("roomId", roomId).bind("limit", limit);
            after.ifPresent(cursor -> query.bind("createdAt", utc(cursor.createdAt())).bind("id", cursor.id()));
            return query.map(ROW).list();
        });
    }

    /** Ids of pending uploads whose PUT URL expired before {@code cutoff}, oldest first. */
    public List<UUID> pendingExpiredBefore(Instant cutoff, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id FROM attachments WHERE status = 'pending' "
                        + "AND expires_at < :cutoff ORDER BY expires_at LIMIT :limit")
                .bind("cutoff", utc(cutoff)).bind("limit", limit)
                .mapTo(UUID.class).list());
    }

    /** Whether the database answers. */
    public boolean reachable() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT 1").mapTo(Integer.class).one() == 1);
    }

    private record Locked(Handle handle, UUID id, Optional<Attachment> current) implements LockedRow {
        @Override
        public void markReady(String checksum, Instant completedAt) {
            handle.createUpdate("UPDATE attachments SET status = 'ready', checksum = :checksum, completed_at = :completedAt "
                            + "WHERE id = :id")
                    .bind("checksum", checksum).bind("completedAt", utc(completedAt)).bind("id", id).execute();
        }

        @Override
        public void delete() {
            handle.createUpdate("DELETE FROM attachments WHERE id = :id").bind("id", id).execute();
        }
    }

    private static Attachment map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Attachment(
                rs.getObject("id", UUID.class),
                rs.getString("owner_id"),
                rs.getString("room_id"),
                rs.getString("file_key"),
                rs.getString("file_name"),
                rs.getString("mime_type"),
                rs.getLong("size"),
                AttachmentStatus.of(rs.getString("status")),
                rs.getString("checksum"),
                instant(rs, "created_at"),
                instant(rs, "completed_at"),
                instant(rs, "expires_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    // pgjdbc maps OffsetDateTime to timestamptz exactly, whatever the JVM's or the session's time zone.
    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
