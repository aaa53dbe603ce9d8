package io.natter.topologies.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;

/**
 * The process's OpenTelemetry, from the standard {@code OTEL_*} variables: off unless {@code OTEL_SDK_DISABLED=false}
 * (the SDK's own default is on); when on, autoconfigure reads the rest. Same rule as the edge's.
 */
public final class OpenTelemetrySetup {
    /** The standard variable that switches tracing on when set to {@code false}. */
    public static final String SDK_DISABLED = "OTEL_SDK_DISABLED";

    private OpenTelemetrySetup() {}

    /** Whether {@code env} switches tracing on. */
    public static boolean enabled(Map<String, String> env) {
        return "false".equalsIgnoreCase(env.getOrDefault(SDK_DISABLED, "true").trim());
    }

    /** A no-op OpenTelemetry unless {@link #enabled}; else an autoconfigured SDK exporting traces only. */
    public static OpenTelemetry fromEnv(Map<String, String> env, String serviceName) {
        if (!enabled(env)) {
            return OpenTelemetry.noop();
        }
        return AutoConfiguredOpenTelemetrySdk.builder()
                // Defaults only: the OTEL_* variables and otel.* system properties override them.
                .addPropertiesSupplier(() -> Map.of(
                        "otel.service.name", serviceName,
                        "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none"))
                .build()
                .getOpenTelemetrySdk();
    }
}
