package io.latentlink.core.link;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the bundled demo models are, for tests that need them; such tests are skipped, with a reason, without them. */
final class DemoModels {
    private DemoModels() {
    }

    static Path dir() {
        String configured = System.getProperty("latentlink.models.dir");
        Path dir = configured != null ? Path.of(configured) : Path.of("../models");
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("rx/model.onnx")) && Files.isRegularFile(dir.resolve("sx/model.onnx"))
                && Files.isRegularFile(dir.resolve("fuser-rx-sx/fuser.json")), "demo models not built in " + dir.toAbsolutePath());
        return dir;
    }
}
