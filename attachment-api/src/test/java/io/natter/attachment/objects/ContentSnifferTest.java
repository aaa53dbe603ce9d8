package io.natter.attachment.objects;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ContentSnifferTest {
    static final byte[] PNG = HexFormat.of().parseHex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
            + "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4f30000000049454e44ae426082");
    static final byte[] PDF = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
            .getBytes(StandardCharsets.US_ASCII);
    static final byte[] TEXT = "hello, attachment\nsecond line é\n".getBytes(StandardCharsets.UTF_8);
    static final byte[] HTML = "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
            .getBytes(StandardCharsets.UTF_8);
    static final byte[] BINARY = HexFormat.of().parseHex("00ff13370001020304fefd00ee");

    private final ContentSniffer sniffer = new ContentSniffer();

    @Test
    void detectsTypesFromTheirFirstBytes() {
        assertThat(sniffer.detect(PNG)).isEqualTo("image/png");
        assertThat(sniffer.detect(PDF)).isEqualTo("application/pdf");
        assertThat(sniffer.detect(TEXT)).isEqualTo("text/plain");
        assertThat(sniffer.detect(HTML)).isEqualTo("text/html");
        assertThat(sniffer.detect(BINARY)).isEqualTo("application/octet-stream");
    }

    @Test
    void acceptsTheSameTypeOrADeclaredSpecialisationTheBytesCannotTellApart() {
        assertThat(sniffer.consistent("image/png", "image/png")).isTrue();
        assertThat(sniffer.consistent("text/csv", "text/plain")).isTrue();
    }

    @Test
    void refusesBytesOfAnotherType() {
        assertThat(sniffer.consistent("image/png", "text/plain")).isFalse();
        assertThat(sniffer.consistent("application/pdf", "image/png")).isFalse();
        // HTML is a kind of text to Tika; declared as plain text it could still run in a browser, so it is refused.
        assertThat(sniffer.consistent("text/plain", "text/html")).isFalse();
        assertThat(sniffer.consistent("text/plain", "application/octet-stream")).isFalse();
        assertThat(sniffer.consistent("image/png", "application/octet-stream")).isFalse();
    }
}
