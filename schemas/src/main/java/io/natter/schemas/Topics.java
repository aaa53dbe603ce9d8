package io.natter.schemas;

import io.natter.schemas.avro.AttachmentUploaded;
import io.natter.schemas.avro.ChatFanout;
import io.natter.schemas.avro.ChatMessageDeleted;
import io.natter.schemas.avro.ChatMessageEdited;
import io.natter.schemas.avro.ChatMessageFlagged;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.CommandRejected;
import io.natter.schemas.avro.RegionStatus;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomMembershipEvent;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The typed topic catalogue: every Natter topic with its key and value serde, bound to one registry.
 * Keys are plain UTF-8 strings (room id, or the actor id for rejections) so any client can read them.
 */
public final class Topics {
    private final SchemaRegistryClient registry;
    private final boolean autoRegister;

    private final Topic<String, RoomMembershipEvent> roomMembership;
    private final Topic<String, RoomCommand> messageRequested;
    private final Topic<String, ChatMessageSent> messageSent;
    private final Topic<String, ChatMessageEdited> messageEdited;
    private final Topic<String, ChatMessageDeleted> messageDeleted;
    private final Topic<String, CommandRejected> messageRejected;
    private final Topic<String, ChatFanout> fanout;
    private final Topic<String, AttachmentUploaded> attachmentUploaded;
    private final Topic<String, ChatMessageFlagged> messageFlagged;
    private final Topic<String, RegionStatus> regionStatus;

    static {
        AvroTrust.install();
    }

    public Topics(SchemaRegistryClient registry, boolean autoRegister) {
        this.registry = registry;
        this.autoRegister = autoRegister;
        roomMembership = topic(TopicNames.ROOM_MEMBERSHIP, RoomMembershipEvent.class);
        messageRequested = topic(TopicNames.MESSAGE_REQUESTED, RoomCommand.class);
        messageSent = topic(TopicNames.MESSAGE_SENT, ChatMessageSent.class);
        messageEdited = topic(TopicNames.MESSAGE_EDITED, ChatMessageEdited.class);
        messageDeleted = topic(TopicNames.MESSAGE_DELETED, ChatMessageDeleted.class);
        messageRejected = topic(TopicNames.MESSAGE_REJECTED, CommandRejected.class);
        fanout = topic(TopicNames.FANOUT, ChatFanout.class);
        attachmentUploaded = topic(TopicNames.ATTACHMENT_UPLOADED, AttachmentUploaded.class);
        messageFlagged = topic(TopicNames.MESSAGE_FLAGGED, ChatMessageFlagged.class);
        regionStatus = topic(TopicNames.REGION_STATUS, RegionStatus.class);
    }

    /** A catalogue over a Confluent-API registry, registering schemas on first write. */
    public static Topics forRegistry(String registryUrl) {
        return new Topics(new ConfluentRegistryClient(registryUrl), true);
    }

    /** A fresh Avro serde for {@code type} bound to this catalogue's registry, e.g. for state stores. */
    public <V extends SpecificRecord> AvroSerde<V> serde(Class<V> type) {
        return new AvroSerde<>(type, registry, autoRegister);
    }

    private <V extends SpecificRecord> Topic<String, V> topic(String name, Class<V> type) {
        return new Topic<>(name, Serdes.String(), serde(type));
    }

    public Topic<String, RoomMembershipEvent> roomMembership() { return roomMembership; }
    public Topic<String, RoomCommand> messageRequested() { return messageRequested; }
    public Topic<String, ChatMessageSent> messageSent() { return messageSent; }
    public Topic<String, ChatMessageEdited> messageEdited() { return messageEdited; }
    public Topic<String, ChatMessageDeleted> messageDeleted() { return messageDeleted; }
    public Topic<String, CommandRejected> messageRejected() { return messageRejected; }
    public Topic<String, ChatFanout> fanout() { return fanout; }
    public Topic<String, AttachmentUploaded> attachmentUploaded() { return attachmentUploaded; }
    public Topic<String, ChatMessageFlagged> messageFlagged() { return messageFlagged; }
    /** Compacted, key = the declared region; per cluster, never mirrored. */
    public Topic<String, RegionStatus> regionStatus() { return regionStatus; }

    /** Every topic of the catalogue, {@link #regionStatus()} included (unlike {@link TopicNames#ALL}). */
    public List<Topic<String, ?>> all() {
        return List.of(roomMembership, messageRequested, messageSent, messageEdited, messageDeleted,
                messageRejected, fanout, attachmentUploaded, messageFlagged, regionStatus);
    }
}
