package io.latentlink.bench.modes;

import java.util.Map;

/**
 * One question answered in one configuration.
 *
 * @param correct      exact match with the truth (LinkQA's scoring)
 * @param answer       the generated text ("" on error)
 * @param latencyMs    end-to-end: request sent to stream completed, as the client sees it
 * @param firstTokenMs request sent to the first generated token; NaN if no token came
 * @param wireBytes    KV bytes on the wire for this request (GenerateStats.wire_bytes; 0 in process)
 * @param rawBytes     the same KV before the codec
 * @param stagesMs     per-stage wall times as the system reports them
 * @param error        the gRPC status code of a failed call, else null
 */
public record ModeSample(boolean correct, String answer, double latencyMs, double firstTokenMs, long wireBytes,
                         long rawBytes, Map<String, Double> stagesMs, String error) {

    public static ModeSample failed(double latencyMs, String error) {
        return new ModeSample(false, "", latencyMs, Double.NaN, 0, 0, Map.of(), error);
    }
}
