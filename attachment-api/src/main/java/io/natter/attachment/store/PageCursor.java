package io.natter.attachment.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * Position after the last attachment of a listing page: its {@code createdAt} and id, which order the listing.
 * Handed to clients as an opaque URL-safe string.
 */
public record PageCursor(Instant createdAt, UUID id) {

    /** The cursor pointing after {@code last}. */
    public static PageCursor after(Attachment last) {
        return new PageCursor(last.createdAt(), last.id());
    }

    /** The opaque form: base64url of {@code <epoch micros>:<id>}. */
    public String encode() {
        long micros = Math.addExact(Math.multiplyExact(createdAt.getEpochSecond(), 1_000_000L), createdAt.getNano() / 1_000);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor an opaque string stands for; empty when it is not one this service issued. */
    public static Optional<PageCursor> decode(String opaque) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(opaque), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            if (colon < 1) {
                return Optional.empty();
            }
            long micros = Long.parseLong(text.substring(0, colon));
            Instant createdAt = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                    Math.floorMod(micros, 1_000_000L) * 1_000L);
            return Optional.of(new PageCursor(createdAt, UUID.fromString(text.substring(colon + 1))));
        } catch (IllegalArgumentException | ArithmeticException e) {
            return Optional.empty();
        }
    }
}
