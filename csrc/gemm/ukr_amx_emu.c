/* The AMX micro-kernel on the portable tile emulation (amx_emu.h): runs on
 * every CPU, so the AMX driver is tested everywhere. */
#include "gemm/amx_emu.h"

#define AMX_CAT_(a, b) a##_##b
#define AMX_CAT(a, b) AMX_CAT_(a, b)
#define NAME fnn_ukr_amx_emu_bf16
#define BEGIN fnn_amx_emu_thread_begin
#define END fnn_amx_emu_thread_end
#define AMX_LOADCONFIG(cfg) fnn_amx_emu_loadconfig(cfg)
#define AMX_RELEASE() fnn_amx_emu_release()
#define AMX_ZERO(t) fnn_amx_emu_zero(t)
#define AMX_LOAD(t, base, stride) fnn_amx_emu_load(t, base, stride)
#define AMX_STORE(t, base, stride) fnn_amx_emu_store(t, base, stride)
#define AMX_DP(c, a, b) fnn_amx_emu_dpbf16ps(c, a, b)
#include "gemm/ukr_amx.h"
