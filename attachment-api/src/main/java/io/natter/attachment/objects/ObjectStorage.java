package io.natter.attachment.objects;

import io.minio.BucketExistsArgs;
import io.minio.CopyObjectArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.SourceObject;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import io.minio.messages.Item;
import io.natter.attachment.AttachmentConfig;
import io.natter.attachment.error.AttachmentError;
import io.natter.attachment.error.AttachmentException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bucket of attachment objects in an S3-compatible store (MinIO client): presigned PUT and GET URLs, stat, read
 * and delete. Every store failure becomes {@link AttachmentError#STORAGE_UNAVAILABLE}.
 */
public final class ObjectStorage implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ObjectStorage.class);
    /** S3 error codes meaning "no such object" (HEAD answers carry no body, so clients name them differently). */
    private static final Set<String> MISSING = Set.of("NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound");

    private final MinioClient client;
    private final MinioClient presigner;
    private final String bucket;

    private ObjectStorage(MinioClient client, MinioClient presigner, String bucket) {
        this.client = client;
        this.presigner = presigner;
        this.bucket = bucket;
    }

    /** Clients for {@code settings}; creates the bucket when allowed and missing. */
    public static ObjectStorage connect(AttachmentConfig.ObjectStore settings) {
        MinioClient client = client(settings.endpoint(), settings);
        // The region is set, so presigning is pure computation: URLs for the public endpoint never call it.
        MinioClient presigner = settings.publicEndpoint().equals(settings.endpoint())
                ? client : client(settings.publicEndpoint(), settings);
        ObjectStorage storage = new ObjectStorage(client, presigner, settings.bucket());
        if (settings.createBucket()) {
            try {
                storage.ensureBucket();
            } catch (RuntimeException e) {
                storage.close();
                throw e;
            }
        }
        return storage;
    }

    private static MinioClient client(URI endpoint, AttachmentConfig.ObjectStore settings) {
        return MinioClient.builder().endpoint(endpoint.toString()).region(settings.region())
                .credentials(settings.accessKey(), settings.secretKey()).build();
    }

    private void ensureBucket() {
        call("create bucket " + bucket, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                log.info("created bucket {}", bucket);
            }
            return null;
        });
    }

    /** A URL that lets its holder PUT the object {@code key} for {@code ttl}. */
    public URI presignPut(String key, Duration ttl) {
        return presign(Http.Method.PUT, key, ttl, Map.of());
    }

    /**
     * A URL that lets its holder GET the object {@code key} for {@code ttl}, served as a download named
     * {@code fileName} (never rendered inline by a browser on the store's origin).
     */
    public URI presignGet(String key, Duration ttl, String fileName) {
        return presign(Http.Method.GET, key, ttl, Map.of("response-content-disposition", contentDisposition(fileName)));
    }

    private URI presign(Http.Method method, String key, Duration ttl, Map<String, String> query) {
        int seconds = (int) Math.max(1, ttl.toSeconds());
        return URI.create(call("presign " + method + " " + key, () -> presigner.getPresignedObjectUrl(
                GetPresignedObjectUrlArgs.builder().method(method).bucket(bucket).object(key).expiry(seconds)
                        .extraQueryParams(query).build())));
    }

    /** Size and Content-Type of the stored object {@code key}, or empty when nothing was uploaded there. */
    public Optional<StoredObject> stat(String key) {
        return call("stat " + key, () -> {
            try {
                StatObjectResponse stat = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return Optional.of(new StoredObject(stat.size(), stat.contentType()));
            } catch (ErrorResponseException e) {
                if (MISSING.contains(e.errorResponse().code())) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    /** The bytes of {@code key}; the caller closes the stream. */
    public InputStream open(String key) {
        return call("read " + key, () -> client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build()));
    }

    /** Copies {@code source} to {@code target} inside the bucket, Content-Type included (a server-side copy). */
    public void copy(String source, String target) {
        call("copy " + source + " to " + target, () -> client.copyObject(CopyObjectArgs.builder().bucket(bucket)
                .object(target).source(SourceObject.builder().bucket(bucket).object(source).build()).build()));
    }

    /** Keys under {@code prefix} last written before {@code cutoff}, at most {@code limit} of them. */
    public List<String> writtenBefore(String prefix, Instant cutoff, int limit) {
        return call("list " + prefix, () -> {
            List<String> keys = new ArrayList<>();
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .recursive(true).build())) {
                Item item = result.get();
                if (!item.isDir() && item.lastModified().toInstant().isBefore(cutoff)) {
                    keys.add(item.objectName());
                    if (keys.size() == limit) {
                        break;
                    }
                }
            }
            return keys;
        });
    }

    /** Deletes {@code key}; deleting a missing object succeeds (S3 semantics). */
    public void remove(String key) {
        call("delete " + key, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        });
    }

    /** Whether the bucket answers. */
    public boolean reachable() {
        try {
            return client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
        } catch (MinioException e) {
            log.debug("object store check failed: {}", e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        closeClient(client);
        if (presigner != client) {
            closeClient(presigner);
        }
    }

    private static void closeClient(MinioClient minio) {
        try {
            minio.close();
        } catch (Exception e) {
            log.warn("closing the object store client failed: {}", e.toString());
        }
    }

    /** RFC 6266 {@code attachment} with the name both as an ASCII fallback and UTF-8 encoded (RFC 8187). */
    static String contentDisposition(String fileName) {
        StringBuilder ascii = new StringBuilder();
        StringBuilder encoded = new StringBuilder();
        for (byte b : fileName.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$&+-.^_`|~".indexOf(c) >= 0;
            encoded.append(plain ? String.valueOf(c) : String.format("%%%02X", b & 0xff));
        }
        for (char c : fileName.toCharArray()) {
            ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
        }
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    }

    @FunctionalInterface
    private interface StoreCall<T> {
        T run() throws MinioException;
    }

    private static <T> T call(String what, StoreCall<T> call) {
        try {
            return call.run();
        } catch (MinioException e) {
            // The client learns only that the store failed; the error handler logs the cause with the request.
            throw new AttachmentException(AttachmentError.STORAGE_UNAVAILABLE, "the object store failed to " + what, e);
        }
    }
}
