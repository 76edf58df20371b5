package io.latentlink.projector;

import io.latentlink.core.wire.KvGeometry;
import io.latentlink.core.wire.KvSliceShape;
import java.util.List;

/**
 * The fuser as the projector's gRPC layer sees it. Implementations: {@code SyntheticFuserEngine} (transport tests)
 * and, once core.fusion lands, an engine over core's fuser runner (C2C seam: layer map, gates, token alignment,
 * per-layer ONNX graphs).
 */
public interface FuserEngine {

    /**
     * Opens a fusion of one prompt.
     *
     * @throws io.latentlink.core.wire.WireException UNKNOWN_MODEL if the fuser is unknown or was not trained for
     *     this receiver model/manifest
     */
    Fusion open(String fuserId, String receiverModelId, String receiverManifestHash, String prompt);

    /** A fused chunk: receiver layout, same slice as the receiver chunk it came from. */
    record Fused(KvSliceShape shape, float[] values) {
    }

    /**
     * One prompt's fusion. Receiver chunks wait inside until the sharer KV for their positions has arrived; they
     * come out of {@link #poll()} fused, in the order they went in. Called from one thread.
     */
    interface Fusion extends AutoCloseable {

        KvGeometry receiver();

        KvGeometry sharer();

        /** Receiver layers whose gate is open: the only ones the receiver sends and gets back fused. */
        List<Integer> fusedLayers();

        /** Sharer layers those map to: the only ones requested from the sender. */
        List<Integer> sharerLayers();

        /** Receiver prompt positions that are fused: [0, n-1) for fuse_prefix all_but_last. */
        int receiverTokens();

        void acceptSharer(KvSliceShape shape, float[] values);

        /** The sharer has sent all {@code tokens} positions. */
        void sharerDone(int tokens);

        void acceptReceiver(KvSliceShape shape, float[] values);

        /** Fused chunks that are ready now, oldest first; each releases its receiver chunk. */
        List<Fused> poll();

        /** Receiver chunks accepted but not yet returned by {@link #poll()}. */
        int pending();

        /** Bytes of KV held (pending receiver chunks and the sharer window). */
        long bytesHeld();

        @Override
        void close();
    }
}
