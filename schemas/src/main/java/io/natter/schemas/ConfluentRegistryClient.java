package io.natter.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Schema registry client over the Confluent REST API, so Natter works with Confluent, Karapace,
 * Redpanda and Apicurio's {@code /apis/ccompat/v7}.
 *
 * <p>Written by hand because Confluent's client is not on Maven Central and Apicurio's serde speaks
 * only Apicurio's own API; the three calls needed are small. Ids and schemas are cached forever:
 * a registry never changes what an id means.
 */
public final class ConfluentRegistryClient implements SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final String baseUrl;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    /** @param baseUrl the registry's Confluent API root, e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7} */
    public ConfluentRegistryClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public int register(String subject, Schema schema) {
        return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema),
                key -> idFrom(post("/subjects/" + encode(subject) + "/versions", schema), schema));
    }

    @Override
    public int lookup(String subject, Schema schema) {
        return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema),
                key -> idFrom(post("/subjects/" + encode(subject), schema), schema));
    }

    @Override
    public Schema schemaById(int id) {
        return schemasById.computeIfAbsent(id, key -> {
            JsonNode body = send(HttpRequest.newBuilder(URI.create(baseUrl + "/schemas/ids/" + id))
                    .header("Accept", CONTENT_TYPE).GET());
            return new Schema.Parser().parse(body.path("schema").asText());
        });
    }

    private int idFrom(JsonNode body, Schema schema) {
        int id = body.path("id").asInt(-1);
        if (id < 0) {
            throw new SchemaRegistryException("registry answered without an id: " + body, 200, -1);
        }
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    private JsonNode post(String path, Schema schema) {
        String body;
        try {
            body = json.writeValueAsString(Map.of("schemaType", "AVRO", "schema", schema.toString()));
        } catch (IOException e) {
            throw new SchemaRegistryException("cannot encode schema request", e);
        }
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", CONTENT_TYPE)
                .header("Accept", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryException("schema registry at " + baseUrl + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted talking to the schema registry", e);
        }
        JsonNode body;
        try {
            body = response.body().isBlank() ? json.createObjectNode() : json.readTree(response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException("registry answered " + response.statusCode() + " with non-JSON body: "
                    + response.body(), response.statusCode(), -1);
        }
        if (response.statusCode() / 100 != 2) {
            throw new SchemaRegistryException("registry answered " + response.statusCode() + ": "
                    + body.path("message").asText(response.body()), response.statusCode(),
                    body.path("error_code").asInt(-1));
        }
        return body;
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8);
    }
}
