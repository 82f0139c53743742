// The one assignability rule of kernels against NumPy: a typed value may be stored in a variable,
// an array element or a declared return value exactly when NumPy's can_cast(from, to, 'safe') holds
// (Cases/numpy-casting.txt, recorded from NumPy 2.4), for every dtype pair; what is accepted keeps
// its value, what is refused is a compile-time error. Literals are weak (checked by kind and value).
import JITSema
import SwiftJIT
import XCTest

final class KernelAssignabilityTests: XCTestCase {
    func safeCasts() throws -> [(DType, DType, Bool)] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Cases", withExtension: nil)).appendingPathComponent("numpy-casting.txt")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            let p = line.split(separator: " ").map(String.init)
            return (try XCTUnwrap(DType(name: p[0])), try XCTUnwrap(DType(name: p[1])), p[2] == "1")
        }
    }

    func zero(_ d: DType) -> String { d == .bool ? "false" : "0" }

    /// Whether the checker accepts `source`'s kernel `k` for `types`; a refusal must be the
    /// "without losing information" or "return type" diagnostic.
    func accepts(_ source: String, _ types: [ArgumentType], file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        do {
            _ = try JIT.kernels(source).kernel("k").typedKernel(types)
            return true
        } catch {
            let text = "\(error)"
            XCTAssertTrue(text.contains("without losing information") || text.contains("return type says"), text, file: file, line: line)
            XCTAssertTrue(text.contains("^"), "a caret: \(text)", file: file, line: line)
            return false
        }
    }

    func testEveryDtypePairFollowsNumPysSafeCasting() throws {
        let pairs = try safeCasts()
        XCTAssertEqual(pairs.count, 169)
        for (from, to, safe) in pairs {
            let f = from.shortName, t = to.shortName
            let variable = "kernel k(a: \(f)) -> \(t) { var n: \(t) = \(zero(to)); n = a; return n }"
            XCTAssertEqual(try accepts(variable, [.scalar(from)]), safe, "variable \(f) -> \(t)")
            let element = "kernel k(a: \(f), b: \(t)[]) -> \(t) { b[0] = a; return b[0] }"
            XCTAssertEqual(try accepts(element, [.scalar(from), .array(to)]), safe, "element \(f) -> \(t)")
            let returned = "kernel k(a: \(f)) -> \(t) { return a }"
            XCTAssertEqual(try accepts(returned, [.scalar(from)]), safe, "return \(f) -> \(t)")
        }
    }

    func testAcceptedStoresKeepTheirValue() throws {
        // Values at the edge of each type survive every safe store (no silent truncation or wrap).
        let k = try JIT.kernels("kernel k(a, b) { var n = b; n = a; return n }").kernel("k")
        XCTAssertEqual(try k(Int32.max, Int64(0)).toArray(Int64.self), [Int64(Int32.max)])
        XCTAssertEqual(try k(UInt32.max, Int64(0)).toArray(Int64.self), [Int64(UInt32.max)])
        XCTAssertEqual(try k(Int64(1 << 53), 0.0).doubles, [9007199254740992])
        XCTAssertEqual(try k(Int16.min, Float(0)).toArray(Float.self), [Float(Int16.min)])
        XCTAssertEqual(try k(Float(0.1), 0.0).doubles, [Double(Float(0.1))])
        XCTAssertEqual(try k(true, Int8(0)).toArray(Int8.self), [1])
    }

    func testWeakLiteralsAreCheckedByKindAndValue() throws {
        let cases: [(String, String, Bool)] = [
            ("i64", "2", true), ("i64", "2.5", false), ("i64", "1j", false), ("f32", "2", true), ("f32", "2.5", true),
            ("f32", "1j", false), ("c64", "2.5", true), ("bool", "1", false), ("bool", "true", true), ("u8", "255", true),
            ("u8", "256", false), ("i8", "-128", true), ("i8", "-129", false), ("i64", "2**62", true), ("i64", "2**63", false),
            ("f64", "2**63", false), ("i32", "2**31 - 1", true), ("i32", "2**31", false),
            // found by scripts/kernel_diff.py: constants through abs/max/min wrapped silently
            ("i8", "max(-1, 255)", false), ("i8", "max(-1, 127)", true), ("u8", "abs(-300)", false), ("u8", "min(3, -1)", false),
        ]
        for (t, literal, ok) in cases {
            let source = "kernel k() -> \(t) {\n    var n: \(t) = \(zero(DType(name: t)!))\n    n = \(literal)\n    return n\n}"
            let compiled: Bool
            do {
                _ = try JIT.kernels(source).kernel("k").typedKernel([])
                compiled = true
            } catch {
                compiled = false
                XCTAssertTrue("\(error)".contains("3:9"), "\(t) = \(literal): \(error)")
            }
            XCTAssertEqual(compiled, ok, "\(t) = \(literal)")
        }
        XCTAssertEqual(try JIT.kernels("kernel k() -> f32 { var n: f32 = 0; n = 2.5; return n }").kernel("k")().toArray(Float.self), [2.5])
        // In expressions abs is NumPy's: a function of literals is a strong NumPy scalar (NEP 50, issue 20;
        // docs/language.md), so c_u16 * abs(2147483648) is int64, as np.uint16 array * np.abs(2147483648),
        // neither an error nor a uint16 wrap. The weak constant is still range-checked against uint16.
        let strong = try JIT.evaluate("c * abs(2147483648)", ["c": [UInt16(1)]])
        XCTAssertEqual(strong.dtype, .int64)
        XCTAssertEqual(strong.toArray(Int64.self), [2147483648])
        XCTAssertThrowsError(try JIT.evaluate("c * 2147483648", ["c": [UInt16(1)]])) {
            XCTAssertTrue("\($0)".contains("2147483648 is out of bounds for uint16"), "\($0)")
        }
    }

    func testUnsignedConstantsAreCheckedByValueToo() throws {
        // Found by scripts/kernel_diff.py's conversions (issue 24): unsigned max/min and //, %, >>, **
        // of constants were not folded, so a constant stored in a narrower variable was not checked
        // and wrapped silently (300 -> 44, 35000 -> 184).
        func error(_ value: String) -> String {
            do {
                _ = try JIT.kernels("kernel k() -> i64 {\n    var v: u8 = \(value)\n    return i64(v)\n}", name: "c.sj").kernel("k").compileDeclared()
                return "no error"
            } catch { return "\(error)" }
        }
        for (value, constant) in [("max(u16(300), u16(1))", 300), ("u32(70000) // u32(2)", 35000), ("min(u64(2**40), u64(2**41))", 1 << 40),
                                  ("u16(700) % u16(1000)", 700), ("u16(4096) >> u16(2)", 1024), ("u32(2) ** u32(10)", 1024)] {
            let text = error(value)
            XCTAssertTrue(text.contains("c.sj:2:17: error: integer constant \(constant) is out of bounds for uint8"), "\(value): \(text)")
        }
        // In range, they keep their value.
        let k = "kernel k() -> i64 {\n    var v: u8 = max(u16(200), u16(1)) + u32(7000) // u32(1000)\n    return i64(v)\n}"
        XCTAssertEqual(try JIT.kernels(k).kernel("k")().toArray(Int64.self), [207])
        // A returned constant is checked the same way (`-> u8 { return 300 }` returned 44).
        for value in ["300", "abs(-300)", "max(u16(300), u16(1))"] {
            let text: String
            do { _ = try JIT.kernels("kernel k() -> u8 {\n    return \(value)\n}", name: "c.sj").kernel("k").compileDeclared(); text = "no error" } catch { text = "\(error)" }
            XCTAssertTrue(text.contains("c.sj:2:12: error: integer constant 300 is out of bounds for uint8"), "\(value): \(text)")
        }
        XCTAssertEqual(try JIT.kernels("kernel k() -> u8 { return 255 }").kernel("k")().toArray(UInt8.self), [255])
        // An integer constant that does not fold (a division by zero, left to run time) is stored by its type.
        XCTAssertTrue(error("7 // 0").contains("cannot store a int64 value in 'v' of type uint8"), error("7 // 0"))
    }
}
