package io.latentlink.bench.scaling;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentlink.bench.modes.MachineInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The fields every bench/results file starts with (SCHEMAS.md): name, date, commit, machine, command, settings. */
public final class ResultsHeader {
    private ResultsHeader() {
    }

    public static ObjectNode of(ObjectMapper json, String name, String date, Path repo, String machine, String command,
                                Map<String, Object> settings) {
        ObjectNode root = json.createObjectNode();
        root.put("name", name);
        root.put("date", date);
        root.put("commit", MachineInfo.gitCommit(repo));
        root.put("machine", machine);
        root.put("command", command);
        root.set("settings", json.valueToTree(settings));
        return root;
    }

    /** One line: cores, CPU, RAM, OS, JDK and the load average before and after the run. */
    public static String machine(Path repo, String loadBefore, String loadAfter) {
        Map<String, Object> m = MachineInfo.collect(repo);
        return m.get("cores") + " cores, " + m.get("cpu") + ", " + memTotal(Path.of("/proc/meminfo")) + " RAM, "
                + m.get("uname") + ", " + m.get("java") + ", load average before " + loadBefore + ", after " + loadAfter;
    }

    static String memTotal(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown";
    }
}
