package io.latentlink.receiver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentlink.core.wire.KvGeometry;
import io.latentlink.core.wire.KvSliceShape;
import io.latentlink.core.wire.WireException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FusedAssemblyTest {

    private static final KvGeometry RX = new KvGeometry("rx", "", 4, 1, 2);

    @Test
    void completesOnlyWhenEveryPlannedCellArrivedOnce() {
        FusedAssembly a = new FusedAssembly(RX, List.of(0, 2), 3);
        a.accept(new KvSliceShape(0, 1, 0, 2, 1, 2), new float[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertFalse(a.complete());
        a.accept(new KvSliceShape(0, 1, 2, 3, 1, 2), new float[] {9, 10, 11, 12});
        a.accept(new KvSliceShape(2, 3, 0, 3, 1, 2), new float[12]);
        assertTrue(a.complete());
        assertArrayEquals(new float[] {1, 2, 3, 4, 9, 10}, a.key(0));
        assertArrayEquals(new float[] {5, 6, 7, 8, 11, 12}, a.value(0));
    }

    @Test
    void repeatsAndUnplannedLayersAreRefused() {
        FusedAssembly a = new FusedAssembly(RX, List.of(0), 3);
        a.accept(new KvSliceShape(0, 1, 0, 2, 1, 2), new float[8]);
        assertEquals(WireException.Kind.MALFORMED, assertThrows(WireException.class,
                () -> a.accept(new KvSliceShape(0, 1, 1, 3, 1, 2), new float[8])).kind());
        assertEquals(WireException.Kind.MALFORMED, assertThrows(WireException.class,
                () -> a.accept(new KvSliceShape(1, 2, 0, 1, 1, 2), new float[4])).kind());
    }
}
