package io.natter.attachment.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natter.attachment.AttachmentConfig;
import io.natter.attachment.error.AttachmentError;
import io.natter.attachment.error.AttachmentException;
import io.natter.edge.error.InvalidRequestException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UploadPolicyTest {
    private final UploadPolicy policy = new UploadPolicy(new AttachmentConfig.Limits(100, Set.of("image/png", "text/plain"),
            Duration.ofMinutes(1), Duration.ofMinutes(1)));

    @Test
    void acceptsAnAllowedTypeWithinTheLimitDroppingParameters() {
        assertThat(policy.check(new UploadRequest("a.txt", "Text/Plain; charset=utf-8", 100L)))
                .isEqualTo(new UploadPolicy.Declared("a.txt", "text/plain", 100));
    }

    @Test
    void refusesMissingOrMalformedFieldsAsInvalidRequests() {
        assertInvalid(new UploadRequest(null, "image/png", 1L), "fileName is required");
        assertInvalid(new UploadRequest(" ", "image/png", 1L), "fileName is required");
        assertInvalid(new UploadRequest("a\nb", "image/png", 1L), "fileName must be at most 255 characters without control characters");
        assertInvalid(new UploadRequest("x".repeat(256), "image/png", 1L), "fileName must be at most 255 characters without control characters");
        assertInvalid(new UploadRequest("a", null, 1L), "mimeType is required");
        assertInvalid(new UploadRequest("a", "png", 1L), "mimeType must be a media type like image/png");
        assertInvalid(new UploadRequest("a", "image/png", null), "size is required: the file's length in bytes, at least 1");
        assertInvalid(new UploadRequest("a", "image/png", 0L), "size is required: the file's length in bytes, at least 1");
    }

    @Test
    void refusesOversizeWith413AndUnlistedTypesWith415() {
        assertThatThrownBy(() -> policy.check(new UploadRequest("a.png", "image/png", 101L)))
                .isInstanceOfSatisfying(AttachmentException.class, e -> {
                    assertThat(e.error()).isEqualTo(AttachmentError.ATTACHMENT_TOO_LARGE);
                    assertThat(e.error().status()).isEqualTo(413);
                    assertThat(e).hasMessage("101 bytes is over the limit of 100 bytes");
                });
        assertThatThrownBy(() -> policy.check(new UploadRequest("a.html", "text/html", 10L)))
                .isInstanceOfSatisfying(AttachmentException.class, e -> {
                    assertThat(e.error()).isEqualTo(AttachmentError.UNSUPPORTED_MEDIA_TYPE);
                    assertThat(e.error().status()).isEqualTo(415);
                    assertThat(e).hasMessage("text/html is not accepted; allowed: [image/png, text/plain]");
                });
    }

    @Test
    void readsTheBaseTypeOfAContentTypeHeader() {
        assertThat(UploadPolicy.baseType("IMAGE/PNG")).contains("image/png");
        assertThat(UploadPolicy.baseType("text/plain;charset=UTF-8")).contains("text/plain");
        assertThat(UploadPolicy.baseType("binary")).isEqualTo(Optional.empty());
        assertThat(UploadPolicy.baseType(null)).isEqualTo(Optional.empty());
    }

    private void assertInvalid(UploadRequest request, String message) {
        assertThatThrownBy(() -> policy.check(request)).isInstanceOf(InvalidRequestException.class).hasMessage(message);
    }
}
