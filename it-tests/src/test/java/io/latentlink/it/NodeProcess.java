package io.latentlink.it;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.latentlink.proto.v1.NodeGrpc;
import io.latentlink.proto.v1.StatusReply;
import io.latentlink.proto.v1.StatusRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** One node as a real JVM (its quarkus-run.jar) on a free loopback port, with a channel to it. */
final class NodeProcess implements AutoCloseable {

    final String name;
    final int port;
    final Process process;
    final ManagedChannel channel;
    final Path log;

    private NodeProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
        this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    String endpoint() {
        return "127.0.0.1:" + port;
    }

    /** Starts {@code kind} (sender, projector, receiver) with the given latentlink.* settings. */
    static NodeProcess start(String kind, String name, Map<String, String> settings) throws IOException {
        String jar = required("latentlink.it." + kind + ".jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException(jar + " missing: build the node modules first (mvn verify does)");
        }
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(required("latentlink.it.java"));
        cmd.addAll(Arrays.asList(required("latentlink.it.jvm.flags").trim().split("\\s+")));
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.grpc.server.port=" + port, "-Dquarkus.grpc.server.host=127.0.0.1"));
        settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar));
        Path logs = Path.of(System.getProperty("latentlink.it.logs", "target/it-logs"));
        Files.createDirectories(logs);
        Path log = logs.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new NodeProcess(name, port, p, log);
    }

    /** Waits until the node's gRPC health service answers SERVING. */
    NodeProcess awaitServing(long timeoutSeconds) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log:\n"
                        + Files.readString(log));
            }
            try {
                HealthCheckResponse r = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance());
                if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                    return this;
                }
            } catch (StatusRuntimeException notYet) {
                // not listening yet
            }
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException(name + " not serving after " + timeoutSeconds + " s; log:\n"
                + Files.readString(log));
    }

    StatusReply status() {
        return NodeGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .status(StatusRequest.getDefaultInstance());
    }

    /** Polls Node.Status until the condition holds (the node's own gauges, not a sleep), or fails. */
    StatusReply awaitStatus(Predicate<StatusReply> condition, String what, long timeoutSeconds) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        StatusReply last = status();
        while (!condition.test(last)) {
            if (System.nanoTime() > until) {
                throw new AssertionError(name + ": " + what + " not reached within " + timeoutSeconds + " s; last "
                        + last);
            }
            process.waitFor(20, TimeUnit.MILLISECONDS);
            last = status();
        }
        return last;
    }

    StatusReply awaitIdle() throws Exception {
        return awaitStatus(s -> s.getInflightCalls() == 0 && s.getInflightBytes() == 0, "idle (0 calls, 0 bytes)",
                20);
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        channel.shutdownNow();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String required(String key) {
        String v = System.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + key + " not set (run through failsafe)");
        }
        return v;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
