package io.natter.attachment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.natter.schemas.avro.AttachmentMetadata;
import io.natter.schemas.avro.RegisterAttachment;
import io.natter.schemas.avro.RemoveAttachment;
import io.natter.schemas.avro.RoomCommand;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attachment-api against real Postgres, S3Proxy, Kafka, Apicurio, the topology (membership, registration) and an
 * edge (rooms, WebSocket delivery). Uploads go through the presigned URLs with a plain JDK HttpClient.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AttachmentApiIT {
    private static final long MAX_BYTES = 1024 * 1024;
    private static final byte[] PNG = HexFormat.of().parseHex("89504e470d0a1a0a0000000d494844520000000100000001080600"
            + "00001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f30000000049454e44ae426082");
    private static final byte[] PDF = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEXT = "meeting notes\nline two\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] HTML = "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
            .getBytes(StandardCharsets.UTF_8);
    private static final ObjectMapper JSON = new ObjectMapper();

    private AttachmentStack stack;
    private final HttpClient http = HttpClient.newHttpClient();
    private Rest rest;
    private String api;
    private OpenApiContract contract;

    @BeforeAll
    void startStack(@TempDir Path dataDir) {
        stack = AttachmentStack.start(dataDir, "attachment-api-it");
        rest = new Rest(http, stack.tokens());
        AttachmentServer server = stack.startServer(Map.of("NATTER_ATTACHMENT_MAX_BYTES", Long.toString(MAX_BYTES)),
                Clock.systemUTC());
        api = "http://127.0.0.1:" + server.port();
        int edge = stack.edge().port();
        rest.createRoom(edge, "alice", "studio", "private", List.of("bob", "carol"));
        rest.createRoom(edge, "alice", "plaza", "public", List.of("bob"));
        Rest.Reply yaml = rest.call("GET", api, "/openapi.yaml", null, null);
        assertThat(yaml.status()).isEqualTo(200);
        assertThat(yaml.response().headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/yaml"));
        contract = OpenApiContract.parse(yaml.body());
    }

    @AfterAll
    void stopStack() {
        AttachmentStack.closeQuietly(stack);
        http.close();
    }

    @Test
    @Order(1)
    void uploadsThroughThePresignedUrlThenCompletesRegistersAndDownloadsTheSameBytes() throws Exception {
        Rest.Reply ticket = requestUpload("bob", "studio", "pixel.png", "image/png", PNG.length);
        assertThat(ticket.status()).as(ticket.body()).isEqualTo(201);
        assertThat(fieldNames(ticket.json())).containsExactlyInAnyOrder("attachmentId", "uploadUrl", "expiresAt");
        String id = ticket.text("attachmentId");
        assertThat(Instant.parse(ticket.text("expiresAt"))).isBetween(Instant.now().plusSeconds(14 * 60),
                Instant.now().plusSeconds(15 * 60 + 5));
        assertThat(rest.put(URI.create(ticket.text("uploadUrl")), PNG, "image/png")).isEqualTo(200);

        Rest.Reply completed = check(rest.call("POST", api, "/api/attachments/" + id + "/complete", "bob", null));
        assertThat(completed.status()).as(completed.body()).isEqualTo(200);
        String checksum = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(PNG));
        assertThat(completed.json().get("status").asText()).isEqualTo("ready");
        assertThat(completed.json().get("checksum").asText()).isEqualTo(checksum);

        // The room topology learns about it on the room's ordered path, with the verified metadata.
        List<RegisterAttachment> registrations = registrations(id);
        assertThat(registrations).hasSize(1);
        AttachmentMetadata metadata = registrations.getFirst().getAttachment();
        assertThat(registrations.getFirst().getRoomId()).isEqualTo("studio");
        assertThat(metadata).isEqualTo(AttachmentMetadata.newBuilder().setAttachmentId(id).setRoomId("studio")
                .setOwnerId("bob").setFileKey("rooms/studio/" + id).setFileName("pixel.png").setMimeType("image/png")
                .setSize(PNG.length).setChecksum(checksum)
                .setCreatedAt(Instant.parse(completed.text("createdAt"))).build());

        for (String member : List.of("alice", "bob", "carol")) {
            Rest.Reply read = check(rest.call("GET", api, "/api/attachments/" + id, member, null));
            assertThat(read.status()).isEqualTo(200);
            assertThat(fieldNames(read.json())).containsExactlyInAnyOrder("attachmentId", "roomId", "ownerId", "fileName",
                    "mimeType", "size", "status", "checksum", "createdAt", "completedAt", "downloadUrl",
                    "downloadExpiresAt");
            assertThat(read.json().get("size").asLong()).isEqualTo(PNG.length);
            HttpResponse<byte[]> download = rest.download(URI.create(read.text("downloadUrl")));
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.body()).isEqualTo(PNG);
        }

        // Completing again changes nothing and registers nothing more.
        Rest.Reply again = check(rest.call("POST", api, "/api/attachments/" + id + "/complete", "bob", null));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("completedAt")).isEqualTo(completed.json().get("completedAt"));
        assertThat(registrations(id)).hasSize(1);
    }

    @Test
    @Order(2)
    void aPutRepeatedAfterCompletionCannotReplaceTheVerifiedObject() {
        Rest.Reply ticket = requestUpload("bob", "studio", "notes.txt", "text/plain", TEXT.length);
        URI uploadUrl = URI.create(ticket.text("uploadUrl"));
        String id = ticket.text("attachmentId");
        assertThat(rest.put(uploadUrl, TEXT, "text/plain")).isEqualTo(200);
        assertThat(complete("bob", id).status()).isEqualTo(200);

        assertThat(rest.put(uploadUrl, HTML, "text/plain")).isEqualTo(200);

        Rest.Reply read = rest.call("GET", api, "/api/attachments/" + id, "carol", null);
        assertThat(rest.download(URI.create(read.text("downloadUrl"))).body()).isEqualTo(TEXT);
    }

    @Test
    @Order(3)
    void refusesNonMembersLikeTheEdge() {
        Rest.Reply privateUpload = check(requestUpload("dave", "studio", "a.png", "image/png", PNG.length));
        assertError(privateUpload, 404, "ROOM_NOT_FOUND");
        Rest.Reply publicUpload = check(requestUpload("dave", "plaza", "a.png", "image/png", PNG.length));
        assertError(publicUpload, 403, "NOT_A_MEMBER");
        assertError(check(requestUpload("dave", "no-such-room", "a.png", "image/png", PNG.length)), 404, "ROOM_NOT_FOUND");

        String privateId = uploaded("bob", "studio", "p.png", "image/png", PNG);
        String publicId = uploaded("bob", "plaza", "q.png", "image/png", PNG);
        assertError(check(rest.call("GET", api, "/api/attachments/" + privateId, "dave", null)), 404, "ROOM_NOT_FOUND");
        assertError(check(rest.call("GET", api, "/api/attachments/" + publicId, "dave", null)), 403, "NOT_A_MEMBER");
        assertError(check(rest.call("GET", api, "/api/rooms/studio/attachments", "dave", null)), 404, "ROOM_NOT_FOUND");
        assertError(check(rest.call("GET", api, "/api/rooms/plaza/attachments", "dave", null)), 403, "NOT_A_MEMBER");
        assertError(check(rest.call("DELETE", api, "/api/attachments/" + privateId, "dave", null)), 404,
                "ROOM_NOT_FOUND");
    }

    @Test
    @Order(4)
    void refusesOversizeAndUnlistedTypesWhenTheUploadIsRequested() {
        assertError(check(requestUpload("bob", "studio", "big.png", "image/png", MAX_BYTES + 1)), 413,
                "ATTACHMENT_TOO_LARGE");
        assertError(check(requestUpload("bob", "studio", "page.html", "text/html", 10)), 415, "UNSUPPORTED_MEDIA_TYPE");
        assertError(check(requestUpload("bob", "studio", "run.exe", "application/x-msdownload", 10)), 415,
                "UNSUPPORTED_MEDIA_TYPE");
    }

    @Test
    @Order(5)
    void catchesALyingClientAtCompletionAndLetsItUploadAgain() throws Exception {
        // Nothing uploaded yet.
        Rest.Reply ticket = requestUpload("bob", "studio", "pixel.png", "image/png", PNG.length);
        String id = ticket.text("attachmentId");
        URI url = URI.create(ticket.text("uploadUrl"));
        assertError(check(complete("bob", id)), 409, "UPLOAD_NOT_FOUND");
        // Only the uploader completes.
        assertError(check(complete("carol", id)), 403, "NOT_ATTACHMENT_OWNER");

        // Real size differs from the declared one.
        rest.put(url, PDF, "image/png");
        assertError(check(complete("bob", id)), 422, "SIZE_MISMATCH");
        assertNoObjects(id, "studio");
        // Right size, but stored with another Content-Type than declared.
        rest.put(url, PNG, "text/plain");
        assertError(check(complete("bob", id)), 422, "TYPE_MISMATCH");
        assertNoObjects(id, "studio");
        // Declared type and Content-Type agree, the bytes are text (allowed, but not an image).
        byte[] textOfPngSize = new byte[PNG.length];
        java.util.Arrays.fill(textOfPngSize, (byte) 'a');
        rest.put(url, textOfPngSize, "image/png");
        assertError(check(complete("bob", id)), 422, "TYPE_MISMATCH");
        assertNoObjects(id, "studio");
        // The row stayed pending: the honest upload still completes.
        rest.put(url, PNG, "image/png");
        assertThat(check(complete("bob", id)).status()).isEqualTo(200);

        // Bytes whose real type is not allowed at all: HTML declared and stored as text/plain.
        Rest.Reply html = requestUpload("bob", "studio", "notes.txt", "text/plain", HTML.length);
        rest.put(URI.create(html.text("uploadUrl")), HTML, "text/plain");
        assertError(check(complete("bob", html.text("attachmentId"))), 415, "UNSUPPORTED_MEDIA_TYPE");
        // A real PDF stored as an image.
        Rest.Reply pdf = requestUpload("bob", "studio", "pic.png", "image/png", PDF.length);
        rest.put(URI.create(pdf.text("uploadUrl")), PDF, "image/png");
        assertError(check(complete("bob", pdf.text("attachmentId"))), 422, "TYPE_MISMATCH");
        // Over the limit once stored, whatever was declared.
        Rest.Reply big = requestUpload("bob", "studio", "notes.txt", "text/plain", 100);
        rest.put(URI.create(big.text("uploadUrl")), "x".repeat((int) MAX_BYTES + 1).getBytes(StandardCharsets.US_ASCII),
                "text/plain");
        assertError(check(complete("bob", big.text("attachmentId"))), 413, "ATTACHMENT_TOO_LARGE");
        assertNoObjects(big.text("attachmentId"), "studio");

        // None of the refused uploads was registered with the room.
        for (String refused : List.of(html.text("attachmentId"), pdf.text("attachmentId"), big.text("attachmentId"))) {
            assertThat(registrations(refused)).isEmpty();
        }
    }

    @Test
    @Order(6)
    void deletesByTheUploaderOrTheRoomOwnerOnly() throws Exception {
        String byUploader = uploaded("bob", "studio", "a.png", "image/png", PNG);
        String byOwner = uploaded("bob", "studio", "b.png", "image/png", PNG);

        assertError(check(rest.call("DELETE", api, "/api/attachments/" + byUploader, "carol", null)), 403,
                "NOT_ATTACHMENT_OWNER");

        Rest.Reply deleted = check(rest.call("DELETE", api, "/api/attachments/" + byUploader, "bob", null));
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertError(check(rest.call("GET", api, "/api/attachments/" + byUploader, "bob", null)), 404,
                "ATTACHMENT_NOT_FOUND");
        assertNoObjects(byUploader, "studio");

        assertThat(check(rest.call("DELETE", api, "/api/attachments/" + byOwner, "alice", null)).status()).isEqualTo(204);
        assertError(check(rest.call("DELETE", api, "/api/attachments/" + byOwner, "alice", null)), 404,
                "ATTACHMENT_NOT_FOUND");
        assertNoObjects(byOwner, "studio");

        assertThat(removals(byUploader)).containsExactly(new RemoveAttachment("studio", byUploader));
        assertThat(removals(byOwner)).containsExactly(new RemoveAttachment("studio", byOwner));
    }

    @Test
    @Order(7)
    void listsReadyAttachmentsNewestFirstPageByPage() {
        rest.createRoom(stack.edge().port(), "alice", "gallery", "private", List.of("bob"));
        List<String> ready = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ready.add(uploaded(i % 2 == 0 ? "alice" : "bob", "gallery", "p" + i + ".png", "image/png", PNG));
        }
        requestUpload("bob", "gallery", "pending.png", "image/png", PNG.length);

        List<String> listed = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String cursor = null;
        do {
            Rest.Reply page = check(rest.call("GET", api, "/api/rooms/gallery/attachments?limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor), "bob", null));
            assertThat(page.status()).isEqualTo(200);
            page.json().get("items").forEach(item -> {
                listed.add(item.get("attachmentId").asText());
                assertThat(item.get("status").asText()).isEqualTo("ready");
                assertThat(item.get("downloadUrl")).isNotNull();
            });
            pageSizes.add(page.json().get("items").size());
            cursor = page.json().has("nextCursor") ? page.text("nextCursor") : null;
        } while (cursor != null);

        assertThat(listed).isEqualTo(ready.reversed());
        assertThat(pageSizes).containsExactly(2, 2, 1);
        Rest.Reply all = check(rest.call("GET", api, "/api/rooms/gallery/attachments", "alice", null));
        assertThat(all.json().get("items")).hasSize(5);
        assertThat(all.json().has("nextCursor")).isFalse();
    }

    @Test
    @Order(8)
    void answersMalformedRequestsWithJsonErrors() {
        String path = "/api/rooms/studio/attachments";
        for (String body : List.of("{", "[]", "\"text\"", "", "null", "{\"fileName\":\"a\",\"mimeType\":\"image/png\"}",
                "{\"fileName\":\"a\",\"mimeType\":\"image/png\",\"size\":\"12\"}",
                "{\"fileName\":\"a\",\"mimeType\":\"image/png\",\"size\":1.5}",
                "{\"fileName\":\"a\",\"mimeType\":\"png\",\"size\":1}",
                "{\"fileName\":7,\"mimeType\":\"image/png\",\"size\":1}")) {
            assertError(check(rest.call("POST", api, path, "bob", body)), 400, "INVALID_REQUEST");
        }
        assertError(check(rest.call("POST", api, "/api/rooms/" + "r".repeat(129) + "/attachments", "bob",
                Rest.json(Map.of("fileName", "a.png", "mimeType", "image/png", "size", 1)))), 400, "INVALID_REQUEST");
        for (String query : List.of("?limit=0", "?limit=201", "?limit=ten", "?cursor=not-a-cursor")) {
            assertError(check(rest.call("GET", api, path + query, "bob", null)), 400, "INVALID_REQUEST");
        }
        assertError(check(rest.call("GET", api, "/api/attachments/not-a-uuid", "bob", null)), 404, "ATTACHMENT_NOT_FOUND");
        assertError(check(rest.call("GET", api, "/api/attachments/00000000-0000-0000-0000-000000000000", "bob", null)),
                404, "ATTACHMENT_NOT_FOUND");
        assertError(check(rest.call("POST", api, "/api/attachments/00000000-0000-0000-0000-000000000000/complete", "bob",
                null)), 404, "ATTACHMENT_NOT_FOUND");
        assertError(check(rest.call("GET", api, path, null, null)), 401, "UNAUTHORIZED");
        assertError(rest.call("GET", api, "/api/nothing-here", "bob", null), 404, "NOT_FOUND");
        assertError(rest.call("PUT", api, "/api/attachments/00000000-0000-0000-0000-000000000000", "bob", "{}"), 404,
                "NOT_FOUND");
    }

    @Test
    @Order(9)
    void sweepsUploadsNeverCompletedObjectsAndRowsAndWithdrawsThem() throws Exception {
        MutableClock clock = new MutableClock();
        AttachmentServer sweeping = stack.startServer(Map.of(
                "NATTER_POSTGRES_URL", stack.createDatabase("sweep"),
                "NATTER_S3_BUCKET", "sweep",
                "NATTER_ATTACHMENT_UPLOAD_URL_TTL_MS", "60000",
                "NATTER_ATTACHMENT_SWEEP_GRACE_MS", "30000",
                "NATTER_ATTACHMENT_SWEEP_INTERVAL_MS", "100"), clock);
        String sweepApi = "http://127.0.0.1:" + sweeping.port();
        Rest.Reply uploadedNeverCompleted = rest.call("POST", sweepApi, "/api/rooms/studio/attachments", "bob",
                Rest.json(Map.of("fileName", "a.png", "mimeType", "image/png", "size", PNG.length)));
        rest.put(URI.create(uploadedNeverCompleted.text("uploadUrl")), PNG, "image/png");
        Rest.Reply neverUploaded = rest.call("POST", sweepApi, "/api/rooms/studio/attachments", "bob",
                Rest.json(Map.of("fileName", "b.png", "mimeType", "image/png", "size", PNG.length)));
        Rest.Reply completedTicket = rest.call("POST", sweepApi, "/api/rooms/studio/attachments", "bob",
                Rest.json(Map.of("fileName", "c.png", "mimeType", "image/png", "size", PNG.length)));
        rest.put(URI.create(completedTicket.text("uploadUrl")), PNG, "image/png");
        String completed = completedTicket.text("attachmentId");
        assertThat(rest.call("POST", sweepApi, "/api/attachments/" + completed + "/complete", "bob", null).status())
                .isEqualTo(200);
        String orphanA = uploadedNeverCompleted.text("attachmentId");
        String orphanB = neverUploaded.text("attachmentId");
        assertThat(exists("sweep", "uploads/rooms/studio/" + orphanA)).isTrue();

        // Expired, but not past the grace: kept.
        clock.advance(Duration.ofSeconds(75));
        assertThat(sweeping.sweeper().sweep()).isZero();

        clock.advance(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertError(rest.call("GET", sweepApi, "/api/attachments/" + orphanA, "bob", null), 404, "ATTACHMENT_NOT_FOUND");
            assertError(rest.call("GET", sweepApi, "/api/attachments/" + orphanB, "bob", null), 404, "ATTACHMENT_NOT_FOUND");
        });
        assertThat(exists("sweep", "uploads/rooms/studio/" + orphanA)).isFalse();
        assertThat(exists("sweep", "rooms/studio/" + orphanA)).isFalse();
        Rest.Reply kept = rest.call("GET", sweepApi, "/api/attachments/" + completed, "bob", null);
        assertThat(kept.status()).isEqualTo(200);
        assertThat(rest.download(URI.create(kept.text("downloadUrl"))).body()).isEqualTo(PNG);
        assertThat(removals(orphanA)).containsExactly(new RemoveAttachment("studio", orphanA));
        assertThat(removals(orphanB)).containsExactly(new RemoveAttachment("studio", orphanB));
        assertThat(removals(completed)).isEmpty();
    }

    @Test
    @Order(10)
    void deliversAMessageNamingAnAttachmentCompletedJustBefore() throws Exception {
        try (Socket alice = Socket.connect(http, stack.edge().port(), stack.tokens().sign("alice", Duration.ofMinutes(10)));
                Socket carol = Socket.connect(http, stack.edge().port(), stack.tokens().sign("carol", Duration.ofMinutes(10)))) {
            String id = uploaded("alice", "studio", "diagram.pdf", "application/pdf", PDF);
            // Sent right after completion answered: the registration is ahead of it on the room's path.
            alice.send(Rest.json(Map.of("type", "SEND_MESSAGE", "roomId", "studio", "content", "see attached",
                    "clientMsgId", "m1", "attachments", List.of(id))));

            Map<String, Object> expectedAttachment = new LinkedHashMap<>();
            expectedAttachment.put("attachmentId", id);
            expectedAttachment.put("fileName", "diagram.pdf");
            expectedAttachment.put("mimeType", "application/pdf");
            expectedAttachment.put("size", PDF.length);
            JsonNode attachments = JSON.valueToTree(List.of(expectedAttachment));
            for (Socket socket : List.of(alice, carol)) {
                JsonNode message = socket.next("MESSAGE");
                assertThat(message.get("roomId").asText()).isEqualTo("studio");
                assertThat(message.get("senderId").asText()).isEqualTo("alice");
                assertThat(message.get("content").asText()).isEqualTo("see attached");
                assertThat(message.get("attachments")).isEqualTo(attachments);
            }
            assertThat(alice.next("ACK").get("clientMsgId").asText()).isEqualTo("m1");
        }
    }

    @Test
    @Order(11)
    void answersEveryDocumentedOperationAsDocumented() {
        // Calls every operation itself (not relying on the other tests having run), each answer checked.
        Set<String> before = contract.exercised();
        String id = uploaded("bob", "studio", "every.png", "image/png", PNG); // POST request, PUT, POST complete
        assertThat(check(rest.call("GET", api, "/api/attachments/" + id, "carol", null)).status()).isEqualTo(200);
        assertThat(check(rest.call("GET", api, "/api/rooms/studio/attachments?limit=1", "carol", null)).status())
                .isEqualTo(200);
        assertThat(check(rest.call("DELETE", api, "/api/attachments/" + id, "bob", null)).status()).isEqualTo(204);
        assertThat(check(rest.call("GET", api, "/health/live", null, null)).status()).isEqualTo(200);
        assertThat(check(rest.call("GET", api, "/health/ready", null, null)).status()).isEqualTo(200);

        assertThat(contract.exercised()).as("operations exercised (before this test: %s)", before)
                .isEqualTo(contract.operations());
    }

    @Test
    @Order(12)
    void servesPrometheusMetricsWithJvmOutageAndProducerMeters() {
        Rest.Reply reply = rest.call("GET", api, "/metrics", null, null);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "system_cpu_count",
                "chat_kafka_up 1.0", "chat_outage_buffer_depth", "kafka_producer_record_send_total");
    }

    private Rest.Reply requestUpload(String user, String room, String fileName, String mimeType, long size) {
        return check(rest.call("POST", api, "/api/rooms/" + room + "/attachments", user,
                Rest.json(Map.of("fileName", fileName, "mimeType", mimeType, "size", size))));
    }

    private Rest.Reply complete(String user, String id) {
        return rest.call("POST", api, "/api/attachments/" + id + "/complete", user, null);
    }

    /** Requests, uploads and completes an attachment, asserting each step; returns its id. */
    private String uploaded(String user, String room, String fileName, String mimeType, byte[] bytes) {
        Rest.Reply ticket = requestUpload(user, room, fileName, mimeType, bytes.length);
        assertThat(ticket.status()).as(ticket.body()).isEqualTo(201);
        assertThat(rest.put(URI.create(ticket.text("uploadUrl")), bytes, mimeType)).isEqualTo(200);
        Rest.Reply completed = check(complete(user, ticket.text("attachmentId")));
        assertThat(completed.status()).as(completed.body()).isEqualTo(200);
        return ticket.text("attachmentId");
    }

    private Rest.Reply check(Rest.Reply reply) {
        return contract.check(reply);
    }

    private static void assertError(Rest.Reply reply, int status, String code) {
        assertThat(reply.status()).as("%s %s: %s", reply.method(), reply.path(), reply.body()).isEqualTo(status);
        assertThat(reply.json()).as("JSON body of %s %s: %s", reply.method(), reply.path(), reply.body()).isNotNull();
        assertThat(fieldNames(reply.json())).containsExactlyInAnyOrder("code", "message");
        assertThat(reply.code()).isEqualTo(code);
    }

    private void assertNoObjects(String id, String room) throws Exception {
        assertThat(exists("natter-attachments", "rooms/" + room + "/" + id)).as("final object").isFalse();
        assertThat(exists("natter-attachments", "uploads/rooms/" + room + "/" + id)).as("staged object").isFalse();
    }

    private boolean exists(String bucket, String key) throws Exception {
        try (MinioClient s3 = stack.s3()) {
            s3.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (ErrorResponseException e) {
            return false;
        }
    }

    private List<RegisterAttachment> registrations(String id) {
        return stack.commands().stream().map(RoomCommand::getPayload)
                .filter(p -> p instanceof RegisterAttachment r && r.getAttachment().getAttachmentId().equals(id))
                .map(RegisterAttachment.class::cast).toList();
    }

    private List<RemoveAttachment> removals(String id) {
        return stack.commands().stream().map(RoomCommand::getPayload)
                .filter(p -> p instanceof RemoveAttachment r && r.getAttachmentId().equals(id))
                .map(RemoveAttachment.class::cast).toList();
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A WebSocket client of the edge: every text frame lands, parsed, in a queue. */
    private static final class Socket implements WebSocket.Listener, AutoCloseable {
        private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        private final List<JsonNode> skipped = new ArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Socket connect(HttpClient http, int port, String token) {
            Socket client = new Socket();
            client.socket = http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), client).join();
            return client;
        }

        void send(String json) {
            socket.sendText(json, true).join();
        }

        /** The first frame of {@code type} not taken yet, keeping others for later calls; fails after 30 s. */
        JsonNode next(String type) throws Exception {
            for (JsonNode frame : skipped) {
                if (frame.get("type").asText().equals(type)) {
                    skipped.remove(frame);
                    return frame;
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                JsonNode frame = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(frame).as("a %s frame within 30 s", type).isNotNull();
                assertThat(frame.get("type").asText()).as("frame %s", frame).isNotEqualTo("ERROR");
                if (frame.get("type").asText().equals(type)) {
                    return frame;
                }
                skipped.add(frame);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException("unparseable frame " + partial, e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        }
    }
}
