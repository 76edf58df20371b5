package io.latentlink.bench.scaling;

import io.latentlink.demo.NodeLauncher;
import io.latentlink.proto.v1.NodeGrpc;
import io.latentlink.proto.v1.StatusReply;
import io.latentlink.proto.v1.StatusRequest;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sender, projector and receiver as separate JVMs on loopback (the demo's {@link NodeLauncher}, on the node jars the
 * reactor builds), and their memory high-water over a stretch of work through Node.Status.
 */
public final class NodeTrio implements AutoCloseable {
    public static final String[] NAMES = {"sender", "projector", "receiver"};

    private final Map<String, NodeLauncher> nodes = new LinkedHashMap<>();

    /**
     * @param common       latentlink.* settings for every node
     * @param creditWindow {@code latentlink.credit-window} of the projector and the receiver (the sender has none)
     */
    public static NodeTrio start(Path repo, Map<String, String> common, int creditWindow, Path logs) throws Exception {
        NodeTrio trio = new NodeTrio();
        try {
            System.err.println("starting sender, projector and receiver as separate JVMs (logs: " + logs + ")");
            Map<String, String> credited = new LinkedHashMap<>(common);
            credited.put("latentlink.credit-window", Integer.toString(creditWindow));
            trio.nodes.put("sender", NodeLauncher.start(repo, "sender-node", common, logs));
            trio.nodes.put("projector", NodeLauncher.start(repo, "projector-node", credited, logs));
            trio.nodes.get("sender").awaitServing(180);
            trio.nodes.get("projector").awaitServing(180);
            Map<String, String> receiver = new LinkedHashMap<>(credited);
            receiver.put("latentlink.sender-endpoint", trio.nodes.get("sender").endpoint());
            receiver.put("latentlink.projector-endpoint", trio.nodes.get("projector").endpoint());
            trio.nodes.put("receiver", NodeLauncher.start(repo, "receiver-node", receiver, logs));
            trio.nodes.get("receiver").awaitServing(180);
            return trio;
        } catch (Exception | Error e) {
            trio.close();
            throw e;
        }
    }

    public NodeLauncher receiver() {
        return nodes.get("receiver");
    }

    /**
     * Starts a new peak measurement on every node; returns what each held at that moment (the replies' current
     * values; their peaks are the previous measurement's).
     */
    public NodeMemory resetPeaks() {
        Map<String, StatusReply> m = new LinkedHashMap<>();
        nodes.forEach((name, n) -> m.put(name, status(n, true)));
        return new NodeMemory(m);
    }

    /** Every node's gauges now: the peaks since the last {@link #resetPeaks()}. */
    public NodeMemory read() {
        Map<String, StatusReply> m = new LinkedHashMap<>();
        nodes.forEach((name, n) -> m.put(name, status(n, false)));
        return new NodeMemory(m);
    }

    private static StatusReply status(NodeLauncher n, boolean reset) {
        return NodeGrpc.newBlockingStub(n.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .status(StatusRequest.newBuilder().setResetPeak(reset).build());
    }

    @Override
    public void close() throws InterruptedException {
        for (String name : new String[] {"receiver", "projector", "sender"}) {
            NodeLauncher n = nodes.remove(name);
            if (n != null) {
                n.close();
            }
        }
    }
}
