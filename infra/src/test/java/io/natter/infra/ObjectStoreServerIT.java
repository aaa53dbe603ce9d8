package io.natter.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ObjectStoreServerIT {
    private static final byte[] CONTENT = "hello attachment".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dataDir;

    @Test
    void storesAndReturnsAnObjectThroughTheS3Api() throws Exception {
        try (ObjectStoreServer store = ObjectStoreServer.start(dataDir, 0);
                MinioClient client = client(store)) {
            assertThat(store.endpoint()).isEqualTo("http://127.0.0.1:" + store.port());

            client.makeBucket(MakeBucketArgs.builder().bucket("attachments").build());
            client.putObject(PutObjectArgs.builder().bucket("attachments").object("room-1/a.txt")
                    .data(CONTENT, CONTENT.length).contentType("text/plain").build());

            assertThat(read(client)).isEqualTo(CONTENT);
        }
    }

    @Test
    void keepsObjectsAcrossARestartOnTheSameDataDir() throws Exception {
        try (ObjectStoreServer store = ObjectStoreServer.start(dataDir, 0);
                MinioClient client = client(store)) {
            client.makeBucket(MakeBucketArgs.builder().bucket("attachments").build());
            client.putObject(PutObjectArgs.builder().bucket("attachments").object("room-1/a.txt")
                    .data(CONTENT, CONTENT.length).contentType("text/plain").build());
        }
        try (ObjectStoreServer restarted = ObjectStoreServer.start(dataDir, 0);
                MinioClient client = client(restarted)) {
            assertThat(read(client)).isEqualTo(CONTENT);
        }
    }

    private static MinioClient client(ObjectStoreServer store) {
        return MinioClient.builder().endpoint(store.endpoint()).credentials(store.accessKey(), store.secretKey()).build();
    }

    private static byte[] read(MinioClient client) throws Exception {
        try (GetObjectResponse object = client.getObject(
                GetObjectArgs.builder().bucket("attachments").object("room-1/a.txt").build())) {
            return object.readAllBytes();
        }
    }
}
