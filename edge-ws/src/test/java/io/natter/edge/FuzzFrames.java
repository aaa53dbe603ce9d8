package io.natter.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Seeded random client messages for {@link ProtocolFuzzIT}: valid frames, mutated valid frames, random JSON, random
 * text, binary messages, fragmented frames and the few that close a socket (oversize, invalid UTF-8). The same seed
 * gives the same sequence of frames; only the message ids it learns from answers (server-made UUIDs) differ between
 * runs, and they change neither the random draws nor the length of any frame.
 */
final class FuzzFrames {
    /** One client message: its opcode, its bytes, how many fragments it goes in, and what kind it is. */
    record Outgoing(int opcode, byte[] payload, int fragments, String kind) {}

    private static final String[] TYPES = {"SEND_MESSAGE", "EDIT_MESSAGE", "DELETE_MESSAGE", "JOIN_ROOM", "LEAVE_ROOM",
        "HISTORY", "RESUME", "PING", "SUBSCRIBE_PRESENCE", "UNSUBSCRIBE_PRESENCE", "REFRESH_TOKEN"};
    private static final int[] TYPE_WEIGHTS = {34, 8, 5, 6, 4, 10, 8, 8, 6, 5, 6};
    private static final String[] FIELDS = {"type", "id", "roomId", "content", "clientMsgId", "messageId", "beforeSeq",
        "limit", "rooms", "token"};
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?-_'\"\\/<>&{}[]()"
            + "éüßøñç€£¥漢字かなслово😀🎉\u202e\u200b\u2028\t\n";
    private static final byte[][] BAD_UTF8 = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x28, (byte) 0xA1}};

    /** Stands in for a learned message id before any is known; as long as one, so frame lengths never depend on it. */
    private static final String NO_MESSAGE_ID = "00000000-0000-0000-0000-000000000000";

    private final Random random;
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;
    private final String roomA;
    private final String roomB;
    private final List<String> tokens;
    private final int maxFrameBytes;
    private final List<String> messageIds = new ArrayList<>();
    private final List<String> clientMsgIds = new ArrayList<>();
    private int counter;

    /** {@code tokens}: what REFRESH_TOKEN frames carry (valid, another user's, expired, garbage). */
    FuzzFrames(long seed, String roomA, String roomB, List<String> tokens, int maxFrameBytes) {
        this.random = new Random(seed);
        this.roomA = roomA;
        this.roomB = roomB;
        this.tokens = List.copyOf(tokens);
        this.maxFrameBytes = maxFrameBytes;
    }

    /** A message id seen in an answer, for edits and deletes that can succeed. */
    void learnMessageId(String messageId) {
        if (!messageIds.contains(messageId)) {
            messageIds.add(messageId);
        }
    }

    Outgoing next() {
        int roll = random.nextInt(1000);
        if (roll < 340) {
            return text(validFrame().toString(), "valid");
        }
        if (roll < 640) {
            return text(mutated(), "mutated");
        }
        if (roll < 740) {
            return text(randomJson(0).toString(), "random JSON");
        }
        if (roll < 840) {
            return text(randomText(random.nextInt(300)), "random text");
        }
        if (roll < 880) {
            return new Outgoing(RawWsClient.BINARY, randomBytes(random.nextInt(300)), 1, "binary");
        }
        if (roll < 985) {
            byte[] frame = validFrame().toString().getBytes(StandardCharsets.UTF_8);
            return new Outgoing(RawWsClient.TEXT, frame, 2 + random.nextInt(3), "fragmented");
        }
        if (roll < 992) {
            return new Outgoing(RawWsClient.TEXT, invalidUtf8(), 1 + random.nextInt(2), "invalid UTF-8");
        }
        if (roll < 997) {
            ObjectNode frame = validFrame();
            frame.put("pad", "x".repeat(maxFrameBytes));
            return text(frame.toString(), "oversize text");
        }
        return new Outgoing(RawWsClient.BINARY, randomBytes(maxFrameBytes + 1 + random.nextInt(1000)), 1, "oversize binary");
    }

    private Outgoing text(String text, String kind) {
        return new Outgoing(RawWsClient.TEXT, text.getBytes(StandardCharsets.UTF_8), 1, kind);
    }

    /** A frame the protocol accepts in shape; whether it is allowed depends on the room and the user. */
    ObjectNode validFrame() {
        ObjectNode frame = nodes.objectNode();
        String type = TYPES[weighted(TYPE_WEIGHTS)];
        frame.put("type", type);
        String id = "i" + ++counter;
        switch (type) {
            case "SEND_MESSAGE" -> {
                frame.put("roomId", room()).put("content", content());
                boolean reuse = !clientMsgIds.isEmpty() && random.nextInt(20) == 0;
                String clientMsgId = reuse ? pick(clientMsgIds) : "m" + counter;
                clientMsgIds.add(clientMsgId);
                frame.put("clientMsgId", clientMsgId);
            }
            case "EDIT_MESSAGE" -> frame.put("roomId", room()).put("messageId", messageId()).put("content", content());
            case "DELETE_MESSAGE", "JOIN_ROOM", "LEAVE_ROOM", "SUBSCRIBE_PRESENCE", "UNSUBSCRIBE_PRESENCE" -> {
                frame.put("roomId", room());
                if (type.equals("DELETE_MESSAGE")) {
                    frame.put("messageId", messageId());
                }
            }
            case "HISTORY" -> {
                frame.put("roomId", room());
                if (random.nextBoolean()) {
                    frame.put("beforeSeq", 1 + random.nextInt(2000));
                }
                if (random.nextBoolean()) {
                    frame.put("limit", 1 + random.nextInt(300));
                }
            }
            case "RESUME" -> {
                ObjectNode rooms = frame.putObject("rooms");
                for (int i = random.nextInt(4); i > 0; i--) {
                    rooms.put(room(), random.nextInt(3) == 0 ? 0 : random.nextInt(2000));
                }
            }
            case "REFRESH_TOKEN" -> frame.put("token", pick(tokens));
            default -> { } // PING
        }
        if (!type.equals("SEND_MESSAGE") && !type.equals("PING") || random.nextBoolean()) {
            frame.put("id", id);
        }
        return frame;
    }

    /** A valid frame with one to three changes to its tree, and sometimes one to its text. */
    private String mutated() {
        ObjectNode frame = validFrame();
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            switch (random.nextInt(5)) {
                case 0 -> {
                    List<String> names = new ArrayList<>();
                    frame.fieldNames().forEachRemaining(names::add);
                    names.add("none");
                    frame.remove(pick(names));
                }
                case 1 -> frame.set(FIELDS[random.nextInt(FIELDS.length)], nastyValue());
                case 2 -> frame.set("type", nastyType());
                case 3 -> frame.set("x" + random.nextInt(5), randomJson(0));
                default -> {
                    if (frame.get("rooms") instanceof ObjectNode rooms) {
                        rooms.set(random.nextBoolean() ? roomA : randomId(), nastyValue());
                    } else {
                        frame.set("id", nastyValue());
                    }
                }
            }
        }
        String text = frame.toString();
        if (random.nextInt(10) < 3 && !text.isEmpty()) {
            int at = random.nextInt(text.length() + 1);
            text = switch (random.nextInt(6)) {
                case 0 -> "{\"" + FIELDS[random.nextInt(FIELDS.length)] + "\":" + nastyValue() + "," + text.substring(1);
                case 1 -> text.substring(0, at);
                case 2 -> text.substring(0, at) + ALPHABET.charAt(random.nextInt(ALPHABET.length())) + text.substring(at);
                case 3 -> at < text.length() ? text.substring(0, at) + text.substring(at + 1) : text;
                case 4 -> text + pick(List.of("{}", " x", ",", "]", text));
                default -> "[" + text + "]";
            };
        }
        return text;
    }

    private JsonNode nastyType() {
        return switch (random.nextInt(6)) {
            case 0 -> nodes.textNode(TYPES[random.nextInt(TYPES.length)]);
            case 1 -> nodes.textNode(TYPES[random.nextInt(TYPES.length)].toLowerCase());
            case 2 -> nodes.textNode(pick(List.of("MESSAGE", "ACK", "ERROR", "HISTORY_PAGE", "", " ", "PING ")));
            case 3 -> nodes.textNode(randomText(random.nextInt(40)));
            case 4 -> nodes.numberNode(random.nextInt());
            default -> nodes.nullNode();
        };
    }

    private JsonNode nastyValue() {
        return switch (random.nextInt(22)) {
            case 0 -> nodes.numberNode(0);
            case 1 -> nodes.numberNode(-1);
            case 2 -> nodes.numberNode(1.5);
            case 3 -> nodes.numberNode(1e308);
            case 4 -> nodes.numberNode(new java.math.BigInteger("99999999999999999999999"));
            case 5 -> nodes.numberNode(Long.MAX_VALUE);
            case 6 -> nodes.booleanNode(random.nextBoolean());
            case 7 -> nodes.nullNode();
            case 8 -> nodes.textNode("");
            case 9 -> nodes.textNode(" ");
            case 10 -> nodes.arrayNode().add("a").add(1);
            case 11 -> nodes.objectNode().set("a", nodes.objectNode().set("b", nodes.arrayNode()));
            case 12 -> nested(1 + random.nextInt(45));
            case 13 -> nodes.textNode("x".repeat(129 + random.nextInt(200)));
            case 14 -> nodes.textNode("y".repeat(4000 + random.nextInt(200)));
            case 15 -> nodes.textNode(random.nextInt(10) == 0 ? "z".repeat(maxFrameBytes) : "z".repeat(random.nextInt(60)));
            case 16 -> nodes.textNode("a" + (char) random.nextInt(32) + "b");
            case 17 -> nodes.textNode(random.nextBoolean() ? "\ud800" : "x\udfff");
            case 18 -> nodes.textNode(randomText(random.nextInt(50)));
            case 19 -> nodes.textNode(random.nextBoolean() ? roomA : roomB);
            case 20 -> nodes.textNode(knownMessageId(NO_MESSAGE_ID));
            default -> validFrame();
        };
    }

    private JsonNode nested(int depth) {
        JsonNode node = nodes.numberNode(1);
        for (int i = 0; i < depth; i++) {
            node = random.nextBoolean() ? nodes.arrayNode().add(node) : nodes.objectNode().set("n", node);
        }
        return node;
    }

    /** Random JSON up to depth 4; objects often carry a known type. */
    private JsonNode randomJson(int depth) {
        int kind = depth >= 4 ? random.nextInt(4) : random.nextInt(7);
        return switch (kind) {
            case 0 -> nodes.numberNode(random.nextInt(2000) - 1000);
            case 1 -> nodes.textNode(randomText(random.nextInt(30)));
            case 2 -> random.nextBoolean() ? nodes.booleanNode(random.nextBoolean()) : nodes.nullNode();
            case 3 -> nodes.numberNode(random.nextDouble() * 1e6);
            case 4 -> {
                ArrayNode array = nodes.arrayNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    array.add(randomJson(depth + 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = nodes.objectNode();
                if (random.nextInt(3) > 0) {
                    object.put("type", TYPES[random.nextInt(TYPES.length)]);
                }
                for (int i = random.nextInt(5); i > 0; i--) {
                    object.set(random.nextBoolean() ? FIELDS[random.nextInt(FIELDS.length)] : randomText(5),
                            randomJson(depth + 1));
                }
                yield object;
            }
        };
    }

    private String room() {
        int roll = random.nextInt(100);
        if (roll < 55) {
            return roomA;
        }
        if (roll < 75) {
            return roomB;
        }
        if (roll < 85) {
            return "nowhere-" + random.nextInt(50);
        }
        return pick(List.of("..", ".", "😀", " " + roomA, roomA + " ", "\u202e" + roomA, "<b>" + roomA + "</b>",
                roomA + "/messages", "%2F", "ünïcødé", roomA.toUpperCase()));
    }

    private String randomId() {
        return "r" + random.nextInt(1000);
    }

    private String messageId() {
        boolean known = random.nextInt(10) < 7;
        String unknown = random.nextBoolean() ? new UUID(random.nextLong(), random.nextLong()).toString() : "msg-" + random.nextInt(100);
        return known ? knownMessageId(NO_MESSAGE_ID) : unknown;
    }

    /** One learned message id (or {@code fallback} before any), taking one draw whatever the number learned. */
    private String knownMessageId(String fallback) {
        int draw = random.nextInt(1 << 20);
        return messageIds.isEmpty() ? fallback : messageIds.get(draw % messageIds.size());
    }

    /** Mostly short mixed text; sometimes at the byte limit, sometimes with a control character or lone surrogate. */
    private String content() {
        int roll = random.nextInt(100);
        if (roll < 3) {
            return "€".repeat(1364 + random.nextInt(3)); // 4092..4098 bytes around the 4096 limit
        }
        if (roll < 5) {
            return "ctl" + (char) random.nextInt(32) + "x";
        }
        if (roll < 6) {
            return "half \ud83d";
        }
        if (roll < 10) {
            return pick(List.of("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "${jndi:ldap://x/a}",
                    "'; DROP TABLE m; --", "{\"type\":\"ACK\"}"));
        }
        String text = randomText(1 + random.nextInt(80), false);
        return text.isBlank() ? "blank?" + text : text;
    }

    private String randomText(int length) {
        return randomText(length, true);
    }

    /** Random characters of {@link #ALPHABET}; with {@code controls}, a few control characters and lone surrogates. */
    private String randomText(int length, boolean controls) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int roll = controls ? random.nextInt(100) : 100;
            if (roll < 3) {
                text.append((char) random.nextInt(32));
            } else if (roll < 4) {
                text.append((char) (0xD800 + random.nextInt(0x800)));
            } else {
                text.appendCodePoint(ALPHABET.codePointAt(ALPHABET.offsetByCodePoints(0,
                        random.nextInt(ALPHABET.codePointCount(0, ALPHABET.length())))));
            }
        }
        return text.toString();
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A valid frame's bytes with an invalid UTF-8 sequence put in at a random place. */
    private byte[] invalidUtf8() {
        byte[] frame = validFrame().toString().getBytes(StandardCharsets.UTF_8);
        int at = random.nextInt(frame.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(frame, 0, at);
        out.writeBytes(BAD_UTF8[random.nextInt(BAD_UTF8.length)]);
        out.write(frame, at, frame.length - at);
        return out.toByteArray();
    }

    private int weighted(int[] weights) {
        int total = 0;
        for (int weight : weights) {
            total += weight;
        }
        int roll = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            roll -= weights[i];
            if (roll < 0) {
                return i;
            }
        }
        throw new IllegalStateException();
    }

    private <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

}
