package io.latentlink.core.cli;

import io.latentlink.core.link.LinkModel;
import io.latentlink.core.model.GenerationConfig;
import io.latentlink.core.model.GenerationResult;
import io.latentlink.core.model.Sampling;
import io.latentlink.core.model.SessionConfig;
import io.latentlink.core.tensor.KvCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate from a prompt with any model folder (genai_config.json, model.onnx, tokenizer.json); tokens stream to stdout.")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "model folder, e.g. models/rx")
    Path model;
    @Option(names = {"-p", "--prompt"}, required = true, description = "prompt text")
    String prompt;
    @Option(names = "--max-tokens", defaultValue = "32", description = "new tokens at most (default ${DEFAULT-VALUE})")
    int maxTokens;
    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default)")
    double temperature;
    @Option(names = "--top-k", defaultValue = "0", description = "0 = off")
    int topK;
    @Option(names = "--top-p", defaultValue = "1.0")
    double topP;
    @Option(names = "--seed", defaultValue = "42")
    long seed;
    @Option(names = "--stop", description = "stop string (repeatable)")
    List<String> stops = List.of();
    @Option(names = "--chunk", defaultValue = "64", description = "prefill chunk size (default ${DEFAULT-VALUE})")
    int chunk;
    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads, 0 = ORT default")
    int threads;
    @Option(names = "--provider", defaultValue = "cpu", description = "cpu | cuda[:device]")
    String provider;

    @Override
    public Integer call() {
        SessionConfig config = SessionConfig.parse(provider);
        if (threads > 0) {
            config = config.withThreads(threads, 1);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (LinkModel m = LinkModel.open(model, config); KvCache cache = m.session().newCache()) {
            long[] ids = m.encode(prompt).idsAsLongs();
            if (ids.length > 1) {
                m.session().prefill(cache, Arrays.copyOf(ids, ids.length - 1), chunk);
            }
            GenerationConfig gen = GenerationConfig.greedy(maxTokens).withStopOnEos(true).withStopStrings(stops);
            if (temperature > 0) {
                gen = gen.withSampling(Sampling.random(temperature, topK, topP, seed));
            }
            StreamingPrinter printer = new StreamingPrinter(m.text(), out);
            GenerationResult r = m.generator().generate(cache, new long[] {ids[ids.length - 1]}, gen, m.text(), printer);
            out.println();
            System.err.printf("[%d tokens, stop: %s, prefill %.1f ms, decode %.1f ms]%n", r.tokenIds().length,
                    r.stopReason(), r.prefillNanos() / 1e6, r.decodeNanos() / 1e6);
        }
        return 0;
    }
}
