# Bindings for csrc/train (included by _core.pyx).
