package io.natter.edge.session;

import io.natter.edge.frames.FrameCodec;
import io.natter.edge.frames.ServerFrame;
import io.natter.edge.presence.OnlineStatus;
import io.natter.edge.presence.Presence;
import io.natter.edge.presence.PresenceBroadcaster;
import io.natter.edge.presence.PresenceTracker;
import io.natter.edge.presence.PresenceUnavailableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence of this edge's sessions: tells the tracker of each socket opening, closing and PING, and feeds the
 * sessions that subscribed to a room's presence: a snapshot, then each change of those members once per session
 * (a user in two subscribed rooms gives one frame). Membership follows JOINED/LEFT events while subscribed.
 */
public final class SessionPresence implements MembershipListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionPresence.class);
    private final PresenceTracker tracker;
    private final PresenceBroadcaster broadcaster;
    private final SessionRegistry sessions;
    private final FrameCodec codec;
    private final PresenceBroadcaster.Subscription transitions;
    private final PresenceBroadcaster.Subscription resyncs;
    // Subscribe, unsubscribe, close and membership changes are rare: one lock orders them and the user index.
    private final Object indexLock = new Object();
    private final ConcurrentHashMap<String, Watch> watches = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Watch>> watchersByUser = new ConcurrentHashMap<>();

    public SessionPresence(PresenceTracker tracker, PresenceBroadcaster broadcaster, SessionRegistry sessions,
            FrameCodec codec) {
        this.tracker = tracker;
        this.broadcaster = broadcaster;
        this.sessions = sessions;
        this.codec = codec;
        this.transitions = broadcaster.subscribe(this::onTransition);
        this.resyncs = broadcaster.onResubscribed(this::resync);
    }

    /** A socket opened: its user is ONLINE. */
    public void connected(ClientSession session) {
        tracker.connected(session.userId(), session.sessionId());
    }

    /** A socket closed: forgets its subscriptions; its user goes OFFLINE after the grace if it was the last. */
    public void disconnected(ClientSession session) {
        tracker.disconnected(session.userId(), session.sessionId());
        synchronized (indexLock) {
            Watch watch = watches.remove(session.sessionId());
            if (watch != null) {
                watch.lock.lock();
                try {
                    Set<String> users = watch.watchedUsers();
                    watch.rooms.clear();
                    watch.pending.clear();
                    users.forEach(user -> unindex(user, watch));
                } finally {
                    watch.lock.unlock();
                }
            }
        }
    }

    /** The client showed it is alive (PING). */
    public void touched(ClientSession session) {
        tracker.touched(session.userId());
    }

    /**
     * Subscribes {@code session} to the presence of {@code members} of {@code roomId} (membership already
     * checked): sends PRESENCE_SNAPSHOT, then PRESENCE for their changes. Fails with
     * {@link PresenceUnavailableException} while Redis is away.
     */
    public CompletableFuture<Void> subscribe(ClientSession session, String roomId, Collection<String> members) {
        if (!tracker.connectedToRedis() || !broadcaster.subscribed()) {
            return CompletableFuture.failedFuture(new PresenceUnavailableException("Redis not connected", null));
        }
        Pending request = new Pending(new LinkedHashSet<>(members));
        Watch watch;
        List<String> asked;
        synchronized (indexLock) {
            if (sessions.session(session.sessionId()).isEmpty()) {
                // The socket closed while its membership was being checked.
                return CompletableFuture.completedFuture(null);
            }
            watch = watches.computeIfAbsent(session.sessionId(), id -> new Watch(session));
            watch.lock.lock();
            try {
                // Changes heard from now on are kept until the snapshot is out, so none falls between the two.
                watch.pending.put(roomId, request);
            } finally {
                watch.lock.unlock();
            }
            request.members.forEach(user -> index(user, watch));
            asked = List.copyOf(request.members);
        }
        return tracker.status(asked).handle((statuses, error) -> {
            if (error != null) {
                abandon(watch, roomId, request);
                throw error instanceof PresenceUnavailableException unavailable ? unavailable
                        : new PresenceUnavailableException("presence read failed", error);
            }
            watch.activate(roomId, request, statuses.values());
            return null;
        });
    }

    /** Stops {@code roomId}'s presence for {@code session}; idempotent. */
    public ServerFrame.PresenceUnsubscribed unsubscribe(ClientSession session, String roomId) {
        synchronized (indexLock) {
            Watch watch = watches.get(session.sessionId());
            if (watch != null) {
                watch.lock.lock();
                try {
                    Set<String> before = watch.watchedUsers();
                    watch.rooms.remove(roomId);
                    watch.pending.remove(roomId);
                    forgetUnwatched(watch, before);
                } finally {
                    watch.lock.unlock();
                }
            }
        }
        return new ServerFrame.PresenceUnsubscribed(roomId);
    }

    @Override
    public void memberJoined(String roomId, String userId) {
        List<Watch> changed = new ArrayList<>();
        synchronized (indexLock) {
            for (Watch watch : watches.values()) {
                watch.lock.lock();
                try {
                    Set<String> members = watch.rooms.get(roomId);
                    Pending pending = watch.pending.get(roomId);
                    if (members != null && members.add(userId) || pending != null && pending.members.add(userId)) {
                        index(userId, watch);
                        changed.add(watch);
                    }
                } finally {
                    watch.lock.unlock();
                }
            }
        }
        if (changed.isEmpty()) {
            return;
        }
        // The newcomer's current status, so subscribers need not wait for its next change.
        tracker.status(List.of(userId)).whenComplete((statuses, error) -> {
            if (error != null) {
                // Redis is away (the tracker already warned); the newcomer's next transition still arrives.
                log.debug("status of new member {} of {} not read", userId, roomId, error);
            } else {
                statuses.values().forEach(presence -> changed.forEach(watch -> watch.change(presence)));
            }
        });
    }

    @Override
    public void memberLeft(String roomId, String userId) {
        synchronized (indexLock) {
            for (Watch watch : watches.values()) {
                watch.lock.lock();
                try {
                    Set<String> before = watch.watchedUsers();
                    if (watch.session.userId().equals(userId)) {
                        // A former member sees no more of the room.
                        boolean had = watch.rooms.remove(roomId) != null | watch.pending.remove(roomId) != null;
                        if (had) {
                            watch.send(new ServerFrame.PresenceUnsubscribed(roomId));
                        }
                    } else {
                        Set<String> members = watch.rooms.get(roomId);
                        if (members != null) {
                            members.remove(userId);
                        }
                        Pending pending = watch.pending.get(roomId);
                        if (pending != null) {
                            pending.members.remove(userId);
                        }
                    }
                    forgetUnwatched(watch, before);
                } finally {
                    watch.lock.unlock();
                }
            }
        }
    }

    /** Number of sessions holding at least one presence subscription. */
    public int subscribedSessions() {
        return watches.size();
    }

    @Override
    public void close() {
        resyncs.close();
        transitions.close();
    }

    /**
     * After the events channel came back, re-reads every watched user's status and passes it through the same
     * change path, so sessions get what they missed during the outage and nothing they already have.
     */
    private void resync() {
        List<String> users = List.copyOf(watchersByUser.keySet());
        if (users.isEmpty()) {
            return;
        }
        tracker.status(users).whenComplete((statuses, error) -> {
            if (error != null) {
                log.warn("presence resync after a Redis outage failed: {}", error.toString());
                return;
            }
            statuses.values().forEach(this::onTransition);
        });
    }

    private void onTransition(Presence presence) {
        Set<Watch> watchers = watchersByUser.get(presence.userId());
        if (watchers != null) {
            watchers.forEach(watch -> watch.change(presence));
        }
    }

    private void abandon(Watch watch, String roomId, Pending request) {
        synchronized (indexLock) {
            watch.lock.lock();
            try {
                if (watch.pending.get(roomId) == request) {
                    Set<String> before = watch.watchedUsers();
                    watch.pending.remove(roomId);
                    forgetUnwatched(watch, before);
                }
            } finally {
                watch.lock.unlock();
            }
        }
    }

    /** Under indexLock and the watch's lock: drops the users {@code watch} no longer watches. */
    private void forgetUnwatched(Watch watch, Set<String> before) {
        Set<String> now = watch.watchedUsers();
        for (String user : before) {
            if (!now.contains(user)) {
                watch.sent.remove(user);
                unindex(user, watch);
            }
        }
        if (watch.rooms.isEmpty() && watch.pending.isEmpty()) {
            watches.remove(watch.session.sessionId(), watch);
        }
    }

    private void index(String user, Watch watch) {
        watchersByUser.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).add(watch);
    }

    private void unindex(String user, Watch watch) {
        watchersByUser.computeIfPresent(user, (u, set) -> {
            set.remove(watch);
            return set.isEmpty() ? null : set;
        });
    }

    private static Instant lastSeen(Presence presence) {
        return presence.lastSeenEpochMs() == 0 ? null : Instant.ofEpochMilli(presence.lastSeenEpochMs());
    }

    /** A subscription waiting for its snapshot, with the changes heard meanwhile. */
    private static final class Pending {
        final Set<String> members;
        final List<Presence> early = new ArrayList<>();

        Pending(Set<String> members) {
            this.members = members;
        }
    }

    /** One session's presence subscriptions and the last status it was sent per user. */
    private final class Watch {
        final ClientSession session;
        // The broadcaster's thread, snapshot completions and subscribe calls all write to the session.
        final ReentrantLock lock = new ReentrantLock();
        final Map<String, Set<String>> rooms = new HashMap<>();
        final Map<String, Pending> pending = new HashMap<>();
        final Map<String, OnlineStatus> sent = new HashMap<>();

        Watch(ClientSession session) {
            this.session = session;
        }

        Set<String> watchedUsers() {
            Set<String> users = new LinkedHashSet<>();
            rooms.values().forEach(users::addAll);
            pending.values().forEach(request -> users.addAll(request.members));
            return users;
        }

        void activate(String roomId, Pending request, Collection<Presence> statuses) {
            lock.lock();
            try {
                if (pending.get(roomId) != request) {
                    // A later SUBSCRIBE of the room took over, or an UNSUBSCRIBE came first: every request is still
                    // answered once, with what the session was last told where it was told anything (no
                    // regression); only the latest subscription goes live.
                    send(new ServerFrame.PresenceSnapshot(roomId, statuses.stream()
                            .map(p -> new ServerFrame.UserPresence(p.userId(),
                                    sent.getOrDefault(p.userId(), p.status()).name(), lastSeen(p)))
                            .toList()));
                    return;
                }
                pending.remove(roomId);
                rooms.put(roomId, request.members);
                send(new ServerFrame.PresenceSnapshot(roomId, statuses.stream()
                        .map(p -> new ServerFrame.UserPresence(p.userId(), p.status().name(), lastSeen(p)))
                        .toList()));
                statuses.forEach(p -> sent.put(p.userId(), p.status()));
                request.early.forEach(this::sendIfChanged);
            } finally {
                lock.unlock();
            }
        }

        void change(Presence presence) {
            lock.lock();
            try {
                String user = presence.userId();
                pending.values().stream().filter(request -> request.members.contains(user))
                        .forEach(request -> request.early.add(presence));
                if (rooms.values().stream().anyMatch(members -> members.contains(user))) {
                    sendIfChanged(presence);
                }
            } finally {
                lock.unlock();
            }
        }

        private void sendIfChanged(Presence presence) {
            if (sent.get(presence.userId()) != presence.status()) {
                sent.put(presence.userId(), presence.status());
                send(new ServerFrame.Presence(presence.userId(), presence.status().name(), lastSeen(presence)));
            }
        }

        void send(ServerFrame frame) {
            // A dropped change is not resent (a slow reader re-subscribes for a fresh snapshot); the rest must arrive.
            if (frame instanceof ServerFrame.Presence || frame instanceof ServerFrame.PresenceSnapshot) {
                session.sendDroppable(codec.encode(frame));
            } else {
                session.send(codec.encode(frame));
            }
        }
    }
}
