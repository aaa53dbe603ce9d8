package io.natter.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The fixed loopback ports of the dev stack, so URLs stay the same from run to run.
 *
 * @param edges one port per edge: 8080, then upwards skipping the other components' ports (8081 is the registry)
 * @param topologyQueries one internal query API port per topologies instance: 8090, then upwards past the edges'
 * @param edgeGrpc one internal gRPC (PresenceService) port per edge: 9090, then upwards skipping 9092 (Kafka) and
 *     every other port taken above
 */
public record DevStackPorts(int kafka, int registry, int redis, int postgres, int objectStore, int attachmentApi,
        List<Integer> edges, List<Integer> topologyQueries, List<Integer> edgeGrpc) {
    public static final int KAFKA = 9092;
    public static final int REGISTRY = 8081;
    public static final int REDIS = 6379;
    public static final int POSTGRES = 5432;
    /** Used when 5432 is taken, usually by a system Postgres. */
    public static final int POSTGRES_FALLBACK = 15432;
    public static final int OBJECT_STORE = 9000;
    /** Not the service's own default 8082, which the second edge takes. */
    public static final int ATTACHMENT_API = 8070;
    public static final int FIRST_EDGE = 8080;
    /** The edges' default {@code NATTER_TOPOLOGY_QUERY_URLS} points here. */
    public static final int FIRST_TOPOLOGY_QUERY = 8090;
    /** The edges' default {@code NATTER_GRPC_PORT}. */
    public static final int FIRST_EDGE_GRPC = 9090;

    public DevStackPorts {
        edges = List.copyOf(edges);
        topologyQueries = List.copyOf(topologyQueries);
        edgeGrpc = List.copyOf(edgeGrpc);
    }

    /** Picks the ports, refusing with a clear message when one that must be fixed is taken. */
    public static DevStackPorts choose(int edgeCount, int topologyCount, IntPredicate isFree) {
        return choose(edgeCount, topologyCount, 0, isFree);
    }

    /** As {@link #choose(int, int, IntPredicate)} with every port moved up by {@code offset} (a second region). */
    public static DevStackPorts choose(int edgeCount, int topologyCount, int offset, IntPredicate isFree) {
        int kafka = requireFree(KAFKA + offset, "Kafka", isFree);
        int registry = requireFree(REGISTRY + offset, "the schema registry", isFree);
        int redis = requireFree(REDIS + offset, "Redis", isFree);
        int objectStore = requireFree(OBJECT_STORE + offset, "the S3 object store", isFree);
        int attachmentApi = ATTACHMENT_API + offset;
        if (edgeCount > 0) {
            // The attachment-api runs with the edges.
            requireFree(attachmentApi, "the attachment-api", isFree);
        }
        int postgres = isFree.test(POSTGRES + offset) ? POSTGRES + offset
                : requireFree(POSTGRES_FALLBACK + offset, "Postgres (" + (POSTGRES + offset) + " is taken too)", isFree);
        Set<Integer> taken = Set.of(kafka, registry, redis, objectStore, attachmentApi, postgres);
        List<Integer> edges = new ArrayList<>();
        for (int port = FIRST_EDGE + offset; edges.size() < edgeCount; port++) {
            if (!taken.contains(port)) {
                edges.add(requireFree(port, "edge-" + (edges.size() + 1), isFree));
            }
        }
        List<Integer> queries = new ArrayList<>();
        for (int port = FIRST_TOPOLOGY_QUERY + offset; queries.size() < topologyCount; port++) {
            if (!taken.contains(port) && !edges.contains(port)) {
                queries.add(requireFree(port, "the query API of topologies-" + (queries.size() + 1), isFree));
            }
        }
        List<Integer> grpc = new ArrayList<>();
        for (int port = FIRST_EDGE_GRPC + offset; grpc.size() < edgeCount; port++) {
            if (!taken.contains(port) && !edges.contains(port) && !queries.contains(port)) {
                grpc.add(requireFree(port, "the gRPC port of edge-" + (grpc.size() + 1), isFree));
            }
        }
        return new DevStackPorts(kafka, registry, redis, postgres, objectStore, attachmentApi, edges, queries, grpc);
    }

    private static int requireFree(int port, String what, IntPredicate isFree) {
        if (!isFree.test(port)) {
            throw new StartupException("port " + port + " for " + what + " is in use on 127.0.0.1 (another dev stack? "
                    + "find it with: ss -ltnp 'sport = :" + port + "')");
        }
        return port;
    }
}
