package io.natter.edge.delivery;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.awaitility.core.ConditionTimeoutException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/** Who is in which room, and the messages each user sends: the fixed workload of a delivery test. */
record Roster(List<String> rooms, Map<String, Set<String>> roomsByUser) {

    /** {@code users} users named {@code prefix-NN}; user i is a member of the rooms {@code membership.apply(i)}. */
    static Roster of(String prefix, int users, List<String> rooms, IntFunction<List<Integer>> membership) {
        Map<String, Set<String>> byUser = new LinkedHashMap<>();
        for (int i = 0; i < users; i++) {
            Set<String> mine = new LinkedHashSet<>();
            membership.apply(i).forEach(r -> mine.add(rooms.get(r)));
            byUser.put("%s-%02d".formatted(prefix, i), mine);
        }
        return new Roster(List.copyOf(rooms), byUser);
    }

    /**
     * {@code senders} users {@code user-NN} who send, each in two neighbouring rooms, then two watchers in every room
     * (the edge-failure tests: senders on the edge that fails, watchers on the other).
     */
    static Roster sendersAndTwoWatchers(int senders, List<String> rooms) {
        List<Integer> every = IntStream.range(0, rooms.size()).boxed().toList();
        return of("user", senders + 2, rooms,
                i -> i < senders ? List.of(i % rooms.size(), (i + 1) % rooms.size()) : every);
    }

    /** The members of {@code room}, in user order. */
    List<String> members(String room) {
        return roomsByUser.entrySet().stream().filter(e -> e.getValue().contains(room)).map(Map.Entry::getKey).toList();
    }

    /** Creates every room through the edge on {@code edgePort}, owned by its first member, with the others added. */
    void createRooms(DeliveryStack stack, int edgePort) {
        for (String room : rooms) {
            List<String> members = members(room);
            stack.createRoom(edgePort, members.getFirst(), room, "private", members.subList(1, members.size()));
        }
    }

    /** {@code count} messages of {@code user}, cycling through its rooms; clientMsgId {@code <user>-<n>}. */
    List<ChatClient.Planned> plan(String user, int count) {
        List<String> mine = List.copyOf(roomsByUser.get(user));
        List<ChatClient.Planned> plan = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            plan.add(new ChatClient.Planned(mine.get(n % mine.size()), user + "-" + n, user + " says #" + n));
        }
        return plan;
    }

    /**
     * Waits until every client holds, for each of its rooms, as many distinct messages as the clients got ACKs for
     * in that room, then until no frame has arrived for a while (so late extras are caught by the checks).
     */
    void awaitDelivered(Collection<ChatClient> clients, Duration timeout) {
        try {
            await("every member received every acknowledged message").atMost(timeout)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> clients.stream().allMatch(client -> roomsByUser.get(client.userId()).stream()
                            .allMatch(room -> client.distinctMessages(room) >= acked(clients, room))));
        } catch (ConditionTimeoutException e) {
            // Not a verdict yet: the ledger's checks that follow name exactly which messages are missing where.
            System.err.println("not every message arrived within " + timeout + "; checking what did");
        }
        awaitQuiet(clients);
    }

    /** Waits until no client has received a frame for 800 ms. */
    static void awaitQuiet(Collection<ChatClient> clients) {
        int[] last = {-1};
        await("no more frames").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .during(Duration.ofMillis(800)).until(() -> {
                    int now = clients.stream().mapToInt(ChatClient::frameCount).sum();
                    boolean same = now == last[0];
                    last[0] = now;
                    return same;
                });
    }

    private static long acked(Collection<ChatClient> clients, String room) {
        return clients.stream().flatMap(c -> c.outbound().values().stream())
                .filter(o -> o.planned.roomId().equals(room) && o.state == ChatClient.State.ACKED).count();
    }
}
