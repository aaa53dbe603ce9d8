package io.natter.edge.presence;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.natter.schemas.presence.v1.GetPresenceRequest;
import io.natter.schemas.presence.v1.GetPresenceResponse;
import io.natter.schemas.presence.v1.PresenceServiceGrpc;
import io.natter.schemas.presence.v1.PresenceStatus;
import io.natter.schemas.presence.v1.UserPresence;
import io.natter.schemas.presence.v1.WatchPresenceRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/** {@code natter.presence.v1.PresenceService}: statuses read from Redis, and a watch fed by the broadcaster. */
public final class PresenceGrpcService extends PresenceServiceGrpc.PresenceServiceImplBase {
    /** Most users one request may name. */
    static final int MAX_USERS = 10_000;

    private final PresenceTracker tracker;
    private final PresenceBroadcaster broadcaster;

    public PresenceGrpcService(PresenceTracker tracker, PresenceBroadcaster broadcaster) {
        this.tracker = tracker;
        this.broadcaster = broadcaster;
    }

    @Override
    public void getPresence(GetPresenceRequest request, StreamObserver<GetPresenceResponse> responses) {
        if (!valid(request.getUserIdsList(), responses)) {
            return;
        }
        tracker.status(request.getUserIdsList()).whenComplete((statuses, error) -> {
            if (error != null) {
                responses.onError(unavailable(error));
                return;
            }
            GetPresenceResponse.Builder response = GetPresenceResponse.newBuilder();
            statuses.values().forEach(presence -> response.addPresences(toProto(presence)));
            responses.onNext(response.build());
            responses.onCompleted();
        });
    }

    @Override
    public void watchPresence(WatchPresenceRequest request, StreamObserver<UserPresence> responses) {
        if (!valid(request.getUserIdsList(), responses)) {
            return;
        }
        Set<String> users = Set.copyOf(request.getUserIdsList());
        Watch watch = new Watch((ServerCallStreamObserver<UserPresence>) responses);
        // Subscribe before reading the snapshot, so no transition falls between the two.
        PresenceBroadcaster.Subscription subscription = broadcaster.subscribe(presence -> {
            if (users.contains(presence.userId())) {
                watch.change(presence);
            }
        });
        watch.observer.setOnCancelHandler(subscription::close);
        tracker.status(new LinkedHashSet<>(request.getUserIdsList())).whenComplete((statuses, error) -> {
            if (error != null) {
                subscription.close();
                watch.fail(unavailable(error));
            } else {
                watch.snapshot(statuses.values());
            }
        });
    }

    static UserPresence toProto(Presence presence) {
        return UserPresence.newBuilder()
                .setUserId(presence.userId())
                .setStatus(presence.status() == OnlineStatus.ONLINE ? PresenceStatus.ONLINE : PresenceStatus.OFFLINE)
                .setLastSeenEpochMs(presence.lastSeenEpochMs())
                .build();
    }

    private static boolean valid(List<String> userIds, StreamObserver<?> responses) {
        if (userIds.isEmpty() || userIds.size() > MAX_USERS || userIds.stream().anyMatch(String::isBlank)) {
            responses.onError(Status.INVALID_ARGUMENT
                    .withDescription("user_ids must name 1 to " + MAX_USERS + " non-blank user ids")
                    .asRuntimeException());
            return false;
        }
        return true;
    }

    private static RuntimeException unavailable(Throwable error) {
        return Status.UNAVAILABLE.withDescription("presence store unavailable").withCause(error).asRuntimeException();
    }

    /** One WatchPresence stream: the snapshot first, then changes; a status already sent is not repeated. */
    private static final class Watch {
        private final ServerCallStreamObserver<UserPresence> observer;
        // The observer is not thread-safe; the snapshot and the broadcaster's thread both write.
        private final ReentrantLock lock = new ReentrantLock();
        private final Map<String, OnlineStatus> sent = new HashMap<>();
        private List<Presence> early = new ArrayList<>();

        Watch(ServerCallStreamObserver<UserPresence> observer) {
            this.observer = observer;
        }

        void snapshot(Iterable<Presence> statuses) {
            lock.lock();
            try {
                statuses.forEach(this::send);
                early.forEach(this::sendIfChanged);
                early = null;
            } finally {
                lock.unlock();
            }
        }

        void change(Presence presence) {
            lock.lock();
            try {
                if (early != null) {
                    early.add(presence);
                } else {
                    sendIfChanged(presence);
                }
            } finally {
                lock.unlock();
            }
        }

        void fail(RuntimeException error) {
            lock.lock();
            try {
                observer.onError(error);
            } finally {
                lock.unlock();
            }
        }

        private void sendIfChanged(Presence presence) {
            if (sent.get(presence.userId()) != presence.status()) {
                send(presence);
            }
        }

        private void send(Presence presence) {
            if (observer.isCancelled()) {
                return;
            }
            sent.put(presence.userId(), presence.status());
            observer.onNext(toProto(presence));
        }
    }
}
