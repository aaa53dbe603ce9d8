package io.natter.edge.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.error.UnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the topologies' internal query API. Tries each base URL in order; a 503 (instance rebalancing or
 * restoring) or a connection failure moves on to the next and, once all failed, starts over until the
 * timeout, so a restarting topology costs latency rather than an error. Blocking: call it from virtual threads.
 */
public final class RoomQueryClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RoomQueryClient.class);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(100);
    private static final String ROOM_NOT_FOUND = "ROOM_NOT_FOUND";

    private final List<URI> baseUrls;
    private final Duration timeout;
    private final ObjectMapper mapper;
    private final HttpClient http;
    private final JavaType summaries;

    public RoomQueryClient(List<URI> baseUrls, Duration timeout, ObjectMapper mapper) {
        this.baseUrls = List.copyOf(baseUrls);
        this.timeout = timeout;
        this.mapper = mapper;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.summaries = mapper.getTypeFactory().constructType(new TypeReference<List<RoomSummary>>() { });
    }

    /** The room's state, or empty when no such room exists. */
    public Optional<RoomView> room(String roomId) {
        return get("/internal/rooms/" + segment(roomId), mapper.constructType(RoomView.class));
    }

    /** Up to {@code limit} messages with seq above {@code afterSeq}, ascending; empty when no such room exists. */
    public Optional<MessagePage> messagesAfter(String roomId, long afterSeq, int limit) {
        return get("/internal/rooms/" + segment(roomId) + "/messages?afterSeq=" + afterSeq + "&limit=" + limit,
                mapper.constructType(MessagePage.class));
    }

    /** The newest {@code limit} messages below {@code beforeSeq} (the newest at all when null), ascending. */
    public Optional<MessagePage> messagesBefore(String roomId, Long beforeSeq, int limit) {
        String before = beforeSeq == null ? "" : "beforeSeq=" + beforeSeq + "&";
        return get("/internal/rooms/" + segment(roomId) + "/messages?" + before + "limit=" + limit,
                mapper.constructType(MessagePage.class));
    }

    /** The rooms {@code userId} is a member of, sorted by room id. */
    public List<RoomSummary> roomsOf(String userId) {
        return this.<List<RoomSummary>>get("/internal/users/" + segment(userId) + "/rooms", summaries)
                .orElseGet(List::of);
    }

    private <T> Optional<T> get(String pathAndQuery, JavaType type) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastProblem = "no query URL answered";
        while (true) {
            for (URI base : baseUrls) {
                Duration left = Duration.ofNanos(deadline - System.nanoTime());
                if (left.isNegative() || left.isZero()) {
                    throw new UnavailableException("topology query API did not answer " + pathAndQuery
                            + " within " + timeout + ": " + lastProblem);
                }
                HttpRequest request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                        .timeout(left).header("Accept", "application/json").GET().build();
                HttpResponse<String> response;
                try {
                    response = http.send(request, HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    lastProblem = base + ": " + e;
                    log.debug("query {} failed: {}", request.uri(), e.toString());
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UnavailableException("interrupted while querying " + pathAndQuery, e);
                }
                switch (response.statusCode()) {
                    case 200 -> {
                        return Optional.of(parse(response.body(), type, request.uri()));
                    }
                    case 404 -> {
                        if (ROOM_NOT_FOUND.equals(errorCode(response.body()))) {
                            return Optional.empty();
                        }
                        throw new UnavailableException("topology query API has no " + request.uri());
                    }
                    case 503 -> lastProblem = base + ": 503 " + response.body();
                    default -> throw new UnavailableException("topology query API answered " + response.statusCode()
                            + " to " + request.uri() + ": " + response.body());
                }
            }
            pauseBeforeRetry(deadline);
        }
    }

    private <T> T parse(String body, JavaType type, URI uri) {
        try {
            return mapper.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw new UnavailableException("unreadable answer from " + uri + ": " + e.getOriginalMessage(), e);
        }
    }

    private String errorCode(String body) {
        try {
            JsonNode code = mapper.readTree(body).get("code");
            return code == null ? null : code.asText();
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static void pauseBeforeRetry(long deadline) {
        long pause = Math.min(RETRY_PAUSE.toNanos(), Math.max(0, deadline - System.nanoTime()));
        try {
            // Every instance refused (rebalancing, restarting): back off briefly rather than spin.
            Thread.sleep(Duration.ofNanos(pause));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting for the topology query API", e);
        }
    }

    private static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        http.close();
    }
}
