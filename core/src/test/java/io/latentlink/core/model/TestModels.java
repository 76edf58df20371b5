package io.latentlink.core.model;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where tests find models: the committed tiny fixtures, and the repository's models/ when it exists. */
final class TestModels {
    private TestModels() {
    }

    /** {@code fixtures/models} on the test classpath (made by core/src/test/fixtures/make_tiny_decoders.py). */
    static Path fixtureRoot() {
        URL url = TestModels.class.getClassLoader().getResource("fixtures/models");
        if (url == null) {
            throw new IllegalStateException("test resource fixtures/models is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path fixture(String name) {
        return fixtureRoot().resolve(name);
    }

    /** The repository's models/ (system property {@code latentlink.models.dir}, set by the parent POM). */
    static Path realModelsRoot() {
        String dir = System.getProperty("latentlink.models.dir");
        if (dir != null) {
            return Path.of(dir);
        }
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("models")) ? here.resolve("models") : here.resolveSibling("models");
    }
}
