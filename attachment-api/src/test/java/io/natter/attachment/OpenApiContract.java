package io.natter.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The served OpenAPI description as a test oracle: every answer checked against it must have a documented status for
 * its operation, and a body valid against the documented JSON schema (JSON Schema 2020-12, formats asserted).
 */
final class OpenApiContract {
    private record Documented(String method, String template, Pattern path, Operation operation) {}

    private final OpenAPI api;
    private final JsonNode document;
    private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(com.networknt.schema.SchemaRegistryConfig.builder()
                    .formatAssertionsEnabled(true).build()));
    private final List<Documented> operations;
    private final Set<String> exercised = new HashSet<>();
    private final JsonMapper json = JsonMapper.builder().build();

    private OpenApiContract(OpenAPI api, JsonNode document) {
        this.api = api;
        this.document = document;
        this.operations = api.getPaths().entrySet().stream()
                .flatMap(path -> path.getValue().readOperationsMap().entrySet().stream()
                        .map(op -> new Documented(op.getKey().name(), path.getKey(),
                                Pattern.compile(path.getKey().replaceAll("\\{[^/]+}", "[^/]+")), op.getValue())))
                .toList();
    }

    /** Parses {@code yaml}, failing on any message of the parser. */
    static OpenApiContract parse(String yaml) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(yaml, null, options);
        assertThat(result.getMessages()).as("OpenAPI parser messages").isEmpty();
        assertThat(result.getOpenAPI()).isNotNull();
        return new OpenApiContract(result.getOpenAPI(), new YAMLMapper().readTree(yaml));
    }

    /** Every documented operation, as {@code METHOD /template}. */
    Set<String> operations() {
        Set<String> all = new HashSet<>();
        operations.forEach(op -> all.add(op.method() + " " + op.template()));
        return all;
    }

    /** Operations an answer was checked for so far. */
    Set<String> exercised() {
        return Set.copyOf(exercised);
    }

    /** Asserts {@code reply} is a documented answer of its operation, body included; returns it. */
    Rest.Reply check(Rest.Reply reply) {
        String path = reply.path().contains("?") ? reply.path().substring(0, reply.path().indexOf('?')) : reply.path();
        Documented documented = operations.stream()
                .filter(op -> op.method().equals(reply.method()) && op.path().matcher(path).matches())
                .findFirst().orElseThrow(() -> new AssertionError("undocumented operation " + reply.method() + " " + path));
        exercised.add(documented.method() + " " + documented.template());
        String status = Integer.toString(reply.status());
        ApiResponse response = documented.operation().getResponses().get(status);
        assertThat(response).as("%s %s answered %s, which is not documented: %s", reply.method(), path, status,
                reply.body()).isNotNull();
        if (response.get$ref() != null) {
            response = api.getComponents().getResponses().get(response.get$ref().replace("#/components/responses/", ""));
        }
        if (response.getContent() == null) {
            assertThat(reply.body()).as("%s %s %s has no documented body", reply.method(), path, status).isEmpty();
            return reply;
        }
        MediaType media = response.getContent().get("application/json");
        assertThat(reply.response().headers().firstValue("Content-Type")).as("content type of %s %s", reply.method(), path)
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        String ref = media.getSchema().get$ref();
        assertThat(ref).as("documented schemas are components").startsWith("#/components/schemas/");
        ObjectNode root = (ObjectNode) document.deepCopy();
        root.put("$ref", ref);
        Schema schema = schemas.getSchema(SchemaLocation.of("https://natter.invalid/openapi.yaml"), root);
        var errors = schema.validate(json.readTree(reply.body()));
        assertThat(errors).as("%s %s %s body %s against %s", reply.method(), path, status, reply.body(), ref).isEmpty();
        return reply;
    }

    /** Documented statuses per operation, for the report of what was not exercised. */
    Map<String, Set<String>> statuses() {
        Map<String, Set<String>> all = new LinkedHashMap<>();
        operations.forEach(op -> all.put(op.method() + " " + op.template(), op.operation().getResponses().keySet()));
        return all;
    }
}
