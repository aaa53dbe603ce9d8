package io.natter.attachment.commands;

import io.natter.attachment.store.Attachment;
import io.natter.edge.error.UnavailableException;
import io.natter.edge.kafka.CommandPublisher;
import io.natter.schemas.Envelopes;
import io.natter.schemas.avro.AttachmentMetadata;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RegisterAttachment;
import io.natter.schemas.avro.RemoveAttachment;
import io.natter.schemas.avro.RoomCommand;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tells the room topology about attachments through the room's one ordered command path
 * ({@code chat.message.requested.v1}, key roomId): {@link RegisterAttachment} once an upload is verified, so any
 * send naming it that starts after completion finds it; {@link RemoveAttachment} when one is deleted or swept.
 * Each call returns once the broker has the command (acks=all, idempotent producer) or throws {@link UnavailableException}.
 */
public final class AttachmentCommands {
    /** Actor of the commands the orphan sweep writes; no user asked for them. */
    public static final String SWEEPER = "system:attachment-sweeper";

    private final CommandPublisher publisher;
    private final String nodeId;
    private final Envelopes envelopes;
    private final Duration timeout;

    public AttachmentCommands(CommandPublisher publisher, String nodeId, Envelopes envelopes, Duration timeout) {
        this.publisher = publisher;
        this.nodeId = nodeId;
        this.envelopes = envelopes;
        this.timeout = timeout;
    }

    /** Declares the verified {@code attachment} usable in messages of its room. */
    public void register(Attachment attachment, String actorId) {
        AttachmentMetadata metadata = AttachmentMetadata.newBuilder()
                .setAttachmentId(attachment.id().toString())
                .setRoomId(attachment.roomId())
                .setOwnerId(attachment.ownerId())
                .setFileKey(attachment.fileKey())
                .setFileName(attachment.fileName())
                .setMimeType(attachment.mimeType())
                .setSize(attachment.size())
                .setChecksum(attachment.checksum())
                .setCreatedAt(attachment.createdAt())
                .build();
        publish(attachment.roomId(), "chat.attachment.register.requested.v1", actorId,
                new RegisterAttachment(attachment.roomId(), metadata));
    }

    /** Withdraws attachment {@code id} of {@code roomId}: later sends may no longer name it. */
    public void remove(String roomId, UUID id, String actorId) {
        publish(roomId, "chat.attachment.remove.requested.v1", actorId, new RemoveAttachment(roomId, id.toString()));
    }

    private void publish(String roomId, String eventType, String actorId, Object payload) {
        RoomCommand command = RoomCommand.newBuilder()
                .setEventType(eventType)
                .setEventId(envelopes.newEventId())
                .setOccurredAt(envelopes.now())
                .setRegion(envelopes.region())
                .setSchemaVersion(Envelopes.SCHEMA_VERSION)
                .setCommandId(UUID.randomUUID().toString())
                .setActorId(actorId)
                .setOrigin(new Origin(nodeId, null))
                .setPayload(payload)
                .build();
        try {
            publisher.publishNow(roomId, command).written().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new UnavailableException("Kafka did not take the " + eventType + " command: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new UnavailableException("Kafka did not take the " + eventType + " command within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while writing the " + eventType + " command", e);
        }
    }
}
