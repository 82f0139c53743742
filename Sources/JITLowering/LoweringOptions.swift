import JITSema
import LLVMKit

/// Everything that decides the machine code besides the IR itself; part of the cache key.
public struct LoweringOptions: Hashable, Sendable {
    /// Floating-point freedom.
    public var mathMode: MathMode
    /// LLVM optimisation level, 0...3 (`default<O3>` etc.).
    public var optimizationLevel: Int
    /// Kernels: check array indices and integer divisors (an error instead of undefined behaviour).
    public var boundsChecks: Bool
    /// Our vectorisable math functions (`VectorMath`); off: every builtin lowers by the builtin
    /// table's rule. (`CompileOptions` sets it from `SWIFTJIT_VECTOR_MATH`.)
    public var vectorMath: Bool
    /// glibc's libmvec where the choice table picks it; off: ours instead. Never on where libmvec
    /// is not usable in this process (`LibMVec.available`). (`CompileOptions`: `SWIFTJIT_LIBMVEC`.)
    public var libmvec: Bool
    /// Elementwise arithmetic expressions at level 3 use `leanPipeline` (the optimiser takes half
    /// the time, the same vector loop); false: LLVM's `default<O3>` for them too, for A/B
    /// comparisons. (`CompileOptions` sets it from `SWIFTJIT_PIPELINE`.)
    public var leanExpressions: Bool
    /// Elementwise expressions: the variant for outputs much larger than the caches
    /// (`StreamingStores`). Its entry is called only with the output 64-byte aligned at `begin`,
    /// and its aligned vector stores to the output are non-temporal (IRGen+StreamingStores.swift).
    /// The runtime compiles it beside the plain variant when a call first streams.
    public var streamingOutput: Bool

    public init(mathMode: MathMode = .relaxed, optimizationLevel: Int = 3, boundsChecks: Bool = true,
                vectorMath: Bool = true, libmvec: Bool = true, leanExpressions: Bool = true,
                streamingOutput: Bool = false) {
        self.mathMode = mathMode
        self.optimizationLevel = min(3, max(0, optimizationLevel))
        self.boundsChecks = boundsChecks
        self.vectorMath = vectorMath
        self.libmvec = libmvec && LibMVec.available
        self.leanExpressions = leanExpressions
        self.streamingOutput = streamingOutput
    }

    /// The new-pass-manager pipeline text for kernels (and reductions): LLVM's default at the level.
    public var passPipeline: String { "default<O\(optimizationLevel)>" }

    /// The pipeline for an elementwise expression: one loop over inlined scalar code (our vector
    /// math included), which needs inlining, scalar cleanup, loop canonicalisation, the loop
    /// vectoriser and a cleanup after it, not the ~90 passes of `default<O3>` (profiled:
    /// `swiftjit compile-bench`, docs/benchmarks.md "Compile time"). LLVM 18+ checks by default that
    /// an explicitly named instcombine reaches a fixpoint in one iteration (the default pipelines
    /// do not): turned off as they do.
    public static let leanPipeline: String = {
        let combine = LLVM.versionMajor >= 18 ? "instcombine<no-verify-fixpoint>" : "instcombine"
        return "always-inline,function(sroa,early-cse,\(combine),simplifycfg,loop(loop-rotate),loop-mssa(licm),"
            + "inject-tli-mappings,loop-vectorize,\(combine),simplifycfg)"
    }()

    /// The quick tier's pipeline for kernels (compiled for their first calls while `default<O3>`
    /// runs on the background thread, docs/cache.md "Compile tiers"): scalar cleanup only, no
    /// loop passes and no vectorizer, then code generation at level 0 (FastISel). Bodies marked
    /// `alwaysinline` are not inlined (they stay functions, compiled once): a third less code for
    /// the code generator for the same results.
    public static let quickPipeline: String = {
        let combine = LLVM.versionMajor >= 18 ? "instcombine<no-verify-fixpoint>" : "instcombine"
        return "function(sroa,early-cse,\(combine),simplifycfg)"
    }()

    /// The pipeline for an elementwise function: lean for arithmetic-only loops; `default<O3>` for
    /// a reduction's row loop (`reduces`) and for loops that call builtins (`calls`: the vector
    /// math and libmvec variants rely on attributes that O3's interprocedural passes infer).
    public func expressionPipeline(reduces: Bool, calls: Bool) -> String {
        leanExpressions && optimizationLevel == 3 && !reduces && !calls ? Self.leanPipeline : passPipeline
    }
}
