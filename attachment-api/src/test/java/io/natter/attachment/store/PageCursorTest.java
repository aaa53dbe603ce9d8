package io.natter.attachment.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PageCursorTest {
    @Test
    void roundTripsThroughItsOpaqueForm() {
        PageCursor cursor = new PageCursor(Instant.parse("2026-11-27T10:15:30.123456Z"),
                UUID.fromString("0b9e3f0e-0c4a-4b8e-9b8e-2f1d3c4b5a69"));
        assertThat(cursor.encode()).matches("[A-Za-z0-9_-]+");
        assertThat(PageCursor.decode(cursor.encode())).contains(cursor);
    }

    @Test
    void refusesStringsItDidNotIssue() {
        for (String bad : new String[] {"", "!!!", "bm90LWEtY3Vyc29y", encode("12:not-a-uuid"), encode(":" + UUID.randomUUID()),
                encode("x:" + UUID.randomUUID())}) {
            assertThat(PageCursor.decode(bad)).as(bad).isEqualTo(Optional.empty());
        }
    }

    private static String encode(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
