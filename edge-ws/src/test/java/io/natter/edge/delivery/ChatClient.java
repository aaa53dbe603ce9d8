package io.natter.edge.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A WebSocket chat client for delivery tests. It records every frame it receives (with the connection it came on)
 * and how each connection was closed, sends a planned list of messages with at most {@code window} unanswered at a
 * time, retries a send refused with {@code TIMEOUT} or {@code UNAVAILABLE} with the same clientMsgId, stops sending on
 * a connection that answered {@code SHUTTING_DOWN} (those sends wait for the next connection), and can reconnect to
 * another edge and resend what was never answered. All state is guarded by {@code this}.
 */
final class ChatClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Error codes that mean "not judged, try again": the send is retried with the same clientMsgId. */
    static final Set<String> RETRYABLE = Set.of("TIMEOUT", "UNAVAILABLE", "SHUTTING_DOWN");
    /** The edge is draining: the send is resent on the next connection, not this one. */
    static final String SHUTTING_DOWN = "SHUTTING_DOWN";
    private static final int MAX_ATTEMPTS = 8;

    /** A message to send. */
    record Planned(String roomId, String clientMsgId, String content) {}

    /** A frame as received, on connection number {@code connection} (1 = the first). */
    record Received(int connection, long atNanos, JsonNode frame) {
        String type() {
            return frame.path("type").asText();
        }
    }

    /** One attempt's answer (ACK or ERROR), on the connection it came on. */
    record Reply(int connection, long atNanos, JsonNode frame) {}

    /** How connection number {@code connection} was closed by the server (code and reason of its close frame). */
    record Closed(int connection, long atNanos, int code, String reason) {}

    enum State { PENDING, RETRY, ACKED, REFUSED }

    /** One logical send (one clientMsgId) and every attempt and answer it had. */
    static final class Outbound {
        final Planned planned;
        final List<Integer> attempts = new ArrayList<>();
        final List<Reply> replies = new ArrayList<>();
        State state = State.PENDING;

        Outbound(Planned planned) {
            this.planned = planned;
        }

        @Override
        public String toString() {
            return planned + " " + state + " attempts on " + attempts + " replies " + replies;
        }
    }

    private final String userId;
    private final HttpClient http;
    private final String token;
    private final List<Received> frames = new ArrayList<>();
    private final Map<String, Outbound> outbound = new LinkedHashMap<>();
    private final Deque<Outbound> resend = new ArrayDeque<>();
    private final Object sendLock = new Object();
    private final List<Consumer<Reply>> ackListeners = new ArrayList<>();
    private Connection connection;
    private int connections;
    private final List<Closed> closes = new ArrayList<>();
    private int drainingConnection;
    private List<Planned> plan = List.of();
    private int nextPlanned;
    private int window;
    private long minIntervalNanos;
    private long lastPlannedSentAt;
    private boolean stopped;
    private boolean held;
    private Thread sender;

    ChatClient(String userId, HttpClient http, String token) {
        this.userId = userId;
        this.http = http;
        this.token = token;
    }

    String userId() {
        return userId;
    }

    /** Opens a new WebSocket to the edge on {@code port}; the previous one, if any, is aborted first. */
    void connect(int port) {
        connect(port, null);
    }

    /**
     * As {@link #connect(int)}, resuming {@code rooms} from their last contiguous seq at the handshake
     * ({@code ?resume=}), so the replay strictly precedes live frames — a RESUME frame could be overtaken by live
     * messages already on their way to the new socket.
     */
    void connectResuming(int port, Collection<String> rooms) {
        connect(port, resumeCursors(rooms));
    }

    private void connect(int port, String resumeCursors) {
        Connection old;
        Connection fresh;
        synchronized (this) {
            old = connection;
            fresh = new Connection(++connections);
        }
        if (old != null) {
            old.abort();
        }
        fresh.socket = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws" + (resumeCursors == null ? ""
                        : "?resume=" + URLEncoder.encode(resumeCursors, StandardCharsets.UTF_8))), fresh)
                .orTimeout(15, TimeUnit.SECONDS)
                .join();
        synchronized (this) {
            connection = fresh;
            notifyAll();
        }
    }

    /** Drops the current connection without a close handshake, as a crashed client or network would. */
    void disconnect() {
        Connection old;
        synchronized (this) {
            old = connection;
            connection = null;
        }
        if (old != null) {
            old.abort();
        }
    }

    /** Whether the current connection is open (false after the server closed it or the edge died). */
    synchronized boolean connected() {
        return connection != null && connection.open;
    }

    /** Calls {@code listener} (on a socket thread) with every ACK answering a send of this client. */
    synchronized void onAck(Consumer<Reply> listener) {
        ackListeners.add(listener);
    }

    /** Sends any frame on the current connection; false if there is none or it failed. */
    boolean sendFrame(String text) {
        Connection current;
        synchronized (this) {
            current = connection;
        }
        return current != null && current.send(text);
    }

    /** Sends {@code messages} from a background thread, with at most {@code maxUnanswered} unanswered at a time. */
    void startSending(List<Planned> messages, int maxUnanswered) {
        startSending(messages, maxUnanswered, Duration.ZERO);
    }

    /** As {@link #startSending(List, int)}, and starts a new message at most once per {@code minInterval}. */
    synchronized void startSending(List<Planned> messages, int maxUnanswered, Duration minInterval) {
        if (sender != null) {
            throw new IllegalStateException("already sending");
        }
        plan = List.copyOf(messages);
        window = maxUnanswered;
        minIntervalNanos = minInterval.toNanos();
        lastPlannedSentAt = System.nanoTime() - minIntervalNanos;
        sender = Thread.ofVirtual().name("sender-" + userId).start(this::sendLoop);
    }

    /** Sends one message now (no window), e.g. a resend by hand. */
    void sendNow(Planned planned) {
        Outbound o;
        synchronized (this) {
            o = outbound.computeIfAbsent(planned.clientMsgId(), id -> new Outbound(planned));
            o.state = State.PENDING;
        }
        transmit(o);
    }

    /**
     * Queues every send whose last attempt went out on an earlier connection and was never answered, to be sent
     * again (same clientMsgId) on the current one. Returns how many.
     */
    synchronized int resendUnanswered() {
        if (connection == null) {
            throw new IllegalStateException(userId + " is not connected");
        }
        int count = 0;
        for (Outbound o : outbound.values()) {
            if (o.state == State.PENDING && o.attempts.getLast() != connection.number) {
                o.state = State.RETRY;
                resend.add(o);
                count++;
            }
        }
        notifyAll();
        return count;
    }

    /** Stops starting sends (planned or resends) until {@link #release()}; answers are still recorded. */
    synchronized void hold() {
        held = true;
    }

    synchronized void release() {
        held = false;
        notifyAll();
    }

    /** Whether every planned message was sent and every send answered for good (ACK or a final ERROR). */
    synchronized boolean finished() {
        return nextPlanned == plan.size() && outbound.values().stream()
                .allMatch(o -> o.state == State.ACKED || o.state == State.REFUSED);
    }

    synchronized int ackedCount() {
        return (int) outbound.values().stream().filter(o -> o.state == State.ACKED).count();
    }

    /** A copy of every send of this client, by clientMsgId, in the order first sent. */
    synchronized Map<String, Outbound> outbound() {
        return new LinkedHashMap<>(outbound);
    }

    /** Every close frame received from the server so far, one per connection it closed. */
    synchronized List<Closed> closes() {
        return List.copyOf(closes);
    }

    /** A copy of every frame received so far. */
    synchronized List<Received> frames() {
        return List.copyOf(frames);
    }

    /** Number of the current connection (1 = the first), 0 when there is none. */
    synchronized int currentConnection() {
        return connection == null ? 0 : connection.number;
    }

    synchronized int frameCount() {
        return frames.size();
    }

    /** The MESSAGE frames of {@code roomId} in arrival order, duplicates included. */
    synchronized List<JsonNode> messages(String roomId) {
        return frames.stream().map(Received::frame)
                .filter(f -> f.path("type").asText().equals("MESSAGE") && f.path("roomId").asText().equals(roomId))
                .toList();
    }

    /** Number of distinct messageIds received in {@code roomId}. */
    synchronized long distinctMessages(String roomId) {
        return messages(roomId).stream().map(m -> m.path("messageId").asText()).distinct().count();
    }

    /** Rooms of every MESSAGE received. */
    synchronized Set<String> roomsReceived() {
        Set<String> rooms = new LinkedHashSet<>();
        frames.stream().map(Received::frame).filter(f -> f.path("type").asText().equals("MESSAGE"))
                .forEach(f -> rooms.add(f.path("roomId").asText()));
        return rooms;
    }

    /** The highest seq n of {@code roomId} such that this client has received every seq 1..n. */
    synchronized long lastContiguousSeq(String roomId) {
        Set<Long> seen = new java.util.HashSet<>();
        messages(roomId).forEach(m -> seen.add(m.path("seq").asLong()));
        long last = 0;
        while (seen.contains(last + 1)) {
            last++;
        }
        return last;
    }

    /** {room: lastContiguousSeq} for {@code rooms}: the handshake's {@code resume} parameter. */
    private synchronized String resumeCursors(Collection<String> rooms) {
        ObjectNode cursors = JSON.createObjectNode();
        rooms.forEach(room -> cursors.put(room, lastContiguousSeq(room)));
        return cursors.toString();
    }

    private void sendLoop() {
        while (true) {
            Outbound next;
            synchronized (this) {
                next = nextToSend();
                while (next == null) {
                    if (stopped || finishedSending()) {
                        return;
                    }
                    try {
                        // Woken by every frame and reconnect; the bound also paces planned sends.
                        wait(minIntervalNanos > 0 ? Math.max(1, Math.min(200, minIntervalNanos / 4_000_000)) : 200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    next = nextToSend();
                }
            }
            transmit(next);
        }
    }

    /** A retry first, else the next planned message if the window allows; null when nothing may go now. */
    private Outbound nextToSend() {
        if (stopped || held || connection == null || !connection.open || connection.number == drainingConnection) {
            return null;
        }
        Outbound retry = resend.poll();
        if (retry != null) {
            retry.state = State.PENDING;
            return retry;
        }
        long unanswered = outbound.values().stream()
                .filter(o -> o.state == State.PENDING || o.state == State.RETRY).count();
        if (nextPlanned < plan.size() && unanswered < window
                && System.nanoTime() - lastPlannedSentAt >= minIntervalNanos) {
            lastPlannedSentAt = System.nanoTime();
            Planned planned = plan.get(nextPlanned++);
            Outbound o = new Outbound(planned);
            if (outbound.putIfAbsent(planned.clientMsgId(), o) != null) {
                throw new IllegalStateException("clientMsgId planned twice: " + planned);
            }
            return o;
        }
        return null;
    }

    private boolean finishedSending() {
        return nextPlanned == plan.size() && resend.isEmpty();
    }

    private void transmit(Outbound o) {
        Connection current;
        synchronized (this) {
            current = connection;
            o.attempts.add(current == null ? 0 : current.number);
        }
        ObjectNode frame = JSON.createObjectNode()
                .put("type", "SEND_MESSAGE")
                .put("roomId", o.planned.roomId())
                .put("content", o.planned.content())
                .put("clientMsgId", o.planned.clientMsgId());
        // A failed write leaves the send PENDING on a dead connection: resendUnanswered() picks it up later.
        if (current != null) {
            current.send(frame.toString());
        }
    }

    /** Records {@code frame} as received on connection {@code number}: the socket path, and the ledger's own tests. */
    void received(int number, JsonNode frame) {
        onFrame(number, frame);
    }

    private void onFrame(int number, JsonNode frame) {
        List<Consumer<Reply>> listeners = List.of();
        Reply ackReply = null;
        synchronized (this) {
            long now = System.nanoTime();
            frames.add(new Received(number, now, frame));
            String type = frame.path("type").asText();
            String ref = switch (type) {
                case "ACK" -> frame.path("clientMsgId").asText(null);
                case "ERROR" -> frame.path("ref").asText(null);
                default -> null;
            };
            Outbound o = ref == null ? null : outbound.get(ref);
            if (o != null) {
                Reply reply = new Reply(number, now, frame);
                o.replies.add(reply);
                if (o.state == State.PENDING) {
                    if (type.equals("ACK")) {
                        o.state = State.ACKED;
                        ackReply = reply;
                        listeners = List.copyOf(ackListeners);
                    } else if (SHUTTING_DOWN.equals(frame.path("code").asText())) {
                        // Stays PENDING: resendUnanswered() sends it again once connected elsewhere.
                        drainingConnection = number;
                    } else if (RETRYABLE.contains(frame.path("code").asText()) && o.attempts.size() < MAX_ATTEMPTS) {
                        o.state = State.RETRY;
                        resend.add(o);
                    } else {
                        o.state = State.REFUSED;
                    }
                }
                // A reply to a send that was already answered is kept in replies: the checks count them.
            }
            notifyAll();
        }
        for (Consumer<Reply> listener : listeners) {
            listener.accept(ackReply);
        }
    }

    private synchronized void onClosed(Connection closed) {
        closed.open = false;
        notifyAll();
    }

    /** Stops the sender and closes the socket. */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            stopped = true;
            running = sender;
            notifyAll();
        }
        if (running != null) {
            try {
                running.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        disconnect();
    }

    @Override
    public String toString() {
        return userId;
    }

    /** One WebSocket connection; frames it receives are recorded with its number. */
    private final class Connection implements WebSocket.Listener {
        final int number;
        final StringBuilder partial = new StringBuilder();
        volatile WebSocket socket;
        volatile boolean open = true;

        Connection(int number) {
            this.number = number;
        }

        boolean send(String text) {
            synchronized (sendLock) {
                try {
                    // java.net.http allows one outstanding send per socket: each waits for the previous.
                    socket.sendText(text, true).get(10, TimeUnit.SECONDS);
                    return true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } catch (Exception e) {
                    onClosed(this);
                    return false;
                }
            }
        }

        void abort() {
            open = false;
            if (socket != null) {
                socket.abort();
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonNode frame;
                try {
                    frame = JSON.readTree(partial.toString());
                } catch (JsonProcessingException e) {
                    frame = JSON.createObjectNode().put("type", "UNPARSEABLE").put("text", partial.toString());
                }
                partial.setLength(0);
                if (open) {
                    onFrame(number, frame);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            synchronized (ChatClient.this) {
                closes.add(new Closed(number, System.nanoTime(), statusCode, reason));
            }
            onClosed(this);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            onClosed(this);
        }
    }
}
