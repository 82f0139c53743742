// CompileOptions: every setting that changes the code a compile makes, as one value that the
// compile driver owns and hands to every stage. In: the caller's choices (math mode, optimisation
// level, bounds checks, target CPU and features) and the process environment, read once here
// (`SWIFTJIT_VECTOR_MATH`, `SWIFTJIT_LIBMVEC`, `SWIFTJIT_PIPELINE`, `SWIFTJIT_TIERS`; no stage reads the
// environment). Out: the options of the IR passes and of lowering, and the object key's
// settings (`Engine.settings`, `CodeSettings.keyText`), which are derived from this value field
// by field, so a setting added here cannot be left out of the key.
import Foundation
import JITLowering
import JITSema

/// Every setting that changes generated code; the object key is derived from it.
public struct CompileOptions: Hashable, Sendable {
    /// Math mode, optimisation level, bounds checks, vector math, libmvec and the expression pipeline.
    public var lowering: LoweringOptions
    /// The target CPU; nil: the host's.
    public var cpu: String?
    /// The target features; nil: the CPU's own (the host's for the host).
    public var features: String?
    /// Kernels compiled now get a quick first tier while their `default<O3>` code is compiled on
    /// the background thread and swapped in (docs/cache.md, "Compile tiers"). Not in the object
    /// key: it changes when the final code is ready, not what it is (only that code is stored).
    /// `SWIFTJIT_TIERS=0` turns it off by default.
    public var tiers: Bool

    /// Options with `lowering` as given, for the host or `cpu`/`features`.
    public init(lowering: LoweringOptions, cpu: String? = nil, features: String? = nil,
                tiers: Bool = EnvironmentSettings.process.tiers) {
        self.lowering = lowering
        self.cpu = cpu
        self.features = features
        self.tiers = tiers
    }

    /// The caller's choices, with vector math, libmvec and the expression pipeline as the
    /// environment says (`environment`, by default this process's, read once).
    public init(mathMode: MathMode = .relaxed, optimizationLevel: Int = 3, boundsChecks: Bool = true,
                environment: EnvironmentSettings = .process, cpu: String? = nil, features: String? = nil) {
        self.init(lowering: LoweringOptions(mathMode: mathMode, optimizationLevel: optimizationLevel,
                                            boundsChecks: boundsChecks, vectorMath: environment.vectorMath,
                                            libmvec: environment.libmvec, leanExpressions: environment.leanExpressions),
                  cpu: cpu, features: features, tiers: environment.tiers)
    }

    /// What the typed-IR passes read.
    public var passes: PassOptions { PassOptions(mathMode: lowering.mathMode) }
}

/// The settings that come from the environment, read once per process.
public struct EnvironmentSettings: Hashable, Sendable {
    /// `SWIFTJIT_VECTOR_MATH=0` turns our vectorisable math functions off (A/B timing).
    public var vectorMath: Bool
    /// `SWIFTJIT_LIBMVEC=0` turns glibc's libmvec off (fast mode then uses ours).
    public var libmvec: Bool
    /// `SWIFTJIT_PIPELINE=full` gives elementwise expressions LLVM's `default<O3>` instead of the
    /// lean pipeline (A/B comparisons of compile time).
    public var leanExpressions: Bool
    /// `SWIFTJIT_TIERS=0` compiles kernels straight to their final code (no quick first tier).
    public var tiers: Bool

    public init(vectorMath: Bool = true, libmvec: Bool = true, leanExpressions: Bool = true, tiers: Bool = true) {
        self.vectorMath = vectorMath
        self.libmvec = libmvec
        self.leanExpressions = leanExpressions
        self.tiers = tiers
    }

    /// The settings `environment` gives.
    public init(reading environment: [String: String]) {
        self.init(vectorMath: environment["SWIFTJIT_VECTOR_MATH"] != "0",
                  libmvec: environment["SWIFTJIT_LIBMVEC"] != "0",
                  leanExpressions: environment["SWIFTJIT_PIPELINE"] != "full",
                  tiers: environment["SWIFTJIT_TIERS"] != "0")
    }

    /// This process's, read when first used.
    public static let process = EnvironmentSettings(reading: ProcessInfo.processInfo.environment)
}
