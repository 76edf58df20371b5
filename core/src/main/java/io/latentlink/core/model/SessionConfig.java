package io.latentlink.core.model;

/**
 * How a {@link DecoderSession} runs: which ONNX Runtime execution provider and how many threads. This is deployment
 * configuration, kept apart from the model's manifest; where both set a thread count, a positive value here wins.
 *
 * @param provider          {@link ExecutionProvider#CPU} (default) or {@link ExecutionProvider#CUDA}
 * @param deviceId          GPU ordinal for CUDA (ignored on CPU)
 * @param intraOpThreads    threads inside one operator; 0 = the manifest's value, else ORT's default (all cores)
 * @param interOpThreads    threads across operators; 0 = the manifest's value, else ORT's default
 */
public record SessionConfig(ExecutionProvider provider, int deviceId, int intraOpThreads, int interOpThreads) {

    /** Execution providers a session can be placed on. CUDA needs the {@code -Dgpu} build (see core/README.md). */
    public enum ExecutionProvider { CPU, CUDA }

    public SessionConfig {
        if (provider == null) {
            throw new IllegalArgumentException("execution provider is required");
        }
        if (deviceId < 0 || intraOpThreads < 0 || interOpThreads < 0) {
            throw new IllegalArgumentException("deviceId and thread counts must be >= 0, got " + deviceId + ", "
                    + intraOpThreads + ", " + interOpThreads);
        }
    }

    /** CPU, thread counts from the manifest or ORT's defaults. */
    public static SessionConfig defaults() {
        return new SessionConfig(ExecutionProvider.CPU, 0, 0, 0);
    }

    /** CPU with a fixed number of intra-op threads and one inter-op thread. */
    public static SessionConfig cpu(int intraOpThreads) {
        return new SessionConfig(ExecutionProvider.CPU, 0, intraOpThreads, 1);
    }

    /** CUDA on GPU {@code deviceId}. */
    public static SessionConfig cuda(int deviceId) {
        return new SessionConfig(ExecutionProvider.CUDA, deviceId, 0, 0);
    }

    public SessionConfig withThreads(int intra, int inter) {
        return new SessionConfig(provider, deviceId, intra, inter);
    }

    /**
     * Parses {@code cpu}, {@code cuda} or {@code cuda:N} (case-insensitive) into a config with default threads, for
     * command lines and node configuration.
     */
    public static SessionConfig parse(String spec) {
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("cpu")) {
            return defaults();
        }
        if (s.equals("cuda")) {
            return cuda(0);
        }
        if (s.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(s.substring(5)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad CUDA device in '" + spec + "'", e);
            }
        }
        throw new IllegalArgumentException("unknown execution provider '" + spec + "' (use cpu, cuda or cuda:N)");
    }
}
