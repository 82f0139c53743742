import JITSema

/// Everything that decides the machine code besides the IR itself; part of the cache key.
public struct LoweringOptions: Hashable, Sendable {
    /// Floating-point freedom.
    public var mathMode: MathMode
    /// LLVM optimisation level, 0...3 (`default<O3>` etc.).
    public var optimizationLevel: Int
    /// Kernels: check array indices and integer divisors (an error instead of undefined behaviour).
    public var boundsChecks: Bool

    public init(mathMode: MathMode = .relaxed, optimizationLevel: Int = 3, boundsChecks: Bool = true) {
        self.mathMode = mathMode
        self.optimizationLevel = min(3, max(0, optimizationLevel))
        self.boundsChecks = boundsChecks
    }

    /// The new-pass-manager pipeline text.
    public var passPipeline: String { "default<O\(optimizationLevel)>" }
}
