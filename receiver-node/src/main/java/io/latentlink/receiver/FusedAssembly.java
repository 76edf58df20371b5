package io.latentlink.receiver;

import io.latentlink.core.wire.KvGeometry;
import io.latentlink.core.wire.KvSliceShape;
import io.latentlink.core.wire.KvSlicer;
import io.latentlink.core.wire.WireException;
import java.util.BitSet;
import java.util.List;

/**
 * Reassembles fused chunks into per-layer caches for positions {@code [0, tokens)} of the planned layers, and
 * checks that every (layer, token) cell arrives exactly once.
 */
final class FusedAssembly {

    private final KvGeometry geometry;
    private final int tokens;
    private final List<Integer> layers;
    private final float[][] keys;
    private final float[][] values;
    private final BitSet[] covered;

    FusedAssembly(KvGeometry geometry, List<Integer> layers, int tokens) {
        this.geometry = geometry;
        this.tokens = tokens;
        this.layers = layers;
        this.keys = new float[geometry.layers()][];
        this.values = new float[geometry.layers()][];
        this.covered = new BitSet[geometry.layers()];
        for (int l : layers) {
            if (l < 0 || l >= geometry.layers()) {
                throw new WireException(WireException.Kind.MALFORMED, "plan names layer " + l + " of "
                        + geometry.layers());
            }
            keys[l] = new float[geometry.kvHeads() * tokens * geometry.headSize()];
            values[l] = new float[keys[l].length];
            covered[l] = new BitSet(tokens);
        }
    }

    void accept(KvSliceShape s, float[] data) {
        for (int l = s.layerStart(); l < s.layerEnd(); l++) {
            if (covered[l] == null) {
                throw new WireException(WireException.Kind.MALFORMED, "fused chunk for unplanned layer " + l);
            }
            if (covered[l].get(s.tokenStart(), s.tokenEnd()).cardinality() != 0) {
                throw new WireException(WireException.Kind.MALFORMED, "fused chunk repeats layer " + l + " tokens ["
                        + s.tokenStart() + ", " + s.tokenEnd() + ")");
            }
        }
        KvSlicer.scatter(data, s, keys, values, tokens);
        for (int l = s.layerStart(); l < s.layerEnd(); l++) {
            covered[l].set(s.tokenStart(), s.tokenEnd());
        }
    }

    boolean complete() {
        for (int l : layers) {
            if (covered[l].cardinality() != tokens) {
                return false;
            }
        }
        return true;
    }

    List<Integer> layers() {
        return layers;
    }

    float[] key(int layer) {
        return keys[layer];
    }

    float[] value(int layer) {
        return values[layer];
    }

    int tokens() {
        return tokens;
    }

    long bytes() {
        return (long) layers.size() * tokens * geometry.bytesPerTokenLayer();
    }
}
