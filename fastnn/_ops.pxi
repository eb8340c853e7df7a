# Bindings for csrc/ops (included by _core.pyx).
