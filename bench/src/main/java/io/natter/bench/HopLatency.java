package io.natter.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.natter.schemas.AvroTrust;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ./bench/hops}: what each hop of a message's path costs (edge → Kafka → topology → Kafka → edge), measured on
 * the real records of a running stack while something (e.g. {@code ./bench/load}) sends; prints a markdown table and,
 * on request, JSON.
 */
public final class HopLatency {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HopLatency() {}

    public static void main(String[] args) {
        AvroTrust.install();
        if (List.of(args).contains("--help")) {
            System.out.print(HopOptions.usage());
            return;
        }
        HopOptions options;
        try {
            options = HopOptions.parse(List.of(args));
        } catch (UsageException e) {
            System.err.println("bench/hops: " + e.getMessage() + " (./bench/hops --help lists the options)");
            System.exit(2);
            return;
        }
        int status = 0;
        try {
            print(HopRun.run(options, System.err), options, System.out);
        } catch (IOException | RuntimeException e) {
            System.err.println("bench/hops: failed: " + e);
            status = 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 1;
        }
        // Kafka clients leave non-daemon threads behind.
        System.exit(status);
    }

    /** Prints the table and its details to {@code out}, and writes the JSON file if asked. */
    static void print(HopReport report, HopOptions options, PrintStream out) throws IOException {
        out.println(HopReport.markdownHeader());
        report.markdownRows().forEach(out::println);
        out.println();
        report.details().forEach(out::println);
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
