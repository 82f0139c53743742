import JITSema

/// Everything that decides the machine code besides the IR itself; part of the cache key.
public struct LoweringOptions: Hashable, Sendable {
    /// Floating-point freedom.
    public var mathMode: MathMode
    /// LLVM optimisation level, 0...3 (`default<O3>` etc.).
    public var optimizationLevel: Int
    /// Kernels: check array indices and integer divisors (an error instead of undefined behaviour).
    public var boundsChecks: Bool
    /// Our vectorisable math functions (`VectorMath`); off: every builtin lowers by the builtin
    /// table's rule. Default from `SWIFTJIT_VECTOR_MATH` (`VectorMath.enabled`).
    public var vectorMath: Bool
    /// glibc's libmvec where the choice table picks it; off: ours instead. Default: whether
    /// libmvec is usable in this process (`LibMVec.available`, `SWIFTJIT_LIBMVEC=0` turns it off).
    public var libmvec: Bool

    public init(mathMode: MathMode = .relaxed, optimizationLevel: Int = 3, boundsChecks: Bool = true,
                vectorMath: Bool = VectorMath.enabled, libmvec: Bool = LibMVec.available) {
        self.mathMode = mathMode
        self.optimizationLevel = min(3, max(0, optimizationLevel))
        self.boundsChecks = boundsChecks
        self.vectorMath = vectorMath
        self.libmvec = libmvec && LibMVec.available
    }

    /// The new-pass-manager pipeline text.
    public var passPipeline: String { "default<O\(optimizationLevel)>" }
}
