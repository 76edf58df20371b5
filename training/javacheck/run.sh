#!/bin/sh
# Checks models/golden/* with ONNX Runtime 1.29 (Java) + DJL tokenizers 0.38 from the local Maven repository.
R=${M2_REPO:-$HOME/.m2/repository}
CP=$R/com/microsoft/onnxruntime/onnxruntime/1.29.0/onnxruntime-1.29.0.jar:$R/ai/djl/huggingface/tokenizers/0.38.0/tokenizers-0.38.0.jar:$R/ai/djl/api/0.38.0/api-0.38.0.jar:$R/com/google/code/gson/gson/2.13.1/gson-2.13.1.jar:$R/net/java/dev/jna/jna/5.17.0/jna-5.17.0.jar:$R/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar
cd "$(dirname "$0")/../.." && exec java -cp "$CP" training/javacheck/GoldenCheck.java "${1:-models}"
