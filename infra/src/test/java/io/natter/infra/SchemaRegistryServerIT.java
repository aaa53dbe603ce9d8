package io.natter.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SchemaRegistryServerIT {
    private static final String SUBJECT = "it.registry.v1-value";
    private static final String V1 = schemaRequest("""
            {"type":"record","name":"Greeting","namespace":"it","fields":[{"name":"text","type":"string"}]}""");
    private static final String V2_WITH_DEFAULT = schemaRequest("""
            {"type":"record","name":"Greeting","namespace":"it","fields":[{"name":"text","type":"string"},\
            {"name":"lang","type":"string","default":"en"}]}""");
    private static final String V2_WITHOUT_DEFAULT = schemaRequest("""
            {"type":"record","name":"Greeting","namespace":"it","fields":[{"name":"text","type":"string"},\
            {"name":"lang","type":"string"}]}""");

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void enforcesBackwardCompatibilityThroughTheConfluentApi() throws Exception {
        try (SchemaRegistryServer registry = SchemaRegistryServer.start(dataDir, 0)) {
            assertThat(registry.url()).isEqualTo("http://127.0.0.1:" + registry.port() + "/apis/ccompat/v7");

            HttpResponse<String> first = register(registry, V1);
            HttpResponse<String> incompatible = register(registry, V2_WITHOUT_DEFAULT);
            HttpResponse<String> compatible = register(registry, V2_WITH_DEFAULT);

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.body()).matches("\\{\"id\":\\d+}");
            assertThat(incompatible.statusCode()).isEqualTo(409);
            assertThat(incompatible.body()).contains("\"error_code\":409");
            assertThat(compatible.statusCode()).isEqualTo(200);
            assertThat(get(registry, "/subjects/" + SUBJECT + "/versions").body()).isEqualTo("[1,2]");
            assertThat(get(registry, "/config").body()).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
        }
    }

    @Test
    void keepsSubjectsAcrossARestartOnTheSameDataDir() throws Exception {
        String id;
        try (SchemaRegistryServer registry = SchemaRegistryServer.start(dataDir, 0)) {
            id = register(registry, V1).body();
        }
        try (SchemaRegistryServer restarted = SchemaRegistryServer.start(dataDir, 0)) {
            assertThat(get(restarted, "/subjects").body()).isEqualTo("[\"" + SUBJECT + "\"]");
            // Registering the same schema again finds the stored one instead of minting a new id.
            assertThat(register(restarted, V1).body()).isEqualTo(id);
            assertThat(register(restarted, V2_WITHOUT_DEFAULT).statusCode()).isEqualTo(409);
        }
    }

    private HttpResponse<String> register(SchemaRegistryServer registry, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/subjects/" + SUBJECT + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(SchemaRegistryServer registry, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(registry.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String schemaRequest(String schema) {
        return "{\"schema\":\"" + schema.replace("\"", "\\\"") + "\"}";
    }
}
