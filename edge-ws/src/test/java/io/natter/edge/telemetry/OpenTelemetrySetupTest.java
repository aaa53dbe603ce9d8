package io.natter.edge.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenTelemetrySetupTest {
    @Test
    void tracingIsOffUnlessSdkDisabledIsSetToFalse() {
        assertThat(OpenTelemetrySetup.enabled(Map.of())).isFalse();
        assertThat(OpenTelemetrySetup.enabled(Map.of("OTEL_SDK_DISABLED", "true"))).isFalse();
        assertThat(OpenTelemetrySetup.enabled(Map.of("OTEL_SDK_DISABLED", "no"))).isFalse();
        assertThat(OpenTelemetrySetup.enabled(Map.of("OTEL_SDK_DISABLED", "false"))).isTrue();
        assertThat(OpenTelemetrySetup.enabled(Map.of("OTEL_SDK_DISABLED", " FALSE "))).isTrue();
        // Setting an exporter alone does not switch it on: the switch is one variable.
        assertThat(OpenTelemetrySetup.enabled(Map.of("OTEL_TRACES_EXPORTER", "otlp"))).isFalse();
    }

    @Test
    void offIsTheNoopInstanceAndOnIsAnAutoconfiguredSdk() {
        assertThat(OpenTelemetrySetup.fromEnv(Map.of(), "natter-edge")).isSameAs(OpenTelemetry.noop());
        OpenTelemetry on = OpenTelemetrySetup.fromEnv(Map.of("OTEL_SDK_DISABLED", "false"), "natter-edge");
        assertThat(on).isInstanceOf(OpenTelemetrySdk.class);
        ((OpenTelemetrySdk) on).close();
    }
}
