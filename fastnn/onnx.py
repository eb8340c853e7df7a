"""``import fastnn.onnx`` registers fastnn's estimators with skl2onnx, so
skl2onnx.to_onnx converts a Pipeline holding them (fastnn/export/onnx.py)."""
from fastnn.export.onnx import DEFAULT_OPSET, register

register()

__all__ = ["DEFAULT_OPSET", "register"]
