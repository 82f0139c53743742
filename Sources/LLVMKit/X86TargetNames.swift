// The x86-64 CPU names and feature names each supported LLVM version accepts, for checking what
// a user names (`--cpu`, `--features`, `cpu:`/`features:` of the API) before LLVM sees it: LLVM's
// C API cannot list them, and an unknown or 32-bit-only CPU makes LLVM abort the process
// ("64-bit code requested on a subtarget that doesn't support it"). In: nothing; out: the tables.
// Generated from `llc -mtriple=x86_64-unknown-linux-gnu -mcpu=help` / `-mattr=help` of LLVM 14
// and 19, keeping only the CPUs for which llc compiles a 64-bit function without aborting.

enum X86TargetNames {
    /// CPUs LLVM 14 compiles 64-bit code for.
    static let cpus14: String =
        "alderlake amdfam10 athlon-fx athlon64 athlon64-sse3 atom barcelona bdver1 bdver2 bdver3 bdver4 bonnell " +
        "broadwell btver1 btver2 cannonlake cascadelake cooperlake core-avx-i core-avx2 core2 corei7 corei7-avx " +
        "generic goldmont goldmont-plus haswell icelake-client icelake-server ivybridge k8 k8-sse3 knl knm " +
        "nehalem nocona opteron opteron-sse3 penryn rocketlake sandybridge sapphirerapids silvermont skx skylake " +
        "skylake-avx512 slm tigerlake tremont westmere x86-64 x86-64-v2 x86-64-v3 x86-64-v4 znver1 znver2 " +
        "znver3 "

    /// Features LLVM 14 knows.
    static let features14: String =
        "16bit-mode 32bit-mode 3dnow 3dnowa 64bit 64bit-mode adx aes amx-bf16 amx-int8 amx-tile avx avx2 avx512bf16 " +
        "avx512bitalg avx512bw avx512cd avx512dq avx512er avx512f avx512fp16 avx512ifma avx512pf avx512vbmi " +
        "avx512vbmi2 avx512vl avx512vnni avx512vp2intersect avx512vpopcntdq avxvnni bmi bmi2 branchfusion " +
        "cldemote clflushopt clwb clzero cmov crc32 cx16 cx8 enqcmd ermsb f16c false-deps-lzcnt-tzcnt false-deps-popcnt " +
        "fast-11bytenop fast-15bytenop fast-7bytenop fast-bextr fast-gather fast-hops fast-lzcnt fast-movbe " +
        "fast-scalar-fsqrt fast-scalar-shift-masks fast-shld-rotate fast-variable-crosslane-shuffle fast-variable-perlane-shuffle " +
        "fast-vector-fsqrt fast-vector-shift-masks fma fma4 fsgsbase fsrm fxsr gfni hreset idivl-to-divb idivq-to-divl " +
        "invpcid kl lea-sp lea-uses-ag lvi-cfi lvi-load-hardening lwp lzcnt macrofusion mmx movbe movdir64b " +
        "movdiri mwaitx nopl pad-short-functions pclmul pconfig pku popcnt prefer-128-bit prefer-256-bit prefer-mask-registers " +
        "prefetchwt1 prfchw ptwrite rdpid rdrnd rdseed retpoline retpoline-external-thunk retpoline-indirect-branches " +
        "retpoline-indirect-calls rtm sahf serialize seses sgx sha shstk slow-3ops-lea slow-incdec slow-lea " +
        "slow-pmaddwd slow-pmulld slow-shld slow-two-mem-ops slow-unaligned-mem-16 slow-unaligned-mem-32 soft-float " +
        "sse sse-unaligned-mem sse2 sse3 sse4.1 sse4.2 sse4a ssse3 tagged-globals tbm tsxldtrk uintr use-aa " +
        "use-glm-div-sqrt-costs use-slm-arith-costs vaes vpclmulqdq vzeroupper waitpkg wbnoinvd widekl x87 " +
        "xop xsave xsavec xsaveopt xsaves "

    /// CPUs LLVM 19 compiles 64-bit code for.
    static let cpus19: String =
        "alderlake amdfam10 arrowlake arrowlake-s arrowlake_s athlon-fx athlon64 athlon64-sse3 atom atom_sse4_2 " +
        "atom_sse4_2_movbe barcelona bdver1 bdver2 bdver3 bdver4 bonnell broadwell btver1 btver2 cannonlake " +
        "cascadelake clearwaterforest cooperlake core-avx-i core-avx2 core2 core_2_duo_sse4_1 core_2_duo_ssse3 " +
        "core_2nd_gen_avx core_3rd_gen_avx core_4th_gen_avx core_4th_gen_avx_tsx core_5th_gen_avx core_5th_gen_avx_tsx " +
        "core_aes_pclmulqdq core_i7_sse4_2 corei7 corei7-avx emeraldrapids generic goldmont goldmont-plus " +
        "goldmont_plus gracemont grandridge graniterapids graniterapids-d graniterapids_d haswell icelake-client " +
        "icelake-server icelake_client icelake_server ivybridge k8 k8-sse3 knl knm lunarlake meteorlake mic_avx512 " +
        "nehalem nocona opteron opteron-sse3 pantherlake penryn raptorlake rocketlake sandybridge sapphirerapids " +
        "sierraforest silvermont skx skylake skylake-avx512 skylake_avx512 slm tigerlake tremont westmere " +
        "x86-64 x86-64-v2 x86-64-v3 x86-64-v4 znver1 znver2 znver3 znver4 znver5 "

    /// Features LLVM 19 knows.
    static let features19: String =
        "16bit-mode 32bit-mode 64bit 64bit-mode adx aes allow-light-256-bit amx-bf16 amx-complex amx-fp16 " +
        "amx-int8 amx-tile avx avx10.1-256 avx10.1-512 avx2 avx512bf16 avx512bitalg avx512bw avx512cd avx512dq " +
        "avx512f avx512fp16 avx512ifma avx512vbmi avx512vbmi2 avx512vl avx512vnni avx512vp2intersect avx512vpopcntdq " +
        "avxifma avxneconvert avxvnni avxvnniint16 avxvnniint8 bmi bmi2 branch-hint branchfusion ccmp cf cldemote " +
        "clflushopt clwb clzero cmov cmpccxadd crc32 cx16 cx8 egpr enqcmd ermsb evex512 f16c false-deps-getmant " +
        "false-deps-lzcnt-tzcnt false-deps-mulc false-deps-mullq false-deps-perm false-deps-popcnt false-deps-range " +
        "fast-11bytenop fast-15bytenop fast-7bytenop fast-bextr fast-dpwssd fast-gather fast-hops fast-imm16 " +
        "fast-lzcnt fast-movbe fast-scalar-fsqrt fast-scalar-shift-masks fast-shld-rotate fast-variable-crosslane-shuffle " +
        "fast-variable-perlane-shuffle fast-vector-fsqrt fast-vector-shift-masks faster-shift-than-shuffle " +
        "fma fma4 fsgsbase fsrm fxsr gfni harden-sls-ijmp harden-sls-ret hreset idivl-to-divb idivq-to-divl " +
        "inline-asm-use-gpr32 invpcid kl lea-sp lea-uses-ag lvi-cfi lvi-load-hardening lwp lzcnt macrofusion " +
        "mmx movbe movdir64b movdiri mwaitx ndd nf no-bypass-delay no-bypass-delay-blend no-bypass-delay-mov " +
        "no-bypass-delay-shuffle nopl pad-short-functions pclmul pconfig pku popcnt ppx prefer-128-bit prefer-256-bit " +
        "prefer-mask-registers prefer-movmsk-over-vtest prefer-no-gather prefer-no-scatter prefetchi prfchw " +
        "ptwrite push2pop2 raoint rdpid rdpru rdrnd rdseed retpoline retpoline-external-thunk retpoline-indirect-branches " +
        "retpoline-indirect-calls rtm sahf sbb-dep-breaking serialize seses sgx sha sha512 shstk slow-3ops-lea " +
        "slow-incdec slow-lea slow-pmaddwd slow-pmulld slow-shld slow-two-mem-ops slow-unaligned-mem-16 slow-unaligned-mem-32 " +
        "sm3 sm4 soft-float sse sse-unaligned-mem sse2 sse3 sse4.1 sse4.2 sse4a ssse3 tagged-globals tbm tsxldtrk " +
        "tuning-fast-imm-vector-shift uintr use-glm-div-sqrt-costs use-slm-arith-costs usermsr vaes vpclmulqdq " +
        "vzeroupper waitpkg wbnoinvd widekl x87 xop xsave xsavec xsaveopt xsaves zu "
}
