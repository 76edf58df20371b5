package io.latentlink.bench.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The physical reference: iperf3 single-stream TCP throughput over loopback ({@code iperf3 -s -1} and
 * {@code iperf3 -c 127.0.0.1 -t N -J}), installing the Debian package when it is missing.
 */
final class Iperf3 {

    private Iperf3() {
    }

    /** Runs the measurement; the map is either {command, gb_per_s, raw} or {error}. */
    static Map<String, Object> measure(int seconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            String missing = ensureInstalled();
            if (missing != null) {
                out.put("error", missing);
                return out;
            }
            int port = freePort();
            Process server = new ProcessBuilder("iperf3", "-s", "-1", "--forceflush", "-B", "127.0.0.1", "-p",
                    String.valueOf(port))
                    .redirectErrorStream(true).start();
            try {
                // Probing the port would use up the one-off server's single test: wait for its banner instead
                // (--forceflush, or the banner sits in the pipe's buffer).
                CompletableFuture<Boolean> listening = new CompletableFuture<>();
                Thread reader = new Thread(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            if (line.contains("Server listening")) {
                                listening.complete(true);
                            }
                        }
                    } catch (IOException ignored) {
                        // server gone
                    }
                    listening.complete(false);
                });
                reader.setDaemon(true);
                reader.start();
                if (!listening.get(10, TimeUnit.SECONDS)) {
                    out.put("error", "iperf3 server did not start (exit " + server.waitFor() + ")");
                    return out;
                }
                List<String> cmd = List.of("iperf3", "-c", "127.0.0.1", "-p", String.valueOf(port), "-t",
                        String.valueOf(seconds), "-J");
                Process client = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String json = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!client.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
                    client.destroyForcibly();
                }
                out.put("command", String.join(" ", cmd) + "  (server: iperf3 -s -1 --forceflush -B 127.0.0.1 -p " + port + ")");
                out.put("gb_per_s", parseGbPerSecond(json));
                out.put("raw", new ObjectMapper().readTree(json).path("end"));
                return out;
            } finally {
                server.destroy();
            }
        } catch (Exception e) {
            out.clear();
            out.put("error", "iperf3 failed: " + e);
            return out;
        }
    }

    /** Received throughput of an {@code iperf3 -J} client report in GB/s (1e9 bytes). */
    static double parseGbPerSecond(String json) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json);
        if (root.hasNonNull("error")) {
            throw new IOException("iperf3 reported: " + root.get("error").asText());
        }
        JsonNode bits = root.path("end").path("sum_received").path("bits_per_second");
        if (!bits.isNumber()) {
            throw new IOException("iperf3 JSON has no end.sum_received.bits_per_second");
        }
        return bits.asDouble() / 8 / 1e9;
    }

    /** Null when iperf3 runs; otherwise why it could not be installed. */
    private static String ensureInstalled() throws InterruptedException {
        if (runs("iperf3", "--version")) {
            return null;
        }
        List<String> log = new ArrayList<>();
        // The apt lists may be empty on a fresh machine: install, and if that fails refresh them and try once more.
        if (runs(log, "apt-get", "install", "-y", "-q", "iperf3")
                || (runs(log, "apt-get", "update", "-q") && runs(log, "apt-get", "install", "-y", "-q", "iperf3"))) {
            if (runs("iperf3", "--version")) {
                return null;
            }
        }
        return "iperf3 missing and apt-get install -y iperf3 failed: "
                + String.join(" | ", log.subList(Math.max(0, log.size() - 3), log.size()));
    }

    private static boolean runs(String... cmd) throws InterruptedException {
        return runs(new ArrayList<>(), cmd);
    }

    private static boolean runs(List<String> log, String... cmd) throws InterruptedException {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            boolean ok = p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0;
            if (!ok) {
                String[] lines = output.split("\n");
                log.add(String.join(" ", cmd) + ": " + lines[lines.length - 1]);
            }
            return ok;
        } catch (IOException e) {
            log.add(String.join(" ", cmd) + ": " + e.getMessage());
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
