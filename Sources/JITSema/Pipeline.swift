// The optimisation pipeline over typed IR, listed once (Halide's Lower.cpp). Each pass is a pure
// function IRFunction -> IRFunction with a kebab-case tag for `--print-after` and `--time-stages`.
// The compile driver (SwiftJIT's CompileDriver.swift) runs it between type specialization and
// lowering, and lists its passes among the other stages; kernels run it on each scalar expression
// while they are checked.

/// One pass with its tag.
public struct Pass: Sendable {
    public let tag: String
    public let run: @Sendable (IRFunction, PassOptions) -> IRFunction
}

public enum Pipeline {
    /// The passes, in order.
    public static let passes: [Pass] = [
        Pass(tag: "fold-constants", run: foldConstants),
        Pass(tag: "expand-powers", run: expandPowers),
        Pass(tag: "fold-constants", run: foldConstants),
        Pass(tag: "dce", run: eliminateDeadCode),
    ]

    /// Verify after every pass in release builds too (the fuzz targets set it).
    public nonisolated(unsafe) static var alwaysVerify = false

    /// Runs every pass; verifies after each one in debug builds (always when `verify` is set);
    /// times each pass and prints the IR after it through `trace` when given.
    public static func run(_ f: IRFunction, options: PassOptions, verify: Bool = false, trace: StageTrace? = nil)
        -> IRFunction {
        var f = f
        var shouldVerify = verify || alwaysVerify
        assert({ shouldVerify = true; return true }())
        if shouldVerify { Verifier.verify(f, after: "specialize") }
        for pass in passes {
            f = trace.run(pass.tag, { pass.run(f, options) }, text: \.description)
            if shouldVerify { Verifier.verify(f, after: pass.tag) }
        }
        return f
    }
}
