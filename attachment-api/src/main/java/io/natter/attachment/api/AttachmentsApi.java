package io.natter.attachment.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.natter.attachment.error.AttachmentError;
import io.natter.attachment.error.AttachmentException;
import io.natter.attachment.service.AttachmentService;
import io.natter.attachment.service.UploadRequest;
import io.natter.attachment.store.PageCursor;
import io.natter.edge.auth.Authentication;
import io.natter.edge.error.InvalidRequestException;
import java.util.Optional;
import java.util.UUID;

/** REST routes for attachments: decode the request, call {@link AttachmentService}, encode the answer. */
public final class AttachmentsApi {
    /** Page size when the client names none. */
    public static final int DEFAULT_LIMIT = 50;
    /** Largest page; a larger {@code limit} is refused. */
    public static final int MAX_LIMIT = 200;
    /** Longest room id, as at the edge. */
    private static final int MAX_ID_LENGTH = 128;

    private final AttachmentService service;
    private final ObjectMapper mapper;

    public AttachmentsApi(AttachmentService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/rooms/{roomId}/attachments", this::requestUpload);
        routes.get("/api/rooms/{roomId}/attachments", this::list);
        routes.post("/api/attachments/{attachmentId}/complete", this::complete);
        routes.get("/api/attachments/{attachmentId}", this::get);
        routes.delete("/api/attachments/{attachmentId}", this::delete);
    }

    private void requestUpload(Context ctx) {
        UploadRequest request = body(ctx, UploadRequest.class);
        ctx.status(201).json(service.requestUpload(user(ctx), roomId(ctx), request));
    }

    private void list(Context ctx) {
        ctx.json(service.list(user(ctx), roomId(ctx), limit(ctx), cursor(ctx)));
    }

    private void complete(Context ctx) {
        ctx.json(service.complete(user(ctx), attachmentId(ctx)));
    }

    private void get(Context ctx) {
        ctx.json(service.get(user(ctx), attachmentId(ctx)));
    }

    private void delete(Context ctx) {
        service.delete(user(ctx), attachmentId(ctx));
        ctx.status(204);
    }

    private static String user(Context ctx) {
        return Authentication.user(ctx).userId();
    }

    private static String roomId(Context ctx) {
        String roomId = ctx.pathParam("roomId");
        if (roomId.isBlank() || roomId.length() > MAX_ID_LENGTH) {
            throw new InvalidRequestException("roomId must be 1 to " + MAX_ID_LENGTH + " characters");
        }
        return roomId;
    }

    /** An id that is not a UUID names no attachment: 404, as for an unknown one. */
    private static UUID attachmentId(Context ctx) {
        String raw = ctx.pathParam("attachmentId");
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw new AttachmentException(AttachmentError.ATTACHMENT_NOT_FOUND, "no attachment " + raw);
        }
    }

    private static int limit(Context ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // Answered below, like an out-of-range number.
        }
        throw new InvalidRequestException("limit must be an integer from 1 to " + MAX_LIMIT);
    }

    private static Optional<PageCursor> cursor(Context ctx) {
        String raw = ctx.queryParam("cursor");
        if (raw == null) {
            return Optional.empty();
        }
        return Optional.of(PageCursor.decode(raw)
                .orElseThrow(() -> new InvalidRequestException("cursor is not one this API returned")));
    }

    private <T> T body(Context ctx, Class<T> type) {
        try {
            T value = mapper.readValue(ctx.body(), type);
            if (value == null) {
                throw new InvalidRequestException("a JSON object body is required");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("invalid JSON body: " + e.getOriginalMessage());
        }
    }
}
