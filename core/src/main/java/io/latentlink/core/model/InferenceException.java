package io.latentlink.core.model;

/** ONNX Runtime failed while creating a session or running the model; the cause holds ORT's own error. */
public class InferenceException extends RuntimeException {
    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
