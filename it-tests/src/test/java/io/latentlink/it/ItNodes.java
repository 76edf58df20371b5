package io.latentlink.it;

import io.latentlink.demo.NodeLauncher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Starts nodes for the ITs from what failsafe passes in: the java, flags and node jars of this build. */
final class ItNodes {
    private ItNodes() {
    }

    /** Starts {@code kind} (sender, projector, receiver) as {@code name} with the given latentlink.* settings. */
    static NodeLauncher start(String kind, String name, Map<String, String> settings) throws IOException {
        List<String> jvmOptions = new ArrayList<>(Arrays.asList(required("latentlink.it.jvm.flags").trim().split("\\s+")));
        // Small and quick to start: up to six nodes share the 2-core CI machine.
        jvmOptions.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        Path logs = Path.of(System.getProperty("latentlink.it.logs", "target/it-logs"));
        return NodeLauncher.start(name, required("latentlink.it.java"), jvmOptions,
                Path.of(required("latentlink.it." + kind + ".jar")), settings, logs.resolve(name + ".log"), null);
    }

    private static String required(String key) {
        String v = System.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + key + " not set (run through failsafe)");
        }
        return v;
    }
}
