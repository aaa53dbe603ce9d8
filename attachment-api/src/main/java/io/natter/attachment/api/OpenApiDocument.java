package io.natter.attachment.api;

import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Serves the checked-in OpenAPI description of this API at {@value #PATH}, without authentication. */
public final class OpenApiDocument {
    public static final String PATH = "/openapi.yaml";
    private static final String RESOURCE = "/openapi.yaml";

    private final byte[] yaml;

    private OpenApiDocument(byte[] yaml) {
        this.yaml = yaml;
    }

    /** Loads the description from the classpath; fails at start rather than serving nothing. */
    public static OpenApiDocument load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return new OpenApiDocument(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + RESOURCE, e);
        }
    }

    public void register(RoutesConfig routes) {
        routes.get(PATH, ctx -> ctx.contentType("application/yaml").result(yaml));
    }
}
