package io.natter.edge.telemetry;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;

/** The JVM's meters (memory, GC, threads, CPU) on a service's registry. */
public final class ProcessMetrics implements AutoCloseable {
    private final JvmGcMetrics gc = new JvmGcMetrics();

    /** Binds every JVM binder to {@code metrics}; close to stop the GC listener. */
    public static ProcessMetrics bindTo(MeterRegistry metrics) {
        ProcessMetrics process = new ProcessMetrics();
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        process.gc.bindTo(metrics);
        return process;
    }

    @Override
    public void close() {
        gc.close();
    }
}
