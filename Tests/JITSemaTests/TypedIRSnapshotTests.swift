import JITSema
import JITSyntax
import XCTest

/// Typed IR after the pass pipeline, as stable text, for a set of expressions and signatures.
final class TypedIRSnapshotTests: XCTestCase {
    private func ir(_ src: String, _ args: [(String, ArgumentType)], mode: MathMode = .relaxed,
                    optimized: Bool = true) throws -> String {
        let source = SourceText(src)
        let expr = try Parser.parseExpression(source)
        let raw = try TypeSpecializer.specialize(expr, source: source, signature: Signature(args))
        let f = optimized ? Pipeline.run(raw, options: PassOptions(mathMode: mode), verify: true) : raw
        return "# \(src)  \(Signature(args))  \(optimized ? mode.rawValue : "unoptimised")\n\(f)"
    }

    func testSnapshots() throws {
        let f64a = ArgumentType.array(.float64), f32a = ArgumentType.array(.float32)
        let i32a = ArgumentType.array(.int32), i64s = ArgumentType.scalar(.int64)
        var out: [String] = []
        out.append(try ir("x*(1+x*(1+x))", [("x", f64a)], optimized: false))
        out.append(try ir("x*(1+x*(1+x))", [("x", f64a)]))
        out.append(try ir("x*2.5 + 1", [("x", f32a)]))
        out.append(try ir("x / 2", [("x", i32a)]))
        out.append(try ir("x + n", [("n", i64s), ("x", i32a)]))
        out.append(try ir("x**2 + x**3 + x**-1", [("x", f64a)], mode: .strict))
        out.append(try ir("x**8", [("x", f64a)], mode: .strict))
        out.append(try ir("x**8 + x**1.5", [("x", f64a)], mode: .relaxed))
        out.append(try ir("x**5", [("x", i32a)]))
        out.append(try ir("sin(x)**2 + sin(x)*2", [("x", f64a)]))
        out.append(try ir("(1 + 2) * 3.0 - 0.5 + x", [("x", f32a)]))
        out.append(try ir("0.0 * -1.0 + x", [("x", f64a)]))
        out.append(try ir("1.0 / 0.0 + x", [("x", f64a)]))
        out.append(try ir("where(x > 0, sqrt(x), -x)", [("x", f64a)]))
        out.append(try ir("isnan(x) | isnan(i) | signbit(i)", [("i", i32a), ("x", f32a)]))
        out.append(try ir("abs(i) + floor(i) + sign(i)", [("i", i32a)]))
        out.append(try ir("sin(i)", [("i", i32a)]))
        out.append(try ir("A*exp(-(x-x0)**2/(2*w**2))",
                          [("A", .scalar(.float64)), ("w", .scalar(.float64)), ("x", f64a), ("x0", .scalar(.float64))]))
        assertSnapshot(out.joined(separator: "\n"), named: "typed-ir")
    }
}
