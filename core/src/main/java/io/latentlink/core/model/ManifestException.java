package io.latentlink.core.model;

/**
 * A model folder that cannot be used as it is: a bad or unsupported {@code genai_config.json} field, or a
 * {@code model.onnx} whose inputs and outputs disagree with it. The message names the field or the graph value.
 */
public class ManifestException extends IllegalArgumentException {
    private final String field;

    public ManifestException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** Dotted path of the offending config field (e.g. {@code model.decoder.head_size}) or graph input/output name. */
    public String field() {
        return field;
    }
}
