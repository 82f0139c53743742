// The optimisation pipeline over typed IR, listed once (Halide's Lower.cpp). Each pass is a pure
// function IRFunction -> IRFunction with a kebab-case tag for `--print-after` and timing.

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
    /// calls `printAfter` with the tag and IR after each pass whose tag is in `printTags`.
    public static func run(_ f: IRFunction, options: PassOptions, verify: Bool = false,
                           printTags: Set<String> = [], printAfter: (String, IRFunction) -> Void = { _, _ in })
        -> IRFunction {
        var f = f
        var shouldVerify = verify || alwaysVerify
        assert({ shouldVerify = true; return true }())
        if shouldVerify { Verifier.verify(f, after: "specialize") }
        for pass in passes {
            f = pass.run(f, options)
            if shouldVerify { Verifier.verify(f, after: pass.tag) }
            if printTags.contains(pass.tag) || printTags.contains("all") { printAfter(pass.tag, f) }
        }
        return f
    }
}
