package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageStampTest {

    @Test
    void contentCarriesIdAndSendTimeAndIsPaddedToTheWantedSize() {
        MessageStamp stamp = new MessageStamp(42, 123456789L);
        String content = stamp.content(30);
        assertThat(content).isEqualTo("42:123456789:" + "x".repeat(17)).hasSize(30);
        assertThat(MessageStamp.parseContent(content)).isEqualTo(stamp);
    }

    @Test
    void aContentShorterThanItsHeaderIsTheHeader() {
        assertThat(new MessageStamp(7, 99).content(1)).isEqualTo("7:99:");
    }

    @Test
    void warmupMessagesCarryNoLedgerId() {
        MessageStamp warm = new MessageStamp(MessageStamp.WARMUP, 5);
        assertThat(warm.content(4)).isEqualTo("w:5:");
        assertThat(MessageStamp.parseContent("w:5:xx")).isEqualTo(warm);
        assertThat(MessageStamp.parseContent("w:5:xx").warmup()).isTrue();
        assertThat(warm.clientMsgId(3, 8)).isEqualTo("w3-8");
        assertThat(MessageStamp.idOfClientMsgId("w3-8")).isEqualTo(MessageStamp.WARMUP);
    }

    @Test
    void windowClientMsgIdsNameTheLedgerId() {
        assertThat(new MessageStamp(1234, 0).clientMsgId(3, 8)).isEqualTo("m1234");
        assertThat(MessageStamp.idOfClientMsgId("m1234")).isEqualTo(1234);
    }

    @Test
    void foreignContentAndIdsAreNotStamps() {
        assertThat(MessageStamp.parseContent(null)).isNull();
        assertThat(MessageStamp.parseContent("hello")).isNull();
        assertThat(MessageStamp.parseContent("a:b:c")).isNull();
        assertThat(MessageStamp.idOfClientMsgId(null)).isEqualTo(MessageStamp.WARMUP);
        assertThat(MessageStamp.idOfClientMsgId("mx")).isEqualTo(MessageStamp.WARMUP);
        assertThat(MessageStamp.idOfClientMsgId("c1")).isEqualTo(MessageStamp.WARMUP);
    }
}
