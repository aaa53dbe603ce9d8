package io.natter.edge.rooms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.natter.edge.EdgeJson;
import io.natter.edge.error.AccessDeniedException;
import io.natter.edge.error.UnavailableException;
import io.natter.edge.frames.ClientFrame;
import io.natter.edge.frames.ServerFrame;
import io.natter.edge.query.RoomQueryClient;
import io.natter.infra.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The query client and the edge's membership rules, against a stub of the topology query API on a real socket. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RoomQueriesTest {
    private static final String ROOM_JSON = "{\"roomId\":\"%s\",\"name\":\"R\",\"visibility\":\"%s\",\"ownerId\":\"olga\","
            + "\"members\":[\"olga\",\"ivo\"],\"homeRegion\":\"us\",\"createdAt\":\"2026-03-01T10:00:00Z\",\"lastSeq\":3,"
            + "\"messageCount\":3,\"oldestSeq\":1}";
    private static final String NOT_FOUND = "{\"code\":\"ROOM_NOT_FOUND\",\"message\":\"no room\"}";

    private final Map<String, String> bodies = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final HttpServer busy = server(503, "{\"code\":\"UNAVAILABLE\",\"message\":\"rebalancing\"}");
    private final HttpServer stub = stubServer();

    @AfterEach
    void stop() {
        busy.stop(0);
        stub.stop(0);
    }

    @Test
    void aMemberReadsTheRoomAndTheClientMovesPastDeadAndBusyInstances() {
        bodies.put("/internal/rooms/pub", ROOM_JSON.formatted("pub", "public"));
        URI dead = URI.create("http://127.0.0.1:" + FreePorts.pick());
        RoomQueries queries = queries(List.of(dead, url(busy), url(stub)), Duration.ofSeconds(5));

        assertThat(queries.room("ivo", "pub").members()).containsExactly("olga", "ivo");
        assertThat(requests).containsExactly("/internal/rooms/pub");
    }

    @Test
    void aNonMemberOfAPublicRoomIsNotAMemberAndOfAPrivateOrMissingRoomFindsNothing() {
        bodies.put("/internal/rooms/pub", ROOM_JSON.formatted("pub", "public"));
        bodies.put("/internal/rooms/priv", ROOM_JSON.formatted("priv", "private"));
        statuses.put("/internal/rooms/gone", 404);
        bodies.put("/internal/rooms/gone", NOT_FOUND);
        RoomQueries queries = queries(List.of(url(stub)), Duration.ofSeconds(5));

        assertThatThrownBy(() -> queries.room("mal", "pub")).isInstanceOf(AccessDeniedException.class)
                .extracting(e -> ((AccessDeniedException) e).code()).isEqualTo("NOT_A_MEMBER");
        assertThatThrownBy(() -> queries.room("mal", "priv")).isInstanceOf(AccessDeniedException.class)
                .extracting(e -> ((AccessDeniedException) e).code()).isEqualTo("ROOM_NOT_FOUND");
        assertThatThrownBy(() -> queries.room("mal", "gone")).isInstanceOf(AccessDeniedException.class)
                .extracting(e -> ((AccessDeniedException) e).code()).isEqualTo("ROOM_NOT_FOUND");
        assertThatThrownBy(() -> queries.history("mal", new ClientFrame.History("priv", null, null)))
                .isInstanceOf(AccessDeniedException.class);
        assertThat(requests).doesNotContain("/internal/rooms/priv/messages?limit=50");
    }

    @Test
    void historyChecksMembershipThenReadsACappedPageBeforeTheGivenSeq() {
        bodies.put("/internal/rooms/priv", ROOM_JSON.formatted("priv", "private"));
        bodies.put("/internal/rooms/priv/messages?beforeSeq=3&limit=200", "{\"roomId\":\"priv\",\"messages\":["
                + "{\"messageId\":\"m1\",\"roomId\":\"priv\",\"senderId\":\"ivo\",\"content\":\"hi\","
                + "\"ts\":\"2026-03-01T10:00:00Z\",\"seq\":1,\"attachments\":[],\"deleted\":false},"
                + "{\"messageId\":\"m2\",\"roomId\":\"priv\",\"senderId\":\"ivo\",\"content\":\"\","
                + "\"ts\":\"2026-03-01T10:00:01Z\",\"seq\":2,\"attachments\":[],\"deleted\":true}],"
                + "\"hasMore\":false,\"oldestSeq\":1,\"lastSeq\":3}");
        RoomQueries queries = queries(List.of(url(stub)), Duration.ofSeconds(5));

        ServerFrame.History page = queries.history("olga", new ClientFrame.History("priv", 3L, 1000));

        assertThat(page).isEqualTo(new ServerFrame.History("priv", List.of(
                new ServerFrame.HistoryMessage("priv", "m1", "ivo", "hi", Instant.parse("2026-03-01T10:00:00Z"), 1,
                        List.of(), null, false),
                new ServerFrame.HistoryMessage("priv", "m2", "ivo", "", Instant.parse("2026-03-01T10:00:01Z"), 2,
                        List.of(), null, true)), false));
        assertThat(requests).containsExactly("/internal/rooms/priv", "/internal/rooms/priv/messages?beforeSeq=3&limit=200");
    }

    @Test
    void everyInstanceBusyUntilTheTimeoutIsUnavailable() {
        RoomQueries queries = queries(List.of(url(busy)), Duration.ofMillis(400));

        assertThatThrownBy(() -> queries.room("ivo", "pub")).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("did not answer /internal/rooms/pub");
    }

    @Test
    void anAnswerOfAnotherShapeIsUnavailableNotARefusal() {
        statuses.put("/internal/rooms/pub", 404);
        bodies.put("/internal/rooms/pub", "Not found");
        RoomQueries queries = queries(List.of(url(stub)), Duration.ofSeconds(5));

        assertThatThrownBy(() -> queries.room("ivo", "pub")).isInstanceOf(UnavailableException.class);
    }

    private RoomQueries queries(List<URI> urls, Duration timeout) {
        return new RoomQueries(new RoomQueryClient(urls, timeout, EdgeJson.newMapper()));
    }

    private HttpServer stubServer() {
        HttpServer server = create();
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().toString();
            requests.add(path);
            byte[] body = bodies.getOrDefault(path, NOT_FOUND).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(statuses.getOrDefault(path, bodies.containsKey(path) ? 200 : 404), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static HttpServer server(int status, String json) {
        HttpServer server = create();
        server.createContext("/", exchange -> {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static HttpServer create() {
        try {
            return HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static URI url(HttpServer server) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }
}
