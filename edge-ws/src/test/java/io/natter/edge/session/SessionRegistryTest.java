package io.natter.edge.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SessionRegistryTest {
    private final SessionRegistry registry = new SessionRegistry();

    @Test
    void findsSessionsByUserAndById() {
        ClientSession a1 = session("s1", "alice");
        ClientSession a2 = session("s2", "alice");
        ClientSession b1 = session("s3", "bob");
        registry.add(a1);
        registry.add(a2);
        registry.add(b1);

        assertThat(registry.sessionsOf("alice")).containsExactlyInAnyOrder(a1, a2);
        assertThat(registry.sessionsOf("bob")).containsExactly(b1);
        assertThat(registry.sessionsOf("carol")).isEmpty();
        assertThat(registry.session("s2")).contains(a2);
        assertThat(registry.session("nope")).isEmpty();
        assertThat(registry.session(null)).isEmpty();
        assertThat(registry.size()).isEqualTo(3);
    }

    @Test
    void removingASessionKeepsTheUsersOtherSessions() {
        registry.add(session("s1", "alice"));
        ClientSession a2 = session("s2", "alice");
        registry.add(a2);

        registry.remove("s1");
        registry.remove("s1");

        assertThat(registry.sessionsOf("alice")).containsExactly(a2);
        registry.remove("s2");
        assertThat(registry.sessionsOf("alice")).isEmpty();
        assertThat(registry.size()).isZero();
    }

    @Test
    void refusesADuplicateSessionId() {
        registry.add(session("s1", "alice"));
        assertThatThrownBy(() -> registry.add(session("s1", "bob"))).isInstanceOf(IllegalStateException.class);
        assertThat(registry.sessionsOf("bob")).isEmpty();
    }

    @Test
    void staysConsistentUnderConcurrentAddAndRemove() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        int perThread = 500;
        for (int t = 0; t < 8; t++) {
            int thread = t;
            pool.execute(() -> {
                for (int i = 0; i < perThread; i++) {
                    String id = thread + "-" + i;
                    registry.add(session(id, "user" + (i % 3)));
                    if (i % 2 == 0) {
                        registry.remove(id);
                    }
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        int expected = 8 * perThread / 2;
        assertThat(registry.size()).isEqualTo(expected);
        int byUser = registry.sessionsOf("user0").size() + registry.sessionsOf("user1").size()
                + registry.sessionsOf("user2").size();
        assertThat(byUser).isEqualTo(expected);
    }

    @Test
    void sendsToOneSessionNeverOverlap() throws InterruptedException {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<String> received = new ArrayList<>();
        ClientSession session = new ClientSession("s1", "alice", text -> {
            if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            received.add(text);
            inside.decrementAndGet();
        });
        int threads = 8;
        int perThread = 1_000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            pool.execute(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    session.send(thread + ":" + i);
                }
            });
        }
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        assertThat(overlaps).hasValue(0);
        assertThat(received).hasSize(threads * perThread);
        for (int t = 0; t < threads; t++) {
            String prefix = t + ":";
            assertThat(received.stream().filter(s -> s.startsWith(prefix)).map(s -> Integer.parseInt(s.substring(prefix.length()))))
                    .as("thread %d keeps its order", t)
                    .isSorted();
        }
    }

    private static ClientSession session(String id, String user) {
        return new ClientSession(id, user, text -> { });
    }
}
