package io.natter.attachment.service;

import io.natter.attachment.AttachmentConfig;
import io.natter.attachment.commands.AttachmentCommands;
import io.natter.attachment.error.AttachmentError;
import io.natter.attachment.error.AttachmentException;
import io.natter.attachment.objects.ObjectStorage;
import io.natter.attachment.store.Attachment;
import io.natter.attachment.store.AttachmentRepository;
import io.natter.attachment.store.AttachmentStatus;
import io.natter.attachment.store.PageCursor;
import io.natter.edge.query.RoomView;
import io.natter.edge.rooms.RoomQueries;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What the REST API does, with the caller's user id: every operation first checks that the caller is a member of the
 * attachment's room, from the topology's room state (the edge's {@link RoomQueries}, no copy of membership here).
 */
public final class AttachmentService {
    private final AttachmentRepository repository;
    private final ObjectStorage storage;
    private final RoomQueries rooms;
    private final AttachmentCommands commands;
    private final UploadPolicy policy;
    private final UploadVerifier verifier;
    private final AttachmentConfig.Limits limits;
    private final Clock clock;

    public AttachmentService(AttachmentRepository repository, ObjectStorage storage, RoomQueries rooms,
            AttachmentCommands commands, UploadPolicy policy, UploadVerifier verifier, AttachmentConfig.Limits limits,
            Clock clock) {
        this.repository = repository;
        this.storage = storage;
        this.rooms = rooms;
        this.commands = commands;
        this.policy = policy;
        this.verifier = verifier;
        this.limits = limits;
        this.clock = clock;
    }

    /** Records a pending attachment and presigns the PUT of its bytes; refuses what the policy would refuse. */
    public UploadTicket requestUpload(String userId, String roomId, UploadRequest request) {
        UploadPolicy.Declared declared = policy.check(request);
        rooms.room(userId, roomId);
        UUID id = UUID.randomUUID();
        // Millisecond precision: what Postgres keeps, what the Avro metadata carries, and what listing cursors compare.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant expiresAt = now.plus(limits.uploadUrlTtl());
        Attachment pending = new Attachment(id, userId, roomId, Attachment.fileKey(roomId, id), declared.fileName(),
                declared.mimeType(), declared.size(), AttachmentStatus.PENDING, null, now, null, expiresAt);
        repository.insert(pending);
        return new UploadTicket(id.toString(), storage.presignPut(pending.stagingKey(), limits.uploadUrlTtl()), expiresAt);
    }

    /**
     * Verifies the uploaded object, tells the room topology (RegisterAttachment, acknowledged by Kafka) and only then
     * marks the row ready, all under the row's lock. Completing a ready attachment again changes nothing.
     */
    public AttachmentView complete(String userId, UUID id) {
        return repository.locked(id, row -> {
            Attachment attachment = row.current().orElseThrow(() -> notFound(id));
            rooms.room(userId, attachment.roomId());
            if (!attachment.ownerId().equals(userId)) {
                throw new AttachmentException(AttachmentError.NOT_ATTACHMENT_OWNER,
                        "only the uploader completes attachment " + id);
            }
            if (attachment.isReady()) {
                return view(attachment);
            }
            String checksum = verifier.verify(attachment);
            Attachment ready = attachment.ready(checksum, clock.instant().truncatedTo(ChronoUnit.MILLIS));
            // Registered before the row commits: a crash in between leaves it pending, and a retry registers again.
            commands.register(ready, userId);
            row.markReady(ready.checksum(), ready.completedAt());
            return view(ready);
        });
    }

    /** Metadata and, once ready, a presigned download URL; a pending upload is shown to its uploader only. */
    public AttachmentView get(String userId, UUID id) {
        Attachment attachment = repository.find(id).orElseThrow(() -> notFound(id));
        rooms.room(userId, attachment.roomId());
        if (!attachment.isReady() && !attachment.ownerId().equals(userId)) {
            throw notFound(id);
        }
        return view(attachment);
    }

    /**
     * Deletes by the uploader, or by the room's owner: first RemoveAttachment (later sends may no longer name it),
     * then the objects, then the row, which commits last so a failure midway can be retried.
     */
    public void delete(String userId, UUID id) {
        repository.locked(id, row -> {
            Attachment attachment = row.current().orElseThrow(() -> notFound(id));
            if (!attachment.ownerId().equals(userId)) {
                RoomView room = rooms.room(userId, attachment.roomId());
                if (!userId.equals(room.ownerId())) {
                    throw new AttachmentException(AttachmentError.NOT_ATTACHMENT_OWNER,
                            "only the uploader or the room owner deletes attachment " + id);
                }
                if (!attachment.isReady()) {
                    throw notFound(id);
                }
            }
            commands.remove(attachment.roomId(), id, userId);
            storage.remove(attachment.fileKey());
            storage.remove(attachment.stagingKey());
            row.delete();
            return null;
        });
    }

    /** A page of the room's ready attachments, newest first, after {@code cursor}. */
    public AttachmentPage list(String userId, String roomId, int limit, Optional<PageCursor> cursor) {
        rooms.room(userId, roomId);
        List<Attachment> rows = repository.readyInRoom(roomId, cursor, limit + 1);
        List<Attachment> page = rows.subList(0, Math.min(limit, rows.size()));
        String next = rows.size() > limit ? PageCursor.after(page.getLast()).encode() : null;
        return new AttachmentPage(page.stream().map(this::view).toList(), next);
    }

    private AttachmentView view(Attachment attachment) {
        if (!attachment.isReady()) {
            return AttachmentView.of(attachment, null, null);
        }
        Instant expires = clock.instant().plus(limits.downloadUrlTtl()).truncatedTo(ChronoUnit.SECONDS);
        URI url = storage.presignGet(attachment.fileKey(), limits.downloadUrlTtl(), attachment.fileName());
        return AttachmentView.of(attachment, url, expires);
    }

    private static AttachmentException notFound(UUID id) {
        return new AttachmentException(AttachmentError.ATTACHMENT_NOT_FOUND, "no attachment " + id);
    }
}
