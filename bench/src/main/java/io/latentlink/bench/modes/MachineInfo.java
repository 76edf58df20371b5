package io.latentlink.bench.modes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where a benchmark ran: cores, kernel, CPU model, Java, load average, and the repository's commit. */
public final class MachineInfo {
    private MachineInfo() {
    }

    public static Map<String, Object> collect(Path repo) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("uname", command(repo, "uname", "-a"));
        m.put("cpu", cpuModel(Path.of("/proc/cpuinfo")));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("load_average", loadAverage());
        return m;
    }

    /** HEAD of the repository, marked when tracked files outside bench/results differ; "unknown" outside git. */
    public static String gitCommit(Path repo) {
        String rev = command(repo, "git", "rev-parse", "HEAD");
        // The results folder is rewritten by the run itself; it does not make the code under test differ.
        String dirty = command(repo, "git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results");
        return rev.equals("unknown") ? rev : rev + (dirty.isEmpty() ? "" : " (with uncommitted changes)");
    }

    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String cpuModel(Path cpuinfo) {
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "unknown";
    }

    private static String command(Path dir, String... cmd) {
        try {
            Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "unknown";
            }
            return out;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
