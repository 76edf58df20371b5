package io.latentlink.core.model;

/** {@code model.onnx}'s inputs or outputs do not match what {@code genai_config.json} declares. */
public class GraphMismatchException extends ManifestException {
    public GraphMismatchException(String name, String message) {
        super(name, "model.onnx does not match genai_config.json: " + message);
    }
}
