/// How freely floating-point code may be rearranged. Part of every cache key.
///
/// - `strict`: IEEE semantics; no contraction, no reassociation, libm accuracy.
/// - `relaxed` (default): contraction to FMA, reassociation, no signed zeros and approximate
///   functions are allowed, but NaN and infinity keep their meaning, so `isnan` works.
/// - `fast`: everything, including assuming no NaN or infinity, except in the operands of
///   `isnan`, `isinf` and `isfinite`, which keep NaN and infinity semantics.
public enum MathMode: String, CaseIterable, Hashable, Sendable {
    case strict, relaxed, fast
}

/// Options that decide what the passes do; part of the cache key.
public struct PassOptions: Hashable, Sendable {
    public var mathMode: MathMode
    public init(mathMode: MathMode = .relaxed) { self.mathMode = mathMode }
}
