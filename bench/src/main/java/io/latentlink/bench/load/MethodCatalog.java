package io.latentlink.bench.load;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.latentlink.proto.v1.NodeGrpc;
import io.latentlink.proto.v1.ProjectorGrpc;
import io.latentlink.proto.v1.ReceiverGrpc;
import io.latentlink.proto.v1.SenderGrpc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gRPC methods the load tool can call, found by name in the generated stubs: the tool works on the
 * {@link MethodDescriptor}s and message prototypes directly, so every method of the LatentLink services is callable
 * without code per method.
 */
public final class MethodCatalog {
    private final Map<String, MethodDescriptor<?, ?>> methods = new LinkedHashMap<>();

    public MethodCatalog(List<ServiceDescriptor> services) {
        for (ServiceDescriptor service : services) {
            for (MethodDescriptor<?, ?> m : service.getMethods()) {
                methods.put(m.getFullMethodName(), m);
            }
        }
    }

    /** Receiver, Projector, Sender and Node of {@code latentlink.v1}. */
    public static MethodCatalog latentlink() {
        return new MethodCatalog(List.of(ReceiverGrpc.getServiceDescriptor(), ProjectorGrpc.getServiceDescriptor(),
                SenderGrpc.getServiceDescriptor(), NodeGrpc.getServiceDescriptor()));
    }

    public List<String> names() {
        return new ArrayList<>(methods.keySet());
    }

    /**
     * Resolves {@code package.Service.Method} (ghz's form) or {@code package.Service/Method} (gRPC's). Only unary and
     * server-streaming methods are accepted: the client-streaming ones take a protocol of chunks and credits that one
     * JSON message cannot express.
     */
    @SuppressWarnings("unchecked")
    public MethodDescriptor<Message, Message> resolve(String call) {
        String name = call.trim();
        if (!name.contains("/")) {
            int dot = name.lastIndexOf('.');
            if (dot <= 0) {
                throw new IllegalArgumentException("--call must be package.Service.Method, got '" + call + "'");
            }
            name = name.substring(0, dot) + "/" + name.substring(dot + 1);
        }
        MethodDescriptor<?, ?> m = methods.get(name);
        if (m == null) {
            throw new IllegalArgumentException("unknown method '" + call + "'; known: " + String.join(", ", dotted()));
        }
        if (m.getType() != MethodDescriptor.MethodType.UNARY && m.getType() != MethodDescriptor.MethodType.SERVER_STREAMING) {
            throw new IllegalArgumentException(call + " is " + m.getType()
                    + "; the load tool calls unary and server-streaming methods only");
        }
        if (!(m.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?>)) {
            throw new IllegalArgumentException(call + " does not use protobuf messages");
        }
        return (MethodDescriptor<Message, Message>) m;
    }

    /** Parses {@code json} (protobuf's JSON mapping; unknown fields are an error) into the method's request type. */
    public static Message request(MethodDescriptor<Message, Message> method, String json) {
        Message prototype = (Message) ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller()).getMessagePrototype();
        Message.Builder builder = prototype.newBuilderForType();
        try {
            JsonFormat.parser().merge(json, builder);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("-d is not a valid " + prototype.getDescriptorForType().getFullName()
                    + " in JSON: " + e.getMessage(), e);
        }
        return builder.build();
    }

    private List<String> dotted() {
        return methods.values().stream()
                .filter(m -> m.getType() == MethodDescriptor.MethodType.UNARY || m.getType() == MethodDescriptor.MethodType.SERVER_STREAMING)
                .map(m -> m.getFullMethodName().replace('/', '.')).toList();
    }
}
