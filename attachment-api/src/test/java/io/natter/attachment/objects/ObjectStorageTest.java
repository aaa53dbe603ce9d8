package io.natter.attachment.objects;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ObjectStorageTest {
    @Test
    void downloadsCarryTheFileNameAsAnAttachmentNeverInline() {
        assertThat(ObjectStorage.contentDisposition("report 2026.pdf"))
                .isEqualTo("attachment; filename=\"report 2026.pdf\"; filename*=UTF-8''report%202026.pdf");
        assertThat(ObjectStorage.contentDisposition("a\"b\\é.txt"))
                .isEqualTo("attachment; filename=\"a_b__.txt\"; filename*=UTF-8''a%22b%5C%C3%A9.txt");
    }
}
