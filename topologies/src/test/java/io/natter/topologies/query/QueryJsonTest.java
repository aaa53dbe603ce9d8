package io.natter.topologies.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON shapes of the contract the edge codes against. */
class QueryJsonTest {
    private static final Instant CREATED = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00.250Z");

    private final ObjectMapper json = QueryJson.newMapper();

    @Test
    void writesRoomWithIsoInstantsAndWithoutAbsentOptionals() throws Exception {
        RoomView room = new RoomView("r1", "Lobby", "public", "alice", List.of("alice", "bob"), "us", CREATED, 0, null,
                0, 1);

        assertThat(json.writeValueAsString(room)).isEqualTo("{\"roomId\":\"r1\",\"name\":\"Lobby\",\"visibility\":\"public\","
                + "\"ownerId\":\"alice\",\"members\":[\"alice\",\"bob\"],\"homeRegion\":\"us\","
                + "\"createdAt\":\"2026-03-01T10:00:00Z\",\"lastSeq\":0,\"messageCount\":0,\"oldestSeq\":1,\"epoch\":0,\"epochFromSeq\":1}");
        assertThat(json.readValue(json.writeValueAsString(room), RoomView.class)).isEqualTo(room);
    }

    @Test
    void writesMessagePage() throws Exception {
        MessagePage page = new MessagePage("r1", List.of(
                new MessageView("m1", "r1", "bob", "", NOW, 4, null, List.of(), null, true),
                new MessageView("m2", "r1", "bob", "hi", NOW, 5, "c-5",
                        List.of(new MessageView.Attachment("a1", null, "image/png", 42)), NOW, false)),
                true, 4, 5);

        assertThat(json.writeValueAsString(page)).isEqualTo("{\"roomId\":\"r1\",\"messages\":["
                + "{\"messageId\":\"m1\",\"roomId\":\"r1\",\"senderId\":\"bob\",\"content\":\"\","
                + "\"ts\":\"2026-03-01T12:00:00.250Z\",\"seq\":4,\"attachments\":[],\"deleted\":true,\"epoch\":0},"
                + "{\"messageId\":\"m2\",\"roomId\":\"r1\",\"senderId\":\"bob\",\"content\":\"hi\","
                + "\"ts\":\"2026-03-01T12:00:00.250Z\",\"seq\":5,\"clientMsgId\":\"c-5\","
                + "\"attachments\":[{\"attachmentId\":\"a1\",\"mimeType\":\"image/png\",\"size\":42}],"
                + "\"editedAt\":\"2026-03-01T12:00:00.250Z\",\"deleted\":false,\"epoch\":0}],"
                + "\"hasMore\":true,\"oldestSeq\":4,\"lastSeq\":5}");
        assertThat(json.readValue(json.writeValueAsString(page), MessagePage.class)).isEqualTo(page);
    }

    @Test
    void readsAPeersUserRoomsTolerantOfNewFields() throws Exception {
        List<UserRoomView> rooms = json.readValue("[{\"roomId\":\"r1\",\"name\":\"Lobby\",\"visibility\":\"private\","
                + "\"ownerId\":\"alice\",\"lastSeq\":3,\"lastActivityAt\":\"2026-03-01T12:00:00.250Z\","
                + "\"messageCount\":3,\"unread\":2}]", new TypeReference<>() {});

        assertThat(rooms).containsExactly(new UserRoomView("r1", "Lobby", "private", "alice", 3, NOW, 3));
    }
}
