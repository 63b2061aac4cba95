package dev.sluice.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.PublishMessage;
import dev.sluice.proto.v1.PublishRequest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PayloadsTest {
    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void aParsedPayload_handsOverItsOwnArray_withTheRightBytes() throws Exception {
        byte[] first = bytes(65_536, 1);
        byte[] second = bytes(100, 2);
        byte[] wire = PublishRequest.newBuilder().setQueue("q")
                .addMessages(PublishMessage.newBuilder().setPayload(ByteString.copyFrom(first)))
                .addMessages(PublishMessage.newBuilder().setPayload(ByteString.copyFrom(second)))
                .build().toByteArray();
        PublishRequest parsed = PublishRequest.parseFrom(wire);

        byte[] a = Payloads.array(parsed.getMessages(0).getPayload());
        byte[] b = Payloads.array(parsed.getMessages(1).getPayload());

        assertThat(a).isEqualTo(first);
        assertThat(b).isEqualTo(second);
        assertThat(Payloads.array(parsed.getMessages(0).getPayload())).isSameAs(a); // not copied
    }

    @Test
    void aSliceOrARope_isCopied_neverExposingTheLargerArray() {
        byte[] big = bytes(1000, 3);
        ByteString slice = ByteString.copyFrom(big).substring(10, 20);
        ByteString rope = ByteString.copyFrom(bytes(300, 4)).concat(ByteString.copyFrom(bytes(300, 5)));

        assertThat(Payloads.array(slice)).isEqualTo(Arrays.copyOfRange(big, 10, 20));
        assertThat(Payloads.array(rope)).isEqualTo(rope.toByteArray());
        assertThat(Payloads.array(ByteString.EMPTY)).isEmpty();
    }
}
