package io.latentlink.transport;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Channels to other nodes by {@code host:port}, created on first use and reused. Peers are named per request (the
 * Fuse header names its sharer), so they cannot all be static Quarkus clients. Plaintext, with gRPC's default 4 MiB
 * inbound limit.
 */
@Singleton
public class PeerChannels {

    private static final Pattern ENDPOINT = Pattern.compile("[A-Za-z0-9._\\-\\[\\]:]+:[0-9]{1,5}");
    public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public ManagedChannel get(String endpoint) {
        if (endpoint == null || !ENDPOINT.matcher(endpoint).matches()) {
            throw new IllegalArgumentException("peer endpoint must be host:port, got '" + endpoint + "'");
        }
        return channels.computeIfAbsent(endpoint, e -> ManagedChannelBuilder.forTarget(e)
                .usePlaintext()
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build());
    }

    @PreDestroy
    void shutdown() throws InterruptedException {
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel c : channels.values()) {
            c.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
