package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client at the byte level (RFC 6455 over a plain socket), for what a well-behaved client library cannot
 * send: invalid UTF-8 in a text frame, fragments, any opcode. Server text messages land in a queue; a server close
 * completes {@link #closed()} and is answered.
 */
final class RawWsClient implements AutoCloseable {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** The close frame the server sent: its status code and reason. */
    record Close(int code, String reason) {}

    private final String name;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private boolean closeSent;
    private String upgradeResponse;

    private RawWsClient(String name, Socket socket) throws IOException {
        this.name = name;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Opens {@code /ws} on 127.0.0.1 with the token as bearer, asserting the 101 and the accept key. */
    static RawWsClient connect(int port, String name, String token) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        RawWsClient client = new RawWsClient(name, socket);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        client.out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer " + token
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        client.out.flush();
        String response = client.readHeaders();
        client.upgradeResponse = response;
        assertThat(response).as("%s: upgrade response", name).startsWith("HTTP/1.1 101");
        assertThat(response.toLowerCase()).contains("sec-websocket-accept: " + acceptOf(key).toLowerCase());
        Thread.ofVirtual().name("raw-ws-" + name).start(client::readLoop);
        return client;
    }

    /** The status line and headers of the server's 101 answer. */
    String upgradeResponse() {
        return upgradeResponse;
    }

    /** Sends one frame, masked as a client must, with FIN set as given. */
    void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        sendRaw((fin ? 0x80 : 0) | opcode, true, payload);
    }

    /** Sends a frame with {@code firstByte} (FIN, RSV bits, opcode) as given, masked or not: for protocol violations. */
    synchronized void sendRaw(int firstByte, boolean masked, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(firstByte);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            frame.write(maskBit | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.write(maskBit | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(maskBit | 127);
            frame.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
        }
        byte[] mask = new byte[4];
        if (masked) {
            ThreadLocalRandom.current().nextBytes(mask);
            frame.writeBytes(mask);
        }
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
        if ((firstByte & 0x0F) == CLOSE) {
            closeSent = true;
        }
    }

    /** Sends {@code text} as one text frame, UTF-8 encoded. */
    void sendText(String text) throws IOException {
        sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends {@code bytes} as the payload of one text frame, whatever they are. */
    void sendTextBytes(byte[] bytes) throws IOException {
        sendFrame(true, TEXT, bytes);
    }

    /** The next text message from the server, failing the test if none arrives within {@code timeout}. */
    String nextText(Duration timeout) {
        try {
            String text = texts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(text).as("%s: a text message within %s", name, timeout).isNotNull();
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next text message, or null if none arrives within {@code timeout}. */
    String pollText(Duration timeout) throws InterruptedException {
        return texts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes with the server's close frame (exceptionally if the connection ended without one). */
    CompletableFuture<Close> closed() {
        return closed;
    }

    private String readHeaders() throws IOException {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(name + ": connection closed during the upgrade: " + headers);
            }
            headers.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return headers.toString(StandardCharsets.ISO_8859_1);
    }

    private void readLoop() {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        try {
            while (true) {
                int first = readByte();
                int second = readByte();
                boolean fin = (first & 0x80) != 0;
                int opcode = first & 0x0F;
                long length = second & 0x7F;
                if (length == 126) {
                    length = (readByte() << 8) | readByte();
                } else if (length == 127) {
                    length = ByteBuffer.wrap(in.readNBytes(8)).getLong();
                }
                byte[] payload = in.readNBytes((int) length);
                if (payload.length != length) {
                    throw new EOFException("connection ended inside a frame");
                }
                switch (opcode) {
                    case TEXT, CONTINUATION -> {
                        message.writeBytes(payload);
                        if (fin) {
                            texts.add(message.toString(StandardCharsets.UTF_8));
                            message.reset();
                        }
                    }
                    case PING -> sendFrame(true, PONG, payload);
                    case CLOSE -> {
                        int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                        String reason = payload.length > 2
                                ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                        closed.complete(new Close(code, reason));
                        answerClose(payload);
                        return;
                    }
                    default -> { } // binary and pong: the edge sends neither
                }
            }
        } catch (IOException e) {
            closed.completeExceptionally(e);
        }
    }

    /** Echoes the server's close, as RFC 6455 asks, then closes the socket. */
    private void answerClose(byte[] payload) throws IOException {
        try {
            if (!closeSent) {
                sendFrame(true, CLOSE, new byte[] {payload.length >= 2 ? payload[0] : 0x03,
                        payload.length >= 2 ? payload[1] : (byte) 0xE8});
            }
        } catch (IOException e) {
            // The server may drop the connection right after its close frame: the close itself was received.
            System.out.printf("%s: close not echoed: %s%n", name, e);
        } finally {
            socket.close();
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException(name + ": connection ended without a close frame");
        }
        return b;
    }

    private static String acceptOf(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        if (!closed.isDone() && !closeSent && !socket.isClosed()) {
            sendFrame(true, CLOSE, new byte[] {0x03, (byte) 0xE8});
            closed.completeOnTimeout(new Close(1000, "not answered"), 5, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
        socket.close();
    }

    @Override
    public String toString() {
        return name;
    }
}
