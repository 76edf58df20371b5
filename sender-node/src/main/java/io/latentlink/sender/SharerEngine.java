package io.latentlink.sender;

import io.latentlink.core.wire.KvBlock;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.engine.GenerationOptions;
import io.latentlink.engine.Generated;
import java.util.function.BooleanSupplier;

/**
 * The sharer model as the sender's gRPC layer sees it. Implementations: {@code SyntheticSharerEngine} (transport
 * tests) and the ONNX engine over core's decoder session.
 */
public interface SharerEngine {

    KvGeometry geometry();

    /** Tokenizes the prompt and readies an incremental prefill. */
    Prefill open(String prompt);

    /** TEXT mode: generate a short text from the prompt for the receiver to read as context. */
    Generated relay(String prompt, GenerationOptions options, BooleanSupplier cancelled);

    /** An incremental prefill of one prompt; closing it frees the session and its KV cache. */
    interface Prefill extends AutoCloseable {

        int promptTokens();

        long tokenizeNanos();

        /** Prefills up to {@code maxTokens} more prompt tokens and returns their KV (all layers); null when done. */
        KvBlock next(int maxTokens);

        @Override
        void close();
    }
}
