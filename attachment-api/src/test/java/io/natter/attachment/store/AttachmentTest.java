package io.natter.attachment.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class AttachmentTest {
    private static final UUID ID = UUID.fromString("0b9e3f0e-0c4a-4b8e-9b8e-2f1d3c4b5a69");

    @Test
    void namespacesKeysByRoom() {
        assertThat(Attachment.fileKey("lobby-1_A", ID)).isEqualTo("rooms/lobby-1_A/" + ID);
    }

    @Test
    void percentEncodesEveryOtherByteOfTheRoomIdSoNoRoomIdFormsAPathSegment() {
        assertThat(Attachment.fileKey("../x", ID)).isEqualTo("rooms/%2E%2E%2Fx/" + ID);
        assertThat(Attachment.fileKey("é .", ID)).isEqualTo("rooms/%C3%A9%20%2E/" + ID);
    }
}
