package io.latentlink.core.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a block of KV (some layers x a token range) into chunks whose payload stays under a byte budget.
 * Tokens are split first (a chunk never spans a gap in the layer list); when one layer's whole token range fits,
 * neighbouring layers are grouped so small models do not pay a message per layer.
 */
public final class ChunkPlanner {

    /** Default payload budget: well under gRPC's 4 MiB message limit, leaving room for the header. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;

    private final int maxPayloadBytes;

    public ChunkPlanner(int maxPayloadBytes) {
        if (maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive: " + maxPayloadBytes);
        }
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /**
     * @param layers sorted, distinct layer indices to send
     * @param bytesPerElement bytes one element costs on the wire (an upper bound for variable-rate codecs)
     */
    public List<KvSliceShape> plan(List<Integer> layers, int tokenStart, int tokenEnd, int kvHeads, int headSize,
            double bytesPerElement) {
        if (tokenEnd <= tokenStart || layers.isEmpty()) {
            return List.of();
        }
        long perTokenPerLayer = (long) Math.ceil(2L * kvHeads * headSize * bytesPerElement);
        if (perTokenPerLayer > maxPayloadBytes) {
            throw new WireException(WireException.Kind.TOO_LARGE,
                    "one token of one layer (" + perTokenPerLayer + " B) exceeds the chunk budget " + maxPayloadBytes);
        }
        int tokens = tokenEnd - tokenStart;
        int tokensPerChunk = (int) Math.min(tokens, maxPayloadBytes / perTokenPerLayer);
        int layersPerChunk = tokensPerChunk == tokens
                ? (int) Math.max(1, maxPayloadBytes / (perTokenPerLayer * tokens))
                : 1;
        List<KvSliceShape> out = new ArrayList<>();
        for (int[] run : contiguousRuns(layers)) {
            for (int l = run[0]; l < run[1]; l += layersPerChunk) {
                int lEnd = Math.min(run[1], l + layersPerChunk);
                for (int t = tokenStart; t < tokenEnd; t += tokensPerChunk) {
                    out.add(new KvSliceShape(l, lEnd, t, Math.min(tokenEnd, t + tokensPerChunk), kvHeads, headSize));
                }
            }
        }
        return out;
    }

    private static List<int[]> contiguousRuns(List<Integer> layers) {
        List<int[]> runs = new ArrayList<>();
        int start = layers.get(0);
        int prev = start;
        for (int i = 1; i < layers.size(); i++) {
            int l = layers.get(i);
            if (l <= prev) {
                throw new IllegalArgumentException("layers must be sorted and distinct: " + layers);
            }
            if (l != prev + 1) {
                runs.add(new int[] {start, prev + 1});
                start = l;
            }
            prev = l;
        }
        runs.add(new int[] {start, prev + 1});
        return runs;
    }
}
