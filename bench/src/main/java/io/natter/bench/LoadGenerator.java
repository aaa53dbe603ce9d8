package io.natter.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.natter.schemas.AvroTrust;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./bench/load}: the load generator. Drives a running stack ({@code ./natter dev}) or one it starts in this
 * JVM ({@code --in-process}) over the WebSocket JSON protocol, and prints a markdown report (and JSON on request):
 * delivered copies per second, send-to-receive latency, ACK latency, lost and duplicate copies, errors, closes and the
 * CPU of the server processes; or, with {@code --idle N}, the edge's memory per idle connection.
 */
public final class LoadGenerator {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private LoadGenerator() {}

    public static void main(String[] args) {
        AvroTrust.install();
        LoadOptions options;
        try {
            options = LoadOptions.parse(List.of(args), System.getenv());
        } catch (UsageException e) {
            System.err.println("bench/load: " + e.getMessage() + " (./bench/load --help lists the options)");
            System.exit(2);
            return;
        }
        if (List.of(args).contains("--help")) {
            System.out.print(LoadOptions.usage());
            return;
        }
        int status = 0;
        try {
            run(options, System.out, System.err);
        } catch (UsageException e) {
            System.err.println("bench/load: " + e.getMessage());
            status = 2;
        } catch (IOException | RuntimeException e) {
            System.err.println("bench/load: failed: " + causes(e));
            status = 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 1;
        }
        // Kafka and the HTTP clients leave non-daemon threads behind.
        System.exit(status);
    }

    /** Runs what the options say, prints the markdown report to {@code out} and progress to {@code log}. */
    static void run(LoadOptions options, PrintStream out, PrintStream log) throws IOException, InterruptedException {
        String runId = "L" + Long.toString(System.currentTimeMillis(), 36);
        try (Target target = options.inProcess() ? InProcessTarget.start(options)
                : RunningTarget.of(options, Path.of("").toAbsolutePath())) {
            log.println("target: " + target.description());
            if (options.idleRun()) {
                IdleRun.IdleReport report = IdleRun.run(options, target, log, runId);
                out.println(IdleRun.IdleReport.markdownHeader());
                report.markdownRows().forEach(out::println);
                out.println();
                report.details().forEach(out::println);
                writeJson(options, report);
                return;
            }
            warnAboutLimits(options, log);
            LoadReport report = LoadRun.run(options, target, log, runId);
            out.println(LoadReport.markdownHeader());
            out.println(report.markdownRow());
            out.println();
            report.details().forEach(out::println);
            writeJson(options, report);
        }
    }

    /** The exception and its causes, one per line, so a failure deep in the stack start-up is readable. */
    private static String causes(Throwable error) {
        StringBuilder text = new StringBuilder(error.toString());
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(System.lineSeparator()).append("  caused by ").append(cause);
        }
        return text.toString();
    }

    private static void warnAboutLimits(LoadOptions options, PrintStream log) {
        if (options.rate() > 20 && options.edgeEnv().get("NATTER_RATE_LIMIT_PER_SECOND") == null) {
            log.printf(Locale.ROOT, "note: %.1f messages/s per client is above the edge's default rate limit "
                    + "(NATTER_RATE_LIMIT_PER_SECOND=20): expect RATE_LIMITED unless the edges run with a higher one%n",
                    options.rate());
        }
    }

    private static void writeJson(LoadOptions options, Object report) throws IOException {
        if (options.json().isPresent()) {
            Path file = options.json().get();
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            JSON.writeValue(file.toFile(), report);
        }
    }
}
