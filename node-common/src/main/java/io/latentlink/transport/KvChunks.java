package io.latentlink.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.latentlink.core.wire.Crc32c;
import io.latentlink.core.wire.KvBlock;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.core.wire.KvSliceShape;
import io.latentlink.core.wire.SequenceTracker;
import io.latentlink.core.wire.WireException;
import io.latentlink.proto.v1.DType;
import io.latentlink.proto.v1.KvChunk;
import io.latentlink.proto.v1.KvChunkHeader;
import io.latentlink.proto.v1.KvLayout;
import io.latentlink.proto.v1.Range;
import java.nio.ByteBuffer;

/** Builds latentlink.v1 KV chunks and checks incoming ones against everything their header promises. */
public final class KvChunks {

    /** A checked, decoded chunk. */
    public record Decoded(KvSliceShape shape, float[] values, long wireBytes, long sequence) {
        public long rawBytes() {
            return (long) values.length * Float.BYTES;
        }
    }

    private KvChunks() {
    }

    public static KvChunk encode(KvGeometry model, KvSliceShape shape, float[] values, PayloadCodec codec,
            long sequence) {
        return chunk(model, shape, codec.encode(values, shape), codec, sequence);
    }

    /** The chunk for a slice of a prefill block, encoded without gathering it first. */
    public static KvChunk encode(KvGeometry model, KvSliceShape shape, KvBlock block, PayloadCodec codec,
            long sequence) {
        return chunk(model, shape, codec.encode(block, shape), codec, sequence);
    }

    private static KvChunk chunk(KvGeometry model, KvSliceShape shape, byte[] payload, PayloadCodec codec,
            long sequence) {
        KvChunkHeader.Builder h = KvChunkHeader.newBuilder()
                .setModelId(model.modelId())
                .setManifestHash(model.manifestHash())
                .setDtype(DType.FLOAT32)
                .setLayout(KvLayout.LAYER_KV_HEAD_TOKEN_DIM)
                .setLayers(range(shape.layerStart(), shape.layerEnd()))
                .setTokens(range(shape.tokenStart(), shape.tokenEnd()))
                .setCodecId(codec.id())
                .putAllCodecParams(codec.params())
                .setSequence(sequence)
                .setCrc32C(Crc32c.of(payload));
        for (int d : shape.dims()) {
            h.addShape(d);
        }
        return KvChunk.newBuilder().setHeader(h).setPayload(UnsafeByteOperations.unsafeWrap(payload)).build();
    }

    /** A chunk checked without decoding its values, as a pass-through forwards it. */
    public record Checked(KvSliceShape shape, String modelId, long wireBytes, long sequence) {
        public long rawBytes() {
            return (long) shape.elements() * Float.BYTES;
        }
    }

    /**
     * Checks a chunk in the order that gives the most useful error: sequence, model, size, shape, codec, CRC,
     * then decodes it.
     *
     * @param expected the model whose cache the chunk must belong to
     * @param tokenLimit token positions must lie below this
     */
    public static Decoded decode(KvChunk chunk, KvGeometry expected, int tokenLimit, SequenceTracker sequences,
            int maxPayloadBytes) {
        KvChunkHeader h = header(chunk, sequences);
        if (!h.getModelId().equals(expected.modelId())) {
            throw new WireException(WireException.Kind.UNKNOWN_MODEL,
                    "chunk is for model '" + h.getModelId() + "', expected '" + expected.modelId() + "'");
        }
        if (!expected.manifestHash().isEmpty() && !h.getManifestHash().equals(expected.manifestHash())) {
            throw new WireException(WireException.Kind.UNKNOWN_MODEL, "chunk is for manifest " + h.getManifestHash()
                    + " of model '" + h.getModelId() + "', expected " + expected.manifestHash());
        }
        ByteString payload = checkedPayload(chunk, maxPayloadBytes);
        KvSliceShape shape = shape(h);
        expected.check(shape);
        if (shape.tokenEnd() > tokenLimit) {
            throw new WireException(WireException.Kind.MALFORMED,
                    "chunk tokens up to " + shape.tokenEnd() + " beyond the stream's " + tokenLimit);
        }
        PayloadCodec codec = PayloadCodecs.lookup(h.getCodecId(), h.getCodecParamsMap());
        ByteBuffer bytes = payload.asReadOnlyByteBuffer();
        Crc32c.verify(bytes, h.getCrc32C());
        float[] values = codec.decode(bytes, shape);
        return new Decoded(shape, values, payload.size(), h.getSequence());
    }

    /**
     * Everything {@link #decode} checks that does not need the values or the model's geometry: sequence, model id
     * (when {@code expectedModelId} is not empty), size, dtype, layout, shape against ranges, codec, exact payload
     * size for the codec and shape, CRC32C. A forwarder that does not decode checks this and passes the chunk on.
     */
    public static Checked check(KvChunk chunk, String expectedModelId, SequenceTracker sequences,
            int maxPayloadBytes) {
        KvChunkHeader h = header(chunk, sequences);
        if (!expectedModelId.isEmpty() && !h.getModelId().equals(expectedModelId)) {
            throw new WireException(WireException.Kind.UNKNOWN_MODEL,
                    "chunk is for model '" + h.getModelId() + "', expected '" + expectedModelId + "'");
        }
        ByteString payload = checkedPayload(chunk, maxPayloadBytes);
        KvSliceShape shape = shape(h);
        PayloadCodec codec = PayloadCodecs.lookup(h.getCodecId(), h.getCodecParamsMap());
        codec.checkSize(payload.size(), shape);
        Crc32c.verify(payload.asReadOnlyByteBuffer(), h.getCrc32C());
        return new Checked(shape, h.getModelId(), payload.size(), h.getSequence());
    }

    private static KvChunkHeader header(KvChunk chunk, SequenceTracker sequences) {
        if (!chunk.hasHeader()) {
            throw new WireException(WireException.Kind.MALFORMED, "chunk without header");
        }
        KvChunkHeader h = chunk.getHeader();
        sequences.accept(h.getSequence());
        return h;
    }

    private static ByteString checkedPayload(KvChunk chunk, int maxPayloadBytes) {
        ByteString payload = chunk.getPayload();
        if (payload.size() > maxPayloadBytes) {
            throw new WireException(WireException.Kind.TOO_LARGE,
                    "chunk payload of " + payload.size() + " B exceeds the limit of " + maxPayloadBytes + " B");
        }
        return payload;
    }

    private static KvSliceShape shape(KvChunkHeader h) {
        if (h.getDtype() != DType.FLOAT32) {
            throw new WireException(WireException.Kind.MALFORMED, "unsupported dtype " + h.getDtype());
        }
        if (h.getLayout() != KvLayout.LAYER_KV_HEAD_TOKEN_DIM) {
            throw new WireException(WireException.Kind.MALFORMED, "unsupported layout " + h.getLayout());
        }
        int[] dims = h.getShapeList().stream().mapToInt(Integer::intValue).toArray();
        return KvSliceShape.fromDims(dims, h.getLayers().getStart(), h.getLayers().getEnd(),
                h.getTokens().getStart(), h.getTokens().getEnd());
    }

    private static Range range(int start, int end) {
        return Range.newBuilder().setStart(start).setEnd(end).build();
    }
}
