package io.natter.topologies;

import io.natter.schemas.SchemaRegistryException;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skips an undecodable record so one poison command cannot stop every room of its partition (Kafka Streams
 * counts it in the task's {@code dropped-records} metric), but fails while the schema registry is unreachable
 * or erroring, since skipping then would silently drop good commands; the stream thread is replaced and retries.
 */
public final class CommandDeserializationHandler implements DeserializationExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CommandDeserializationHandler.class);

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (registryUnavailable(exception)) {
            LOG.error("schema registry unavailable decoding {}-{}@{}; failing to retry", context.topic(),
                    context.partition(), context.offset(), exception);
            return Response.fail();
        }
        LOG.warn("skipping undecodable record {}-{}@{} (task {}): {}", context.topic(), context.partition(),
                context.offset(), context.taskId(), exception.toString());
        return Response.resume();
    }

    /** True when the registry could not be reached or answered 5xx: a passing fault, not a bad record. */
    static boolean registryUnavailable(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException e && (e.status() < 0 || e.status() >= 500)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // Nothing to configure.
    }
}
