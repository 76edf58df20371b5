package io.latentlink.bench.load;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.latentlink.proto.v1.GenerateRequest;
import io.latentlink.proto.v1.Mode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MethodCatalogTest {
    private final MethodCatalog catalog = MethodCatalog.latentlink();

    @Test
    void resolvesGhzAndGrpcNames() {
        MethodDescriptor<Message, Message> dotted = catalog.resolve("latentlink.v1.Receiver.Generate");
        assertEquals("latentlink.v1.Receiver/Generate", dotted.getFullMethodName());
        assertEquals(MethodDescriptor.MethodType.SERVER_STREAMING, dotted.getType());
        assertEquals(dotted, catalog.resolve("latentlink.v1.Receiver/Generate"));
        assertEquals(MethodDescriptor.MethodType.UNARY, catalog.resolve("latentlink.v1.Node.Status").getType());
    }

    @Test
    void parsesTheRequestFromProtobufJson() {
        MethodDescriptor<Message, Message> generate = catalog.resolve("latentlink.v1.Receiver.Generate");
        Message m = MethodCatalog.request(generate,
                "{\"prompt\":\"Question: ? Answer:\",\"mode\":\"C2C\",\"codecId\":\"int8\",\"settings\":{\"maxTokens\":4}}");
        GenerateRequest r = (GenerateRequest) m;
        assertEquals("Question: ? Answer:", r.getPrompt());
        assertEquals(Mode.C2C, r.getMode());
        assertEquals("int8", r.getCodecId());
        assertEquals(4, r.getSettings().getMaxTokens());
        assertEquals(GenerateRequest.getDefaultInstance(), MethodCatalog.request(generate, "{}"));
    }

    @Test
    void refusesUnknownMethodsStreamsFromTheClientAndBadJson() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> catalog.resolve("latentlink.v1.Receiver.Nope"));
        assertTrue(unknown.getMessage().contains("latentlink.v1.Receiver.Generate"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> catalog.resolve("Generate"));
        IllegalArgumentException bidi = assertThrows(IllegalArgumentException.class, () -> catalog.resolve("latentlink.v1.Sender.Share"));
        assertTrue(bidi.getMessage().contains("BIDI_STREAMING"), bidi.getMessage());
        MethodDescriptor<Message, Message> generate = catalog.resolve("latentlink.v1.Receiver.Generate");
        IllegalArgumentException json = assertThrows(IllegalArgumentException.class, () -> MethodCatalog.request(generate, "{\"prompt\": 1, \"nope\": 2}"));
        assertTrue(json.getMessage().contains("latentlink.v1.GenerateRequest"), json.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MethodCatalog.request(generate, "not json"));
    }
}
