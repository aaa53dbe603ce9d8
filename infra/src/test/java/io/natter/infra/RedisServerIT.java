package io.natter.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisServerIT {
    @TempDir
    Path dataDir;

    @Test
    void storesAndReturnsAValue() {
        try (RedisServer redis = RedisServer.start(dataDir, 0)) {
            RedisClient client = RedisClient.create(redis.uri());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                assertThat(connection.sync().set("presence:user:alice", "ONLINE")).isEqualTo("OK");
                assertThat(connection.sync().get("presence:user:alice")).isEqualTo("ONLINE");
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void announcesAnExpiredKeyOnTheKeyeventChannel() {
        try (RedisServer redis = RedisServer.start(dataDir, 0)) {
            RedisClient client = RedisClient.create(redis.uri());
            List<String> expired = new CopyOnWriteArrayList<>();
            try (StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub();
                    StatefulRedisConnection<String, String> connection = client.connect()) {
                pubSub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String pattern, String channel, String message) {
                        expired.add(channel + " " + message);
                    }
                });
                pubSub.sync().psubscribe("__keyevent@0__:expired");

                connection.sync().set("presence:user:bob", "ONLINE", SetArgs.Builder.px(100));

                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !expired.isEmpty());
                assertThat(expired).containsExactly("__keyevent@0__:expired presence:user:bob");
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void keepsKeysAcrossARestartOnTheSameDataDir() {
        try (RedisServer redis = RedisServer.start(dataDir, 0)) {
            RedisClient client = RedisClient.create(redis.uri());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                connection.sync().set("room:1:name", "general");
            } finally {
                client.shutdown();
            }
        }
        try (RedisServer restarted = RedisServer.start(dataDir, 0)) {
            RedisClient client = RedisClient.create(restarted.uri());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                assertThat(connection.sync().keys("*")).containsExactly("room:1:name");
                assertThat(connection.sync().get("room:1:name")).isEqualTo("general");
            } finally {
                client.shutdown();
            }
        }
    }
}
