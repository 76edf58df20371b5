package io.latentlink.demo;

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
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Starts one node as its own JVM (its quarkus-run.jar) on a free loopback port and waits until it is SERVING. Public
 * because bench and the it-tests start the nodes the same way.
 */
public final class NodeLauncher implements AutoCloseable {
    public static final List<String> JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    public final String name;
    public final int port;
    public final Process process;
    public final Path log;
    public final ManagedChannel channel;

    private NodeLauncher(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
        this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    public String endpoint() {
        return "127.0.0.1:" + port;
    }

    /** Starts {@code module}'s jar from the repo's build with the demo's JVM (-Xmx1g), logging to logs/module.log. */
    public static NodeLauncher start(Path repo, String module, Map<String, String> settings, Path logs) throws IOException {
        Path jar = repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        List<String> jvmOptions = new ArrayList<>(JVM_FLAGS);
        jvmOptions.add("-Xmx1g");
        return start(module, ProcessHandle.current().info().command().orElse("java"), jvmOptions, jar, settings,
                logs.resolve(module + ".log"), repo);
    }

    /**
     * Starts {@code jar} as {@code name} with the given java binary and JVM options plus the node's port settings and
     * one -D per setting; output goes to {@code log}. {@code workDir} null means this process's working directory.
     */
    public static NodeLauncher start(String name, String java, List<String> jvmOptions, Path jar,
                                     Map<String, String> settings, Path log, Path workDir) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the node modules first (./latentlink build)");
        }
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Dquarkus.grpc.server.port=" + port, "-Dquarkus.grpc.server.host=127.0.0.1"));
        settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar.toString()));
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        return new NodeLauncher(name, port, pb.start(), log);
    }

    public NodeLauncher awaitServing(long timeoutSeconds) throws IOException, InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log:\n" + Files.readString(log));
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
        throw new IllegalStateException(name + " not serving after " + timeoutSeconds + " s; log " + log + ":\n"
                + Files.readString(log));
    }

    public StatusReply status() {
        return NodeGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .status(StatusRequest.getDefaultInstance());
    }

    /** Polls Node.Status until the condition holds (the node's own gauges, not a sleep), or fails. */
    public StatusReply awaitStatus(Predicate<StatusReply> condition, String what, long timeoutSeconds)
            throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        StatusReply last = status();
        while (!condition.test(last)) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException(name + ": " + what + " not reached within " + timeoutSeconds
                        + " s; last " + last);
            }
            process.waitFor(20, TimeUnit.MILLISECONDS);
            last = status();
        }
        return last;
    }

    /** Waits until the node holds no call and no buffered bytes. */
    public StatusReply awaitIdle() throws InterruptedException {
        return awaitStatus(s -> s.getInflightCalls() == 0 && s.getInflightBytes() == 0, "idle (0 calls, 0 bytes)", 20);
    }

    /** Kills the node abruptly (no graceful shutdown), as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
