package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.auth.HmacTokenSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/** REST calls to one edge as a given user, made the way a client makes them (bearer token, JSON). */
final class EdgeRest {
    private final HttpClient http;
    private final IntSupplier port;
    private final HmacTokenSigner tokens;
    private final ObjectMapper json = new ObjectMapper();

    EdgeRest(HttpClient http, IntSupplier port, HmacTokenSigner tokens) {
        this.http = http;
        this.port = port;
        this.tokens = tokens;
    }

    /** POSTs {@code body} as {@code user}. */
    HttpResponse<String> post(String path, String user, String body) throws IOException, InterruptedException {
        return http.send(request(path, user).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GETs {@code path} as {@code user}, or with no token when {@code user} is null. */
    HttpResponse<String> get(String path, String user) throws IOException, InterruptedException {
        return http.send(request(path, user).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Creates a room through the API, asserting 201, and returns its id. */
    String createRoom(String owner, String roomId, String visibility, List<String> members) throws Exception {
        HttpResponse<String> response = post("/api/rooms", owner, json.writeValueAsString(Map.of(
                "roomId", roomId, "name", "Room " + roomId, "visibility", visibility, "members", members)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json.readTree(response.body()).get("roomId").asText();
    }

    /** Adds a member through the API as the owner, asserting 200. */
    void addMember(String owner, String roomId, String userId) throws Exception {
        HttpResponse<String> response = post("/api/rooms/" + roomId + "/members", owner,
                json.writeValueAsString(Map.of("userId", userId)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    /** Closes {@code resource} if there is one, reporting rather than throwing, so one failure stops no other close. */
    static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("closing " + resource + " failed: " + e);
        }
    }

    private HttpRequest.Builder request(String path, String user) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.getAsInt() + path));
        if (user != null) {
            request.header("Authorization", "Bearer " + tokens.sign(user, Duration.ofMinutes(10)));
        }
        return request;
    }
}
