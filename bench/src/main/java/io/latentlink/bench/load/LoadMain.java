package io.latentlink.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A small ghz-like gRPC load generator for the LatentLink services:
 * {@code java -jar bench/target/latentlink-load.jar --call latentlink.v1.Receiver.Generate -d '{"prompt":"..."}' -n 50 -c 2 127.0.0.1:9103}.
 */
public final class LoadMain {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private LoadMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.out.print(LoadOptions.USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        LoadOptions options;
        MethodDescriptor<Message, Message> method;
        Message request;
        try {
            options = LoadOptions.parse(args);
            requireLoopback(options);
            method = MethodCatalog.latentlink().resolve(options.call());
            request = MethodCatalog.request(method, options.data());
        } catch (IllegalArgumentException e) {
            System.err.println("latentlink-load: " + e.getMessage());
            System.err.print(LoadOptions.USAGE);
            System.exit(2);
            return;
        }
        ManagedChannel channel = NettyChannelBuilder.forAddress(options.host(), options.port()).usePlaintext().build();
        try {
            LoadRunner.Result result = new LoadRunner(channel, method, request, options).run();
            ObjectNode summary = summary(options, result);
            if (options.output() != null) {
                Path out = Path.of(options.output());
                if (out.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(out.toAbsolutePath().getParent());
                }
                Files.writeString(out, JSON.writeValueAsString(summary) + "\n");
            }
            System.out.println(options.format().equals("json") ? JSON.writeValueAsString(summary) : result.stats().toText(result.wallNanos()));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** The JSON summary with the run's settings in front. */
    public static ObjectNode summary(LoadOptions options, LoadRunner.Result result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("date", Instant.now().toString());
        root.put("call", options.call());
        root.put("target", options.target());
        ObjectNode settings = root.putObject("options");
        settings.put("total", options.duration() == null ? options.total() : 0);
        settings.put("concurrency", options.concurrency());
        settings.put("rps", options.rps());
        settings.put("duration_ms", options.duration() == null ? 0 : options.duration().toMillis());
        settings.put("timeout_ms", options.timeout().toMillis());
        settings.put("data", options.data());
        root.setAll(result.stats().toJson(JSON, result.wallNanos()));
        return root;
    }

    static void requireLoopback(LoadOptions options) throws IllegalArgumentException {
        if (options.allowRemote()) {
            return;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(options.host())) {
                if (!a.isLoopbackAddress()) {
                    throw new IllegalArgumentException(options.host() + " is not a loopback address (" + a.getHostAddress()
                            + "); pass --allow-remote to load a remote host");
                }
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host " + options.host(), e);
        }
    }
}
