import Foundation
import JITRuntime
import JITSema
import JITSyntax
import SwiftJIT
import XCTest

/// Differential fuzzing of code generation: seeded random well-typed expressions (operators,
/// builtins, five dtypes, scalars and broadcast arrays) and small kernels, run by the JIT in
/// strict, relaxed and fast mode and by `ReferenceInterpreter` over the unoptimised typed IR,
/// compared within the bounds of Cases/differential/README.md. `swift test` runs a fixed seed
/// for a few seconds' worth of cases; `scripts/fuzz --diff --seconds N --seed S` runs longer
/// (SWIFTJIT_DIFF_FUZZ_SECONDS, SWIFTJIT_DIFF_FUZZ_SEED).
final class DifferentialFuzzTests: XCTestCase {
    func testRandomExpressionsAndKernelsAgreeWithTheReference() throws {
        let env = ProcessInfo.processInfo.environment
        let seed = env["SWIFTJIT_DIFF_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_124
        let seconds = env["SWIFTJIT_DIFF_FUZZ_SECONDS"].flatMap(Double.init)
        var fuzz = DifferentialFuzzer(seed: seed)
        let start = Date()
        var n = 0
        while seconds.map({ Date().timeIntervalSince(start) < $0 }) ?? (n < 40) {
            fuzz.runCase(kernel: n % 4 == 3)
            n += 1
            if fuzz.failures.count >= 10 { break }
        }
        let s = fuzz.stats
        print("differential fuzz (seed \(seed)): \(s.expressionCases) expression cases, \(s.kernelCases) kernel cases, "
              + "\(s.rejected) rejected by the type checker, \(s.compared) elements compared over 3 modes, "
              + "\(s.skipped) skipped (undetermined within the bounds, or NaN/inf/subnormal in fast), "
              + "\(fuzz.failures.count) mismatches, \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        XCTAssertTrue(fuzz.failures.isEmpty, fuzz.failures.prefix(5).joined(separator: "\n\n"))
        XCTAssertGreaterThan(s.compared, 0)
    }

    func testInterpreterBoundsCatchAWrongResult() throws {
        // The oracle itself: exact ops in strict mode allow no difference at all.
        let source = SourceText("a * 3 + 1")
        let f = try TypeSpecializer.specialize(Parser.parseExpression(source), source: source,
                                               signature: Signature([("a", .array(.float64))]))
        let r = try XCTUnwrap(ReferenceInterpreter(function: f, mode: .strict).run([.float(0.1)]))
        XCTAssertEqual(r.value, .float(0.1 * 3 + 1))
        XCTAssertEqual(r.error, 0)
    }
}

/// The generator, runner and comparison of the differential fuzzer.
struct DifferentialFuzzer {
    enum Kind { case float, int, bool }

    indirect enum Node {
        case name(String)
        case literal(String)
        case unary(String, Node)
        case binary(String, Node, Node)
        case call(String, [Node])

        func render(_ leaf: (String) -> String) -> String {
            switch self {
            case .name(let n): return leaf(n)
            case .literal(let l): return l
            case .unary(let op, let a): return "\(op)(\(a.render(leaf)))"
            case .binary(let op, let a, let b): return "(\(a.render(leaf)) \(op) \(b.render(leaf)))"
            case .call(let f, let args): return "\(f)(" + args.map { $0.render(leaf) }.joined(separator: ", ") + ")"
            }
        }
    }

    struct Variable {
        var name: String
        var dtype: DType
        var kind: Kind
        var scalar: Bool
    }

    static let variables = [
        Variable(name: "a", dtype: .float64, kind: .float, scalar: false),
        Variable(name: "b", dtype: .float32, kind: .float, scalar: false),
        Variable(name: "c", dtype: .int64, kind: .int, scalar: false),
        Variable(name: "d", dtype: .int32, kind: .int, scalar: false),
        Variable(name: "p", dtype: .bool, kind: .bool, scalar: false),
        Variable(name: "s", dtype: .float64, kind: .float, scalar: true),
        Variable(name: "g", dtype: .float32, kind: .float, scalar: true),
        Variable(name: "k", dtype: .int32, kind: .int, scalar: true),
    ]

    struct Stats { var expressionCases = 0, kernelCases = 0, rejected = 0, compared = 0, skipped = 0 }

    var rng: SplitMix
    var stats = Stats()
    var failures: [String] = []
    init(seed: UInt64) { rng = SplitMix(seed: seed) }

    mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
    mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

    // MARK: generation

    mutating func generate(_ kind: Kind, depth: Int) -> Node {
        if depth <= 0 || chance(25) { return leaf(kind) }
        let d = depth - 1
        switch kind {
        case .float:
            switch rng.next() % 10 {
            case 0, 1: return .binary(pick(["+", "-", "*", "/"]), generate(.float, depth: d), generate(.float, depth: d))
            case 2: return .binary(pick(["+", "*", "-"]), generate(.float, depth: d), generate(.int, depth: d))
            case 3: return .binary("**", generate(.float, depth: d), .literal(pick(["2", "3", "0.5", "-1", "4"])))
            case 4: return .call(pick(["sin", "cos", "tan", "arctan", "tanh", "sinh", "exp", "log", "sqrt", "expm1",
                                       "log1p", "cbrt", "erf", "erfc", "arcsinh", "exp2", "log2", "log10", "arcsin",
                                       "arccos", "arctanh", "arccosh", "cosh"]),
                                 [generate(.float, depth: d)])
            case 5: return .call(pick(["abs", "floor", "ceil", "trunc", "round", "sign"]), [generate(.float, depth: d)])
            case 6: return .call(pick(["hypot", "arctan2", "maximum", "minimum", "copysign", "fmod"]),
                                 [generate(.float, depth: d), generate(.float, depth: d)])
            case 7: return .call("where", [generate(.bool, depth: d), generate(.float, depth: d), generate(.float, depth: d)])
            case 8: return .binary(pick(["//", "%"]), generate(.float, depth: d), generate(.float, depth: d))
            default: return .unary("-", generate(.float, depth: d))
            }
        case .int:
            switch rng.next() % 8 {
            case 0, 1: return .binary(pick(["+", "-", "*"]), generate(.int, depth: d), generate(.int, depth: d))
            case 2: return .binary(pick(["//", "%"]), generate(.int, depth: d), generate(.int, depth: d))
            case 3: return .binary(pick(["&", "|", "^"]), generate(.int, depth: d), generate(.int, depth: d))
            case 4: return .binary(pick(["<<", ">>", "**"]), generate(.int, depth: d), .literal(pick(["0", "1", "3", "5"])))
            case 5: return .call(pick(["abs", "sign"]), [generate(.int, depth: d)])
            case 6: return .call(pick(["maximum", "minimum", "fmod"]), [generate(.int, depth: d), generate(.int, depth: d)])
            default: return .unary(pick(["-", "~"]), generate(.int, depth: d))
            }
        case .bool:
            switch rng.next() % 6 {
            case 0: return .binary(pick(["<", "<=", "==", "!=", ">=", ">"]), generate(.float, depth: d), generate(.float, depth: d))
            case 1: return .binary(pick(["<", "==", ">"]), generate(.int, depth: d), generate(.int, depth: d))
            case 2: return .binary(pick(["&", "|", "^"]), generate(.bool, depth: d), generate(.bool, depth: d))
            case 3: return .call(pick(["isnan", "isinf", "isfinite", "signbit"]), [generate(.float, depth: d)])
            case 4: return .unary("~", generate(.bool, depth: d))
            default: return leaf(.bool)
            }
        }
    }

    mutating func leaf(_ kind: Kind) -> Node {
        if kind != .bool && chance(20) {
            return .literal(kind == .float ? pick(["0.5", "2.5", "3.0", "1e-3", "7.25", "100.0"]) : pick(["1", "2", "7", "13"]))
        }
        return .name(pick(Self.variables.filter { $0.kind == kind }).name)
    }

    mutating func value(_ v: Variable) -> ScalarValue {
        switch v.kind {
        case .bool: return .bool(chance(50))
        case .int:
            if chance(5) { return .int(pick([Int64(Int32.min), Int64(Int32.max), 0, -1])) }
            let x = Int64(rng.next() % 41) - 20
            return .int(ScalarSemantics.wrap(x, v.dtype))
        case .float:
            var x: Double
            if chance(8) {
                x = pick([0.0, -0.0, 1.0, -1.0, 0.5, .infinity, -.infinity, .nan, 1e300, 1e-310, 3e38])
            } else {
                x = Double(Int64(rng.next() % 2_000_001) - 1_000_000) / (chance(50) ? 1e5 : 1e6)
            }
            return ScalarSemantics.normalize(.float(x), v.dtype)
        }
    }

    // MARK: running

    mutating func runCase(kernel: Bool) {
        let root = generate(kernel ? .float : pick([.float, .float, .int, .bool]), depth: 1 + Int(rng.next() % 4))
        let n = 1 + Int(rng.next() % 40)
        let rows = kernel || chance(60) ? 0 : 1 + Int(rng.next() % 4)
        var shapes: [String: [Int]] = [:]
        var data: [String: [ScalarValue]] = [:]
        for v in Self.variables {
            let shape = v.scalar ? [] : rows == 0 ? [n] : pick([[rows, n], [rows, 1], [1, n], [n]])
            shapes[v.name] = shape
            data[v.name] = (0..<shape.reduce(1, *)).map { _ in value(v) }
        }
        if kernel {
            runKernel(root, n: n, shapes: shapes, data: data)
        } else {
            runExpression(root, shapes: shapes, data: data)
        }
    }

    func argument(_ v: Variable, _ shape: [Int], _ values: [ScalarValue]) -> any JITArgument {
        if v.scalar {
            switch (v.dtype, values[0]) {
            case (.float64, .float(let x)): return x
            case (.float32, .float(let x)): return Float(x)
            case (.int32, .int(let x)): return Int32(x)
            default: preconditionFailure("no scalar of \(v.dtype)")
            }
        }
        let a = NDArray(zeros: v.dtype, shape: shape)
        for (i, x) in values.enumerated() { ScalarMemory.store(x, at: a.baseAddress + i * v.dtype.size, v.dtype) }
        return a
    }

    mutating func runExpression(_ root: Node, shapes: [String: [Int]], data: [String: [ScalarValue]]) {
        let text = root.render { $0 }
        let source = SourceText(text)
        let names: [String]
        let typed: IRFunction
        do {
            let expr = try Parser.parseExpression(source)
            names = TypeSpecializer.freeNames(expr)
            let signature = Signature(names.map { name in
                let v = Self.variables.first { $0.name == name }!
                return (name, ArgumentType(dtype: v.dtype, rank: shapes[name]!.count))
            })
            typed = try TypeSpecializer.specialize(expr, source: source, signature: signature)
        } catch {
            stats.rejected += 1
            return
        }
        stats.expressionCases += 1
        let used = names.map { name in Self.variables.first { $0.name == name }! }  // parameter order
        let shape = broadcastShape(used.map { shapes[$0.name]! })
        var arguments: [String: any JITArgument] = [:]
        for v in used { arguments[v.name] = argument(v, shapes[v.name]!, data[v.name]!) }
        let count = shape.reduce(1, *)
        for mode in [MathMode.strict, .relaxed, .fast] {
            let result: NDArray
            do {
                result = try JIT.evaluate(text, arguments, options: JIT.Options(mathMode: mode))
            } catch {
                failures.append("\(mode) \(text): the JIT threw \(error)")
                continue
            }
            guard result.shape == shape, result.dtype == typed.resultType, result.isContiguous else {
                failures.append("\(mode) \(text): result \(result.dtype)\(result.shape), expected \(typed.resultType)\(shape)")
                continue
            }
            let interpreter = ReferenceInterpreter(function: typed, mode: mode)
            for i in 0..<count {
                let index = unravel(i, shape)
                let inputs = used.map { v -> ScalarValue in
                    data[v.name]![ravel(index, shapes[v.name]!)]
                }
                let got = ScalarMemory.load(result.baseAddress + i * result.dtype.size, result.dtype)
                guard let want = interpreter.run(inputs) else { stats.skipped += 1; continue }
                if let problem = compare(got, want, mode) {
                    let shown = zip(used, inputs).map { "\($0.name)=\($1)" }.joined(separator: " ")
                    failures.append("\(mode) \(text)\n  element \(index) with \(shown): \(problem)")
                    break
                }
            }
        }
    }

    mutating func runKernel(_ root: Node, n: Int, shapes: [String: [Int]], data: [String: [ScalarValue]]) {
        let parameters = Self.variables.map { "\($0.name): \($0.dtype.shortName)\($0.scalar ? "" : "[]")" }
        let body = root.render { name in Self.variables.first { $0.name == name }!.scalar ? name : "\(name)[i]" }
        let source = """
        kernel fz(\(parameters.joined(separator: ", "))) -> f64 {
            var total = 0.0
            for i in 0..<len(a) {
                total += \(body)
            }
            return total
        }
        """
        // The reference: the same expression per element, summed in order.
        let text = root.render { $0 }
        let exprSource = SourceText(text)
        let typed: IRFunction
        let names: [String]
        do {
            let expr = try Parser.parseExpression(exprSource)
            names = TypeSpecializer.freeNames(expr)
            let signature = Signature(names.map { name in
                let v = Self.variables.first { $0.name == name }!
                return (name, v.scalar ? .scalar(v.dtype) : .array(v.dtype))
            })
            typed = try TypeSpecializer.specialize(expr, source: exprSource, signature: signature)
            guard typed.resultType.isFloat else { stats.rejected += 1; return }
        } catch {
            stats.rejected += 1
            return
        }
        stats.kernelCases += 1
        let arguments = Self.variables.map { argument($0, shapes[$0.name]!, data[$0.name]!) }
        for mode in [MathMode.strict, .relaxed, .fast] {
            let interpreter = ReferenceInterpreter(function: typed, mode: mode)
            var sum = 0.0, error = 0.0, magnitude = 0.0, skip = false, divisionByZero = false
            for i in 0..<n {
                let inputs = names.map { name -> ScalarValue in
                    let v = Self.variables.first { $0.name == name }!
                    return data[name]![v.scalar ? 0 : i]
                }
                guard let r = interpreter.run(inputs) else { skip = true; break }
                if r.integerDivisionByZero { divisionByZero = true; break }
                if r.unstable || mode != .strict && r.special { skip = true; break }
                sum += r.value.asDouble
                error += r.error
                magnitude += abs(r.value.asDouble)
            }
            if skip && !divisionByZero { stats.skipped += 1; continue }
            let got: Double
            do {
                let k = try JIT.kernels(source, options: JIT.Options(mathMode: mode)).kernel("fz")
                got = try k.callAll(arguments)[0].doubles[0]
            } catch {
                // Kernels check integer divisors: the error is the expected outcome there.
                if divisionByZero && "\(error)".contains("integer division by zero") { stats.compared += 1; continue }
                failures.append("\(mode) kernel:\n\(source)\n  threw \(error)")
                continue
            }
            if divisionByZero { failures.append("\(mode) kernel:\n\(source)\n  an integer division by zero did not throw"); continue }
            stats.compared += 1
            let allowed = error + Double(n + 8) * Double(Float.ulpOfOne) * magnitude
            let ok = sum.isNaN ? got.isNaN : sum.isInfinite ? got == sum : abs(got - sum) <= allowed
            if !ok { failures.append("\(mode) kernel:\n\(source)\n  got \(got), reference \(sum) ± \(allowed)") }
        }
    }

    mutating func compare(_ got: ScalarValue, _ want: RefValue, _ mode: MathMode) -> String? {
        if want.unstable || (mode != .strict && want.special) { stats.skipped += 1; return nil }
        stats.compared += 1
        switch (got, want.value) {
        case (.float(let g), .float(let w)):
            if w.isNaN { return g.isNaN ? nil : "got \(g), reference NaN" }
            if !w.isFinite { return g == w ? nil : "got \(g), reference \(w)" }
            if g.isNaN || abs(g - w) > want.error { return "got \(g), reference \(w) ± \(want.error)" }
            if mode == .strict, want.error == 0, g == 0, g.sign != w.sign { return "got \(g), reference \(w) (sign of zero)" }
            return nil
        default:
            return got == want.value ? nil : "got \(got), reference \(want.value)"
        }
    }

    func broadcastShape(_ shapes: [[Int]]) -> [Int] {
        let rank = shapes.map(\.count).max() ?? 0
        var out = [Int](repeating: 1, count: rank)
        for s in shapes {
            for (i, e) in s.enumerated() where e != 1 { out[rank - s.count + i] = e }
        }
        return out
    }

    func unravel(_ i: Int, _ shape: [Int]) -> [Int] {
        var rest = i
        var index = [Int](repeating: 0, count: shape.count)
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            index[d] = rest % shape[d]
            rest /= shape[d]
        }
        return index
    }

    /// Flat position in an array of `shape` (broadcast against the result's index).
    func ravel(_ index: [Int], _ shape: [Int]) -> Int {
        var flat = 0
        let offset = index.count - shape.count
        for (d, e) in shape.enumerated() { flat = flat * e + (e == 1 ? 0 : index[offset + d]) }
        return flat
    }
}
