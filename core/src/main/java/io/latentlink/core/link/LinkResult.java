package io.latentlink.core.link;

import io.latentlink.core.model.StopReason;

/**
 * One answer with where its time went.
 *
 * @param text          the receiver's answer (the sharer's, in SHARER_ONLY)
 * @param tokenIds      its tokens
 * @param stopReason    why generation ended
 * @param relaySentence the sentence the sharer wrote (TEXT only, else null)
 * @param fusedLayers   receiver layers fused (C2C only, else empty)
 * @param timings       per-stage wall times
 */
public record LinkResult(String text, long[] tokenIds, StopReason stopReason, String relaySentence, int[] fusedLayers,
                         StageTimings timings) {
}
