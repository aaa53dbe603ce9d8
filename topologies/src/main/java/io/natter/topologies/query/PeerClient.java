package io.natter.topologies.query;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.streams.state.HostInfo;

/** Asks another topologies instance, one hop: its answer is final (it does not forward again). */
final class PeerClient implements AutoCloseable {
    /** Marks a request as forwarded: the receiver answers from its own stores only. */
    static final String FORWARDED_HEADER = "X-Natter-Forwarded";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final TypeReference<List<UserRoomView>> USER_ROOMS = new TypeReference<>() {};

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final ObjectMapper json;

    PeerClient(ObjectMapper json) {
        this.json = json;
    }

    RoomView room(HostInfo peer, String roomId) {
        return join(get(peer, "/internal/rooms/" + segment(roomId), roomId, RoomView.class));
    }

    MessagePage messages(HostInfo peer, String roomId, MessageQuery query) {
        return join(get(peer, "/internal/rooms/" + segment(roomId) + "/messages?" + query.toQueryString(), roomId,
                MessagePage.class));
    }

    /** The rooms of {@code userId} in the peer's own stores. */
    CompletableFuture<List<UserRoomView>> localRoomsOf(HostInfo peer, String userId) {
        return get(peer, "/internal/users/" + segment(userId) + "/rooms", null, USER_ROOMS);
    }

    private <T> CompletableFuture<T> get(HostInfo peer, String pathAndQuery, String roomId, Class<T> type) {
        return send(peer, pathAndQuery, roomId).thenApply(body -> read(body, type));
    }

    private <T> CompletableFuture<T> get(HostInfo peer, String pathAndQuery, String roomId, TypeReference<T> type) {
        return send(peer, pathAndQuery, roomId).thenApply(body -> read(body, type));
    }

    private CompletableFuture<String> send(HostInfo peer, String pathAndQuery, String roomId) {
        URI uri = URI.create("http://" + peer.host() + ":" + peer.port() + pathAndQuery);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header(FORWARDED_HEADER, "true").GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw new QueryException.Unavailable("instance " + peer + " unreachable: " + failure, failure);
                    }
                    return switch (response.statusCode()) {
                        case 200 -> response.body();
                        case 404 -> throw new QueryException.RoomNotFound(roomId);
                        default -> throw new QueryException.Unavailable("instance " + peer + " answered "
                                + response.statusCode() + ": " + response.body(), null);
                    };
                });
    }

    private <T> T read(String body, Class<T> type) {
        try {
            return json.readValue(body, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> T read(String body, TypeReference<T> type) {
        try {
            return json.readValue(body, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Unwraps the typed failure of a peer call. */
    static <T> T join(CompletableFuture<T> answer) {
        try {
            return answer.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof QueryException q) {
                throw q;
            }
            throw new QueryException.Unavailable("peer answer unusable: " + e.getCause(), e.getCause());
        }
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        http.close();
    }
}
