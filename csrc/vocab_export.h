/* The tables of vocab.h as static C arrays, for the bindings only
 * (fastnn/_vocab.pxi turns them into the Python mappings of fastnn._core). */
#ifndef FASTNN_VOCAB_EXPORT_H
#define FASTNN_VOCAB_EXPORT_H
#include <stddef.h>
#include "vocab.h"

typedef struct {
    const char *name;
    int code;
    const char *grad_needs; /* "a" or "z" */
    const char *init;       /* "he" or "glorot" */
} fnn_activation_entry;

typedef struct {
    const char *name;
    int code;  /* a bit index for CPU features; an alias's target code */
} fnn_vocab_entry;

#define FNN_VOCAB_A "a"
#define FNN_VOCAB_Z "z"
#define FNN_VOCAB_HE "he"
#define FNN_VOCAB_GLOROT "glorot"
#define FNN_ACT_ENTRY(ID, name, code, grad_needs, init, ...) \
    {name, code, FNN_VOCAB_##grad_needs, FNN_VOCAB_##init},
#define FNN_ALIAS_ENTRY(alias, ID) {alias, FNN_ACT_##ID},
#define FNN_VOCAB_ENTRY(ID, name, code) {name, code},

static const fnn_activation_entry fnn_activation_entries[] = {FNN_ACTIVATIONS(FNN_ACT_ENTRY)};
static const fnn_vocab_entry fnn_activation_alias_entries[] = {
    FNN_ACTIVATION_ALIASES(FNN_ALIAS_ENTRY)};
static const fnn_vocab_entry fnn_loss_entries[] = {FNN_LOSSES(FNN_VOCAB_ENTRY)};
static const fnn_vocab_entry fnn_output_entries[] = {FNN_OUTPUTS(FNN_VOCAB_ENTRY)};
static const fnn_vocab_entry fnn_optimizer_entries[] = {FNN_OPTIMIZERS(FNN_VOCAB_ENTRY)};
static const fnn_vocab_entry fnn_dropout_mode_entries[] = {FNN_DROPOUT_MODES(FNN_VOCAB_ENTRY)};
static const fnn_vocab_entry fnn_adam_eps_style_entries[] = {
    FNN_ADAM_EPS_STYLES(FNN_VOCAB_ENTRY)};
static const fnn_vocab_entry fnn_augment_entries[] = {FNN_AUGMENTS(FNN_VOCAB_ENTRY)};
static const fnn_vocab_entry fnn_isa_entries[] = {FNN_ISAS(FNN_VOCAB_ENTRY)};
static const fnn_vocab_entry fnn_cpu_feature_entries[] = {FNN_CPU_FEATURES(FNN_VOCAB_ENTRY)};

#undef FNN_ACT_ENTRY
#undef FNN_ALIAS_ENTRY
#undef FNN_VOCAB_ENTRY

#define FNN_ENTRIES_LEN(table) (sizeof(table) / sizeof((table)[0]))
#endif
