"""dicentra's training worker.

Reads a dataset.json, trains the paper's U-Net heatmap regressor with the
Sparse-Variation loss and writes one ONNX member per epoch after warm-up into a
bundle (bundle.json + members/*.onnx). Started by `dicentra train`; speaks JSON
lines on stdout (see events.py), logs on stderr.
"""

__version__ = "0.1.0"
