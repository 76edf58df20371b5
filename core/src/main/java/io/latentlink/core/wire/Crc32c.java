package io.latentlink.core.wire;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C (Castagnoli) of chunk payloads, as carried in the header's fixed32 field. */
public final class Crc32c {

    private Crc32c() {
    }

    public static int of(ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        return (int) crc.getValue();
    }

    public static int of(byte[] payload) {
        return of(ByteBuffer.wrap(payload));
    }

    public static void verify(ByteBuffer payload, int expected) {
        int actual = of(payload);
        if (actual != expected) {
            throw new WireException(WireException.Kind.CORRUPT, String.format(
                    "payload CRC32C %08x does not match header %08x", actual, expected));
        }
    }
}
