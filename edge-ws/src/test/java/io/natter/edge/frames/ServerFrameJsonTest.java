package io.natter.edge.frames;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.edge.EdgeJson;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerFrameJsonTest {
    private final FrameCodec codec = new FrameCodec(EdgeJson.newMapper(), 4096);

    @Test
    void messageCarriesTypeAllFieldsAndAnIsoTimestamp() {
        assertThat(codec.encode(new ServerFrame.Message("r1", "m1", "alice", "hello",
                Instant.parse("2026-03-01T10:15:30.120Z"), 7,
                List.of(new ServerFrame.Attachment("a1", "cat.png", "image/png", 2048)))))
                .isEqualTo("{\"type\":\"MESSAGE\",\"roomId\":\"r1\",\"messageId\":\"m1\",\"senderId\":\"alice\","
                        + "\"content\":\"hello\",\"ts\":\"2026-03-01T10:15:30.120Z\",\"seq\":7,\"epoch\":0,\"attachments\":"
                        + "[{\"attachmentId\":\"a1\",\"fileName\":\"cat.png\",\"mimeType\":\"image/png\",\"size\":2048}]}");
    }

    @Test
    void messageWithoutAttachmentsHasAnEmptyList() {
        assertThat(codec.encode(new ServerFrame.Message("r1", "m1", "alice", "x", Instant.parse("2026-03-01T10:15:30Z"),
                1, List.of())))
                .isEqualTo("{\"type\":\"MESSAGE\",\"roomId\":\"r1\",\"messageId\":\"m1\",\"senderId\":\"alice\","
                        + "\"content\":\"x\",\"ts\":\"2026-03-01T10:15:30Z\",\"seq\":1,\"epoch\":0,\"attachments\":[]}");
    }

    @Test
    void ackErrorAndRoomFrames() {
        assertThat(codec.encode(new ServerFrame.Ack("c1", "m1", 3, 2)))
                .isEqualTo("{\"type\":\"ACK\",\"clientMsgId\":\"c1\",\"messageId\":\"m1\",\"seq\":3,\"epoch\":2}");
        assertThat(codec.encode(new ServerFrame.Ack(null, "m1", 3)))
                .isEqualTo("{\"type\":\"ACK\",\"messageId\":\"m1\",\"seq\":3,\"epoch\":0}");
        assertThat(codec.encode(new ServerFrame.Epoch("r1", 1, 42)))
                .isEqualTo("{\"type\":\"EPOCH\",\"roomId\":\"r1\",\"epoch\":1,\"fromSeq\":42}");
        assertThat(codec.encode(new ServerFrame.Error("NOT_A_MEMBER", "not a member of r1", "c1")))
                .isEqualTo("{\"type\":\"ERROR\",\"code\":\"NOT_A_MEMBER\",\"message\":\"not a member of r1\",\"ref\":\"c1\"}");
        assertThat(codec.encode(new ServerFrame.Error("UNKNOWN_TYPE", "unknown", null)))
                .isEqualTo("{\"type\":\"ERROR\",\"code\":\"UNKNOWN_TYPE\",\"message\":\"unknown\"}");
        assertThat(codec.encode(new ServerFrame.Joined("r1"))).isEqualTo("{\"type\":\"JOINED\",\"roomId\":\"r1\"}");
        assertThat(codec.encode(new ServerFrame.Left("r1"))).isEqualTo("{\"type\":\"LEFT\",\"roomId\":\"r1\"}");
        assertThat(codec.encode(new ServerFrame.Pong())).isEqualTo("{\"type\":\"PONG\"}");
    }

    @Test
    void presenceFramesCarryStatusAndAnIsoLastSeenWhenKnown() {
        Instant seen = Instant.parse("2026-03-01T10:15:30.120Z");
        assertThat(codec.encode(new ServerFrame.PresenceSnapshot("r1", List.of(
                new ServerFrame.UserPresence("alice", "ONLINE", seen),
                new ServerFrame.UserPresence("bob", "OFFLINE", null)))))
                .isEqualTo("{\"type\":\"PRESENCE_SNAPSHOT\",\"roomId\":\"r1\",\"users\":["
                        + "{\"userId\":\"alice\",\"status\":\"ONLINE\",\"lastSeen\":\"2026-03-01T10:15:30.120Z\"},"
                        + "{\"userId\":\"bob\",\"status\":\"OFFLINE\"}]}");
        assertThat(codec.encode(new ServerFrame.Presence("alice", "OFFLINE", seen)))
                .isEqualTo("{\"type\":\"PRESENCE\",\"userId\":\"alice\",\"status\":\"OFFLINE\","
                        + "\"lastSeen\":\"2026-03-01T10:15:30.120Z\"}");
        assertThat(codec.encode(new ServerFrame.PresenceUnsubscribed("r1")))
                .isEqualTo("{\"type\":\"PRESENCE_UNSUBSCRIBED\",\"roomId\":\"r1\"}");
    }

    @Test
    void errorCarriesOldestSeqOnlyWhenSet() {
        assertThat(codec.encode(new ServerFrame.Error("HISTORY_TRUNCATED", "gone", "r1", 40L)))
                .isEqualTo("{\"type\":\"ERROR\",\"code\":\"HISTORY_TRUNCATED\",\"message\":\"gone\",\"ref\":\"r1\",\"oldestSeq\":40}");
        assertThat(codec.encode(new ServerFrame.Error("RATE_LIMITED", "slow down", "c1", null, 50L)))
                .isEqualTo("{\"type\":\"ERROR\",\"code\":\"RATE_LIMITED\",\"message\":\"slow down\",\"ref\":\"c1\",\"retryAfterMs\":50}");
    }

    @Test
    void editAndDeleteFrames() {
        Instant at = Instant.parse("2026-03-01T10:15:30Z");
        assertThat(codec.encode(new ServerFrame.MessageEdited("r1", "m1", 4, "new", "alice", at)))
                .isEqualTo("{\"type\":\"MESSAGE_EDITED\",\"roomId\":\"r1\",\"messageId\":\"m1\",\"seq\":4,"
                        + "\"content\":\"new\",\"editorId\":\"alice\",\"editedAt\":\"2026-03-01T10:15:30Z\"}");
        assertThat(codec.encode(new ServerFrame.MessageDeleted("r1", "m1", 4, "olga", at)))
                .isEqualTo("{\"type\":\"MESSAGE_DELETED\",\"roomId\":\"r1\",\"messageId\":\"m1\",\"seq\":4,"
                        + "\"deletedBy\":\"olga\",\"deletedAt\":\"2026-03-01T10:15:30Z\"}");
        assertThat(codec.encode(new ServerFrame.MessageDeleted("r1", "m1", 4, null, null)))
                .isEqualTo("{\"type\":\"MESSAGE_DELETED\",\"roomId\":\"r1\",\"messageId\":\"m1\",\"seq\":4}");
    }

    @Test
    void historyPageListsMessagesWithEditAndDeleteMarks() {
        Instant ts = Instant.parse("2026-03-01T10:15:30Z");
        assertThat(codec.encode(new ServerFrame.History("r1", List.of(
                new ServerFrame.HistoryMessage("r1", "m1", "alice", "hi", ts, 1, List.of(), null, false),
                new ServerFrame.HistoryMessage("r1", "m2", "bob", "fixed", ts, 2, List.of(), ts.plusSeconds(1), false),
                new ServerFrame.HistoryMessage("r1", "m3", "bob", "", ts, 3, List.of(), null, true)), true)))
                .isEqualTo("{\"type\":\"HISTORY\",\"roomId\":\"r1\",\"messages\":["
                        + "{\"roomId\":\"r1\",\"messageId\":\"m1\",\"senderId\":\"alice\",\"content\":\"hi\","
                        + "\"ts\":\"2026-03-01T10:15:30Z\",\"seq\":1,\"attachments\":[],\"deleted\":false},"
                        + "{\"roomId\":\"r1\",\"messageId\":\"m2\",\"senderId\":\"bob\",\"content\":\"fixed\","
                        + "\"ts\":\"2026-03-01T10:15:30Z\",\"seq\":2,\"attachments\":[],\"editedAt\":\"2026-03-01T10:15:31Z\","
                        + "\"deleted\":false},"
                        + "{\"roomId\":\"r1\",\"messageId\":\"m3\",\"senderId\":\"bob\",\"content\":\"\","
                        + "\"ts\":\"2026-03-01T10:15:30Z\",\"seq\":3,\"attachments\":[],\"deleted\":true}],"
                        + "\"hasMore\":true}");
    }
}
