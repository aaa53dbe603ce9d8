package io.natter.infra;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An S3-compatible store (S3Proxy in this JVM) on 127.0.0.1 keeping buckets as directories under the data dir. */
public final class ObjectStoreServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectStoreServer.class);
    /** Dev-only access key; S3 clients sign with it. */
    public static final String ACCESS_KEY = "natter-dev";
    /** Dev-only secret key; never use outside a loopback dev stack. */
    public static final String SECRET_KEY = "natter-dev-secret-key";

    private final S3Proxy proxy;
    private final URI endpoint;

    private ObjectStoreServer(S3Proxy proxy, URI endpoint) {
        this.proxy = proxy;
        this.endpoint = endpoint;
    }

    /** Starts the store on {@code port} (0 = a free port below 32768) with buckets under {@code dataDir}. */
    public static ObjectStoreServer start(Path dataDir, int port) {
        long started = System.nanoTime();
        Path dir = dataDir.toAbsolutePath().normalize();
        int s3Port = port == 0 ? FreePorts.pick() : port;
        URI endpoint = URI.create("http://127.0.0.1:" + s3Port);
        S3Proxy proxy;
        try {
            Files.createDirectories(dir);
            proxy = S3Proxy.builder()
                    .blobStore(new FilesystemNio2BlobStore(dir.toString()))
                    .endpoint(endpoint)
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                    .build();
            proxy.start();
        } catch (Exception e) {
            throw new StartupException("S3Proxy on " + endpoint + " (data " + dir + ") failed to start", e);
        }
        Await.until("S3Proxy on " + endpoint + " is started", Duration.ofSeconds(30),
                () -> "STARTED".equals(proxy.getState()));
        LOG.info("Object store ready on {} (data {}) in {} ms", endpoint, dir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return new ObjectStoreServer(proxy, endpoint);
    }

    /** {@code http://127.0.0.1:<port>}, the S3 endpoint with path-style bucket addressing. */
    public String endpoint() {
        return endpoint.toString();
    }

    public int port() {
        return endpoint.getPort();
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    /** Stops the HTTP server; objects stay on disk. */
    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop S3Proxy on " + endpoint, e);
        }
        LOG.info("Object store on {} stopped", endpoint);
    }
}
