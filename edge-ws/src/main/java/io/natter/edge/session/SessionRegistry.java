package io.natter.edge.session;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The sessions open on this node, by session id and by user; safe for concurrent use. */
public final class SessionRegistry {
    private final ConcurrentHashMap<String, ClientSession> bySession = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<ClientSession>> byUser = new ConcurrentHashMap<>();

    /** Registers {@code session}; its id must be new. */
    public void add(ClientSession session) {
        if (bySession.putIfAbsent(session.sessionId(), session) != null) {
            throw new IllegalStateException("duplicate session id " + session.sessionId());
        }
        byUser.compute(session.userId(), (user, sessions) -> {
            Set<ClientSession> set = sessions != null ? sessions : ConcurrentHashMap.newKeySet();
            set.add(session);
            return set;
        });
    }

    /** Forgets the session with {@code sessionId}, if any. */
    public void remove(String sessionId) {
        ClientSession session = bySession.remove(sessionId);
        if (session == null) {
            return;
        }
        // compute() makes "remove, then drop the empty set" atomic against a concurrent add for that user.
        byUser.computeIfPresent(session.userId(), (user, sessions) -> {
            sessions.remove(session);
            return sessions.isEmpty() ? null : sessions;
        });
    }

    /** The session with {@code sessionId}, if open here. */
    public Optional<ClientSession> session(String sessionId) {
        return sessionId == null ? Optional.empty() : Optional.ofNullable(bySession.get(sessionId));
    }

    /** A snapshot of {@code userId}'s sessions on this node (empty when none). */
    public Collection<ClientSession> sessionsOf(String userId) {
        Set<ClientSession> sessions = byUser.get(userId);
        return sessions == null ? Set.of() : Set.copyOf(sessions);
    }

    /**
     * Runs {@code action} for each of {@code userId}'s sessions on this node, without the copy {@link #sessionsOf}
     * makes (the fan-out's per-copy path): a session added or removed meanwhile may or may not be seen. Returns
     * how many sessions it ran {@code action} for.
     */
    public int forEachSessionOf(String userId, Consumer<ClientSession> action) {
        Set<ClientSession> sessions = byUser.get(userId);
        if (sessions == null) {
            return 0;
        }
        int count = 0;
        for (ClientSession session : sessions) {
            action.accept(session);
            count++;
        }
        return count;
    }

    /** Number of open sessions. */
    public int size() {
        return bySession.size();
    }
}
