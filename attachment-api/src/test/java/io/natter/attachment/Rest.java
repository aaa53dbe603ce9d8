package io.natter.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.auth.HmacTokenSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** HTTP calls made the way a client makes them (bearer token, JSON), each answer kept whole with its body parsed. */
final class Rest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: status, raw body, the body as JSON (null when empty or not JSON), headers. */
    record Reply(String method, String path, int status, String body, JsonNode json, HttpResponse<String> response) {
        /** The error code of a JSON error body. */
        String code() {
            return json == null || json.get("code") == null ? null : json.get("code").asText();
        }

        String text(String field) {
            return json.get(field).asText();
        }
    }

    private final HttpClient http;
    private final HmacTokenSigner tokens;

    Rest(HttpClient http, HmacTokenSigner tokens) {
        this.http = http;
        this.tokens = tokens;
    }

    Reply call(String method, String baseUrl, String path, String user, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (user != null) {
            request.header("Authorization", "Bearer " + tokens.sign(user, Duration.ofMinutes(10)));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(method, path, response.statusCode(), response.body(), parse(response.body()), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** PUTs {@code bytes} to a presigned URL with {@code contentType}, as a browser or curl would; returns the status. */
    int put(URI url, byte[] bytes, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GETs a presigned URL with no credentials of ours. */
    HttpResponse<byte[]> download(URI url) {
        try {
            return http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a room through the edge as {@code owner}, asserting 201 (the room exists in the topology then). */
    void createRoom(int edgePort, String owner, String roomId, String visibility, List<String> members) {
        Reply reply = call("POST", "http://127.0.0.1:" + edgePort, "/api/rooms", owner, json(Map.of(
                "roomId", roomId, "name", "Room " + roomId, "visibility", visibility, "members", members)));
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isEmpty()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
