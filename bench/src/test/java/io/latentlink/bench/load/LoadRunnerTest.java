package io.latentlink.bench.load;

import com.google.protobuf.Message;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.latentlink.proto.v1.GenerateRequest;
import io.latentlink.proto.v1.GenerateResponse;
import io.latentlink.proto.v1.GenerateStats;
import io.latentlink.proto.v1.GeneratedToken;
import io.latentlink.proto.v1.ReceiverGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner against an in-process Receiver that streams two tokens and stats, and refuses prompts saying "bad". */
class LoadRunnerTest {
    private final AtomicInteger served = new AtomicInteger();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(new ReceiverGrpc.ReceiverImplBase() {
            @Override
            public void generate(GenerateRequest request, StreamObserver<GenerateResponse> out) {
                served.incrementAndGet();
                if (request.getPrompt().contains("bad")) {
                    out.onError(Status.INVALID_ARGUMENT.withDescription("bad prompt").asRuntimeException());
                    return;
                }
                out.onNext(GenerateResponse.newBuilder().setToken(GeneratedToken.newBuilder().setIndex(0).setText("a")).build());
                out.onNext(GenerateResponse.newBuilder().setToken(GeneratedToken.newBuilder().setIndex(1).setText("b")).build());
                out.onNext(GenerateResponse.newBuilder().setStats(GenerateStats.newBuilder().setText("ab")).build());
                out.onCompleted();
            }
        }).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private LoadRunner.Result run(String data, String... flags) throws Exception {
        String[] args = new String[flags.length + 3];
        args[0] = "--call";
        args[1] = "latentlink.v1.Receiver.Generate";
        System.arraycopy(flags, 0, args, 2, flags.length);
        args[args.length - 1] = "127.0.0.1:1";
        LoadOptions options = LoadOptions.parse(args);
        MethodDescriptor<Message, Message> method = MethodCatalog.latentlink().resolve(options.call());
        return new LoadRunner(channel, method, MethodCatalog.request(method, data), options).run();
    }

    @Test
    void sendsExactlyTheRequestedNumberOfCalls() throws Exception {
        LoadRunner.Result r = run("{\"prompt\":\"hello\"}", "-n", "37", "-c", "4");
        assertEquals(37, served.get());
        assertEquals(37, r.stats().count());
        assertEquals(37L, r.stats().statusCodes().get("OK"));
        var json = LoadMain.summary(LoadOptions.parse("--call", "a.B.C", "-n", "37", "-c", "4", "127.0.0.1:1"), r);
        assertEquals(3.0, json.get("messages_per_call").asDouble());
        assertTrue(json.has("first_message_ms"));
        assertEquals(37, json.get("count").asLong());
        assertEquals(4, json.get("options").get("concurrency").asInt());
    }

    @Test
    void errorsAreCountedByStatusWithTheirMessage() throws Exception {
        LoadRunner.Result r = run("{\"prompt\":\"bad\"}", "-n", "5", "-c", "2");
        assertEquals(5L, r.stats().statusCodes().get("INVALID_ARGUMENT"));
        assertEquals(5L, r.stats().errorSamples().get("INVALID_ARGUMENT: bad prompt"));
    }

    @Test
    void aDurationRunStopsByItself() throws Exception {
        // 200 rps for 100 ms: the schedule holds ~20 permits; the run ends by the clock, whatever the machine's speed.
        LoadRunner.Result r = run("{\"prompt\":\"hello\"}", "-z", "100ms", "-c", "2", "--rps", "200");
        assertTrue(r.stats().count() > 0 && r.stats().count() <= 21, "count " + r.stats().count());
        assertEquals(r.stats().count(), served.get());
    }

    @Test
    void aRateLimitedCountRunSendsEveryRequest() throws Exception {
        LoadRunner.Result r = run("{}", "-n", "6", "-c", "3", "--rps", "1000");
        assertEquals(6, r.stats().count());
    }

    @Test
    void eachCallCanSendItsOwnRequest() throws Exception {
        LoadOptions options = LoadOptions.parse("--call", "latentlink.v1.Receiver.Generate", "-n", "9", "-c", "3", "127.0.0.1:1");
        MethodDescriptor<Message, Message> method = MethodCatalog.latentlink().resolve(options.call());
        // Every third call (index 2, 5, 8) is refused: each index is used exactly once.
        LoadRunner.Result r = new LoadRunner(channel, method,
                i -> GenerateRequest.newBuilder().setPrompt(i % 3 == 2 ? "bad " + i : "ok " + i).build(), options).run();
        assertEquals(9, served.get());
        assertEquals(6L, r.stats().statusCodes().get("OK"));
        assertEquals(3L, r.stats().statusCodes().get("INVALID_ARGUMENT"));
    }
}
