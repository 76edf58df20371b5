package io.latentlink.receiver;

import io.latentlink.core.wire.KvBlock;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.engine.GenerationOptions;
import io.latentlink.engine.Generated;
import io.latentlink.engine.TokenSink;
import java.util.function.BooleanSupplier;

/**
 * The receiver model as the receiver's gRPC layer sees it. Implementations: {@code SyntheticReceiverEngine}
 * (transport tests) and the ONNX engine over core's decoder session and generator.
 */
public interface ReceiverEngine {

    KvGeometry geometry();

    /** Tokenizes the prompt and opens a decoder session for it. */
    Session open(String prompt);

    /** TEXT mode: the prompt the receiver reads, given the sharer's relay text. */
    default String withContext(String relayText, String prompt) {
        return relayText.isBlank() ? prompt : relayText.strip() + "\n" + prompt;
    }

    /** One prompt's decoder state; closing it frees the KV cache. Used from one thread. */
    interface Session extends AutoCloseable {

        int promptTokens();

        long tokenizeNanos();

        /**
         * Prefills up to {@code maxTokens} more tokens of the prompt prefix {@code [0, limit)} and returns their KV
         * (all layers); null once the prefix is done. C2C prefills {@code limit = promptTokens() - 1}.
         */
        KvBlock prefill(int maxTokens, int limit);

        /**
         * Overwrites positions {@code [0, tokens)} of one layer's cache with fused KV ({@code [kvHeads, tokens,
         * headSize]} each). C2C seam: the projector's output goes in here before the last prompt token runs.
         */
        void replaceKv(int layer, float[] key, float[] value, int tokens);

        /** Runs the prompt tokens not yet prefilled, then decodes, streaming tokens to {@code sink}. */
        Generated generate(GenerationOptions options, TokenSink sink, BooleanSupplier cancelled);

        @Override
        void close();
    }
}
