package io.latentlink.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves a benchmark's {@code model} parameter: a model folder path, or a name under the models directory. */
final class BenchModels {
    private BenchModels() {
    }

    static Path resolve(String model) {
        Path direct = Path.of(model);
        if (Files.isRegularFile(direct.resolve("genai_config.json"))) {
            return direct;
        }
        Path root = Path.of(System.getProperty("latentlink.models.dir", "models"));
        Path named = root.resolve(model);
        if (Files.isRegularFile(named.resolve("genai_config.json"))) {
            return named;
        }
        throw new IllegalArgumentException("no model '" + model + "': neither " + direct.toAbsolutePath() + " nor "
                + named.toAbsolutePath() + " holds a genai_config.json (pass -p model=<folder> or "
                + "-jvmArgsAppend -Dlatentlink.models.dir=<models>)");
    }
}
