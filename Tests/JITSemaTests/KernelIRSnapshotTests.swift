import JITSema
import JITSyntax
import XCTest

/// Typed kernel IR as stable text (KernelIRPrinter), and kernel IR as a value: equal sources give
/// equal, equally hashed kernels; any change to what lowering reads makes them differ.
final class KernelIRSnapshotTests: XCTestCase {
    private func typed(_ src: String, _ name: String, _ args: [ArgumentType], mode: MathMode = .relaxed) throws -> TypedKernel {
        let module = try Parser.parseKernels(SourceText(src, name: "t.sj"))
        return try KernelChecker.check(module, kernel: name, arguments: args, options: PassOptions(mathMode: mode))
    }

    private static let f64a = ArgumentType.array(.float64), i64 = ArgumentType.scalar(.int64), f64 = ArgumentType.scalar(.float64)

    /// One kernel per statement kind, each printed after a header naming it.
    private static let cases: [(source: String, kernel: String, arguments: [ArgumentType])] = [
        ("""
         kernel dot(a: f64[], b: f64[]) -> f64 {
             var s = 0.0
             for i in 0..<len(a) {
                 s += a[i] * b[i]
             }
             return s
         }
         """, "dot", [f64a, f64a]),
        ("""
         kernel branches(x: f64, n: i64) -> f64 {
             var y = x
             var k = 0
             while k < n {
                 k += 1
                 if y > 10.0 { break } else if y < 0.0 { continue } else { y = y * 2 }
             }
             return y
         }
         """, "branches", [f64, i64]),
        ("""
         kernel total(a: f64[]) -> f64 {
             var t = 0.0
             parallel for i in stride(from: 0, to: len(a), by: 2) {
                 t += a[i]
             }
             return t
         }
         """, "total", [f64a]),
        ("""
         func sq(v) { return v * v }
         kernel arrays(a: f64[], n: i64) -> (f64[], f64[], f64) {
             let z = zeros(n, dtype=f32)
             let o = full(n, value=2.5)
             let v = a[1..<n]
             let w = sq(a) + 1.0
             z[0] = 1
             return o, w, sum(v) / len(v)
         }
         """, "arrays", [f64a, i64]),
    ]

    func testSnapshots() throws {
        var out: [String] = []
        for c in Self.cases {
            let k = try typed(c.source, c.kernel, c.arguments)
            out.append("# \(c.kernel)(\(c.arguments.map(\.description).joined(separator: ", ")))\n\(k)")
        }
        assertSnapshot(out.joined(separator: "\n"), named: "kernel-ir")
    }

    func testEqualityAndHashingAreOnValues() throws {
        for c in Self.cases {
            let a = try typed(c.source, c.kernel, c.arguments), b = try typed(c.source, c.kernel, c.arguments)
            XCTAssertEqual(a, b)
            XCTAssertEqual(a.hashValue, b.hashValue)
            XCTAssertEqual(Set([a, b]).count, 1)
        }
        let dot = Self.cases[0]
        let one = try typed(dot.source.replacingOccurrences(of: "var s = 0.0", with: "var s = 1.0"), dot.kernel, dot.arguments)
        XCTAssertNotEqual(try typed(dot.source, dot.kernel, dot.arguments), one)
        let untyped = "kernel twice(x) -> f64 { return x * 2 }"
        XCTAssertNotEqual(try typed(untyped, "twice", [.scalar(.float32)]), try typed(untyped, "twice", [.scalar(.float64)]))
        // The same statements one line lower: equal but for their source ranges and lines.
        let moved = try typed("\n" + dot.source, dot.kernel, dot.arguments)
        XCTAssertNotEqual(try typed(dot.source, dot.kernel, dot.arguments), moved)
        XCTAssertEqual(Set([try typed(dot.source, dot.kernel, dot.arguments), moved, one]).count, 3)
    }

    func testLocationsAreSourceRanges() throws {
        let src = "kernel f(a: f64[], i: i64) -> f64 {\n    return a[i] + 1.0\n}\n"
        let k = try typed(src, "f", [Self.f64a, Self.i64])
        guard case .returnValues(let values)? = k.body.last, case .scalar(let e)? = values.first,
              case .element(_, _, let loc)? = e.operands.first(where: { if case .element = $0 { return true }; return false }) else {
            return XCTFail("unexpected kernel IR\n\(k)")
        }
        let text = Array(src.utf8)
        XCTAssertEqual(String(decoding: text[loc.range.lower..<loc.range.upper], as: UTF8.self), "a[i]")
        XCTAssertEqual(loc.line, 2)
        XCTAssertEqual(loc.column, 12)
        XCTAssertEqual(String(decoding: text[e.location.range.lower..<e.location.range.upper], as: UTF8.self), "a[i] + 1.0")
    }
}
