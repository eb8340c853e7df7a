# fastnn's vocabulary as Python mappings (included by _core.pyx), read from
# the C tables of csrc/vocab.h: the one definition of every name and code.

cdef extern from "vocab_export.h":
    ctypedef struct fnn_activation_entry:
        const char *name
        int code
        const char *grad_needs
        const char *init
    ctypedef struct fnn_vocab_entry:
        const char *name
        int code
    const fnn_activation_entry *fnn_activation_entries
    const fnn_vocab_entry *fnn_activation_alias_entries
    const fnn_vocab_entry *fnn_loss_entries
    const fnn_vocab_entry *fnn_output_entries
    const fnn_vocab_entry *fnn_optimizer_entries
    const fnn_vocab_entry *fnn_dropout_mode_entries
    const fnn_vocab_entry *fnn_adam_eps_style_entries
    const fnn_vocab_entry *fnn_augment_entries
    const fnn_vocab_entry *fnn_isa_entries
    const fnn_vocab_entry *fnn_cpu_feature_entries
    size_t FNN_ENTRIES_LEN(...)


cdef dict _vocab_codes(const fnn_vocab_entry *table, size_t n):
    """{name: code} in table (code) order."""
    return {table[i].name.decode(): table[i].code for i in range(n)}


# {name: {"code": int, "grad_needs": "a" | "z", "init": "he" | "glorot"}}
ACTIVATIONS = {
    fnn_activation_entries[i].name.decode(): {
        "code": fnn_activation_entries[i].code,
        "grad_needs": fnn_activation_entries[i].grad_needs.decode(),
        "init": fnn_activation_entries[i].init.decode()}
    for i in range(FNN_ENTRIES_LEN(fnn_activation_entries))}
# {alias: activation name}, e.g. "logistic" -> "sigmoid"
ACTIVATION_ALIASES = {
    alias: next(name for name, row in ACTIVATIONS.items() if row["code"] == code)
    for alias, code in _vocab_codes(fnn_activation_alias_entries,
                                    FNN_ENTRIES_LEN(fnn_activation_alias_entries)).items()}
LOSSES = _vocab_codes(fnn_loss_entries, FNN_ENTRIES_LEN(fnn_loss_entries))
OUTPUTS = _vocab_codes(fnn_output_entries, FNN_ENTRIES_LEN(fnn_output_entries))
OPTIMIZERS = _vocab_codes(fnn_optimizer_entries, FNN_ENTRIES_LEN(fnn_optimizer_entries))
DROPOUT_MODES = _vocab_codes(fnn_dropout_mode_entries, FNN_ENTRIES_LEN(fnn_dropout_mode_entries))
ADAM_EPS_STYLES = _vocab_codes(fnn_adam_eps_style_entries,
                               FNN_ENTRIES_LEN(fnn_adam_eps_style_entries))
# {augmentation name: bit flag} of the compiled epoch's image augmentation
AUGMENT_BITS = _vocab_codes(fnn_augment_entries, FNN_ENTRIES_LEN(fnn_augment_entries))
# ISA names indexed by code (fnn_isa)
_isa_codes = _vocab_codes(fnn_isa_entries, FNN_ENTRIES_LEN(fnn_isa_entries))
ISA_NAMES = tuple(sorted(_isa_codes, key=_isa_codes.get))
# {feature name: bit mask} as fnn_cpu_features() reports them
CPU_FEATURE_BITS = {name: 1 << bit for name, bit in _vocab_codes(
    fnn_cpu_feature_entries, FNN_ENTRIES_LEN(fnn_cpu_feature_entries)).items()}
