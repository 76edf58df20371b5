#!/usr/bin/env bash
# Installs what training/ needs on a Debian bookworm machine (PyPI is not reachable here): PyTorch 1.13 (CPU),
# ONNX, regex, NumPy, and OpenMP OpenBLAS (without it Debian's torch falls back to reference BLAS, ~4x slower).
set -euo pipefail
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq python3-torch python3-onnx python3-regex python3-numpy libopenblas0-openmp
/usr/bin/python3 -c "import torch, onnx; print('torch', torch.__version__, 'onnx', onnx.__version__)"
