package io.natter.edge.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.natter.infra.RedisServer;
import io.natter.schemas.presence.v1.GetPresenceRequest;
import io.natter.schemas.presence.v1.GetPresenceResponse;
import io.natter.schemas.presence.v1.PresenceServiceGrpc;
import io.natter.schemas.presence.v1.PresenceStatus;
import io.natter.schemas.presence.v1.UserPresence;
import io.natter.schemas.presence.v1.WatchPresenceRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The internal gRPC PresenceService of one edge, over a real channel, while another edge changes presence. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PresenceGrpcIT {
    private static final Duration QUIET = Duration.ofMillis(2000);

    @TempDir
    Path dataDir;

    private RedisServer redisServer;
    private PresenceTestEdge served;
    private PresenceTestEdge other;
    private PresenceGrpcServer grpc;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        redisServer = RedisServer.start(dataDir, 0);
        PresenceConfig config = new PresenceConfig(redisServer.uri(), Duration.ofSeconds(10), Duration.ofSeconds(3),
                Duration.ofMillis(300), "127.0.0.1", 0);
        served = PresenceTestEdge.start(config, "edge-a");
        other = PresenceTestEdge.start(config, "edge-b");
        grpc = PresenceGrpcServer.start(config, new PresenceGrpcService(served.tracker, served.broadcaster));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        grpc.close();
        other.close();
        served.close();
        redisServer.close();
    }

    @Test
    void getPresenceAnswersEveryRequestedUserInOrder() {
        other.tracker.connected("alice", "s1");
        await().atMost(Duration.ofSeconds(2)).until(() -> served.heard().equals(List.of("alice:ONLINE")));

        GetPresenceResponse response = PresenceServiceGrpc.newBlockingStub(channel)
                .getPresence(GetPresenceRequest.newBuilder().addUserIds("nobody").addUserIds("alice").build());

        assertThat(response.getPresencesList()).containsExactly(
                UserPresence.newBuilder().setUserId("nobody").setStatus(PresenceStatus.OFFLINE).build(),
                UserPresence.newBuilder().setUserId("alice").setStatus(PresenceStatus.ONLINE)
                        .setLastSeenEpochMs(served.received.getFirst().lastSeenEpochMs()).build());
    }

    @Test
    void edgePresenceServesItsOwnGrpcPortAndHearsTransitions() throws InterruptedException {
        PresenceConfig config = new PresenceConfig(redisServer.uri(), Duration.ofSeconds(10), Duration.ofSeconds(3),
                Duration.ofMillis(300), "127.0.0.1", 0);
        try (EdgePresence presence = EdgePresence.start(config, "edge-c",
                new SimpleMeterRegistry())) {
            List<String> heard = new CopyOnWriteArrayList<>();
            presence.broadcaster().subscribe(p -> heard.add(PresenceTestEdge.describe(p)));
            await().atMost(Duration.ofSeconds(5)).until(() -> presence.broadcaster().subscribed()
                    && presence.tracker().connectedToRedis());
            presence.tracker().connected("erin", "s9");
            await().atMost(Duration.ofSeconds(2)).until(() -> heard.equals(List.of("erin:ONLINE")));

            ManagedChannel own = ManagedChannelBuilder.forAddress("127.0.0.1", presence.grpcPort()).usePlaintext()
                    .build();
            try {
                assertThat(presence.grpcPort()).isNotEqualTo(grpc.port());
                assertThat(PresenceServiceGrpc.newBlockingStub(own)
                        .getPresence(GetPresenceRequest.newBuilder().addUserIds("erin").build())
                        .getPresences(0).getStatus()).isEqualTo(PresenceStatus.ONLINE);
            } finally {
                own.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void getPresenceRefusesAnEmptyRequest() {
        assertThatThrownBy(() -> PresenceServiceGrpc.newBlockingStub(channel)
                .getPresence(GetPresenceRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void watchPresenceStreamsTheCurrentStatusThenChangesOfTheWatchedUsersOnly() {
        other.tracker.connected("alice", "s1");
        await().atMost(Duration.ofSeconds(2)).until(() -> served.heard().equals(List.of("alice:ONLINE")));
        List<String> stream = new CopyOnWriteArrayList<>();
        PresenceServiceGrpc.newStub(channel).watchPresence(
                WatchPresenceRequest.newBuilder().addUserIds("alice").addUserIds("bob").build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(UserPresence value) {
                        stream.add(value.getUserId() + ":" + value.getStatus());
                    }

                    @Override
                    public void onError(Throwable t) {
                        stream.add("error:" + Status.fromThrowable(t).getCode());
                    }

                    @Override
                    public void onCompleted() {
                        stream.add("completed");
                    }
                });
        await().atMost(Duration.ofSeconds(2)).until(() -> stream.size() == 2);
        assertThat(stream).containsExactly("alice:ONLINE", "bob:OFFLINE");

        other.tracker.connected("carol", "s2");
        other.tracker.connected("bob", "s3");
        other.tracker.disconnected("alice", "s1");

        await().atMost(Duration.ofSeconds(3)).until(() -> stream.size() == 4);
        await().during(QUIET).atMost(QUIET.plusSeconds(2)).until(() -> stream.size() == 4);
        assertThat(stream).containsExactly("alice:ONLINE", "bob:OFFLINE", "bob:ONLINE", "alice:OFFLINE");
    }
}
