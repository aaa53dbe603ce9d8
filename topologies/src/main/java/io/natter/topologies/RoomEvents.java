package io.natter.topologies;

import io.natter.schemas.Envelopes;
import io.natter.schemas.avro.ChatFanout;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.CommandRejected;
import io.natter.schemas.avro.Fanout;
import io.natter.schemas.avro.MemberJoined;
import io.natter.schemas.avro.MemberLeft;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomCreated;
import io.natter.schemas.avro.RoomMembershipEvent;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.SendMessageRequested;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;

/** Turns an outcome into the enveloped events it publishes, each with its record key. */
public final class RoomEvents {
    public static final String ROOM_CREATED = "chat.room.created.v1";
    public static final String MEMBER_JOINED = "chat.room.member.joined.v1";
    public static final String MEMBER_LEFT = "chat.room.member.left.v1";
    public static final String MESSAGE_SENT = "chat.message.sent.v1";
    public static final String FANOUT = "chat.fanout.v1";
    public static final String REJECTED = "chat.message.rejected.v1";

    private final String region;
    private final Supplier<String> ids;

    /**
     * @param region written into every envelope
     * @param ids source of event ids
     */
    public RoomEvents(String region, Supplier<String> ids) {
        this.region = region;
        this.ids = ids;
    }

    /** Events for {@code outcome} of {@code command} at {@code now}: keyed by room id, rejections by actor id. */
    public List<KeyValue<String, SpecificRecord>> of(RoomCommand command, Outcome outcome, Instant now) {
        String roomId = RoomCommandJudge.roomIdOf(command);
        return switch (outcome) {
            case Outcome.Rejected r -> List.of(KeyValue.pair(command.getActorId(), rejected(command, roomId, r, now)));
            case Outcome.Created c -> List.of(KeyValue.pair(roomId, membership(command, ROOM_CREATED, now, created(c.state()))));
            case Outcome.Joined j -> List.of(KeyValue.pair(roomId, membership(command, MEMBER_JOINED, now,
                    new MemberJoined(roomId, j.userId(), j.addedBy()))));
            case Outcome.Left l -> List.of(KeyValue.pair(roomId, membership(command, MEMBER_LEFT, now,
                    new MemberLeft(roomId, l.userId(), command.getActorId()))));
            case Outcome.Sent s -> List.of(
                    KeyValue.pair(roomId, new ChatMessageSent(MESSAGE_SENT, ids.get(), now, region,
                            Envelopes.SCHEMA_VERSION, s.message())),
                    KeyValue.pair(roomId, new ChatFanout(FANOUT, ids.get(), now, region, Envelopes.SCHEMA_VERSION,
                            new Fanout(roomId, new ArrayList<>(s.state().getMembers()), command.getCommandId(),
                                    command.getOrigin(), s.message()))));
        };
    }

    private static RoomCreated created(RoomState state) {
        return new RoomCreated(state.getRoomId(), state.getName(), state.getVisibility(), state.getOwnerId(),
                new ArrayList<>(state.getMembers()), state.getHomeRegion());
    }

    private RoomMembershipEvent membership(RoomCommand command, String eventType, Instant now, Object payload) {
        return new RoomMembershipEvent(eventType, ids.get(), now, region, Envelopes.SCHEMA_VERSION,
                command.getCommandId(), payload);
    }

    private CommandRejected rejected(RoomCommand command, String roomId, Outcome.Rejected r, Instant now) {
        String clientMsgId = command.getPayload() instanceof SendMessageRequested send ? send.getClientMsgId() : null;
        return new CommandRejected(REJECTED, ids.get(), now, region, Envelopes.SCHEMA_VERSION,
                new Rejection(command.getCommandId(), command.getActorId(), roomId, r.code().name(), r.reason(),
                        clientMsgId, command.getOrigin(), null, null));
    }
}
