package io.natter.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the exit-criteria checks share against one stack: tokens, room creation over REST, and connecting
 * {@link ProbeClient}s. User and room ids carry the run id, so runs against one stack never share them.
 */
final class Probes implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CREATE_ATTEMPTS = 5;

    private final TokenSource tokens;
    private final URI restBase;
    private final String runId;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<ProbeClient> opened = new ArrayList<>();

    Probes(TokenSource tokens, URI restBase, String runId) {
        this.tokens = tokens;
        this.restBase = restBase;
        this.runId = runId;
    }

    /** This run's id for {@code name}, e.g. {@code X1a2b-flood}. */
    String id(String name) {
        return runId + "-" + name;
    }

    /** Creates a private room owned by {@code owner} with {@code members}, retrying while the edge answers 503. */
    void createRoom(String roomId, String owner, List<String> members) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("roomId", roomId, "name", roomId, "visibility", "private",
                "members", members));
        HttpRequest request = HttpRequest.newBuilder(restBase.resolve("/api/rooms"))
                .header("Authorization", "Bearer " + tokens.token(owner))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            // After a retry, ROOM_EXISTS means an earlier attempt went through (the id is this run's own).
            if (response.statusCode() == 201 || (response.statusCode() == 409 && attempt > 1)) {
                return;
            }
            if (response.statusCode() != 503 || attempt == CREATE_ATTEMPTS) {
                throw new IOException("creating room " + roomId + ": HTTP " + response.statusCode() + " "
                        + response.body());
            }
            TimeUnit.SECONDS.sleep(1);
        }
    }

    /** Connects {@code user} to {@code edge}; closed with this object unless closed before. */
    ProbeClient connect(URI edge, String user) throws IOException, InterruptedException {
        ProbeClient client = ProbeClient.connect(http, edge, user, tokens.token(user));
        synchronized (opened) {
            opened.add(client);
        }
        return client;
    }

    @Override
    public void close() {
        synchronized (opened) {
            opened.forEach(ProbeClient::close);
            opened.clear();
        }
        http.close();
    }
}
