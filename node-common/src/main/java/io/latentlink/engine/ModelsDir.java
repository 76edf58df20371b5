package io.latentlink.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the model folders are: the {@code latentlink.models-dir} setting if given, else the first {@code models/}
 * folder found walking up from the working directory (so a node started anywhere inside the repo finds the bundled
 * demo models).
 */
public final class ModelsDir {

    private ModelsDir() {
    }

    public static Path resolve(Optional<String> configured) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            Path p = Path.of(configured.get()).toAbsolutePath().normalize();
            if (!Files.isDirectory(p)) {
                throw new IllegalStateException("latentlink.models-dir " + p + " is not a directory");
            }
            return p;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("models");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no models/ folder above " + Path.of("").toAbsolutePath()
                + "; set latentlink.models-dir");
    }

    /** Like {@link #resolve} but empty instead of failing, for engines that can run without models. */
    public static Optional<Path> find(Optional<String> configured) {
        try {
            return Optional.of(resolve(configured));
        } catch (IllegalStateException e) {
            return Optional.empty();
        }
    }
}
