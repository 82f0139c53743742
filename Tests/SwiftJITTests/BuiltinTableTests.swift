import CJITSupport
import Foundation
import JITLowering
import SwiftJIT
import XCTest

/// The builtin table (Builtins.swift): every row has what its rules need, and lowering is total
/// over the rows (every builtin that reaches lowering compiles and runs for every argument type
/// its row accepts).
final class BuiltinTableTests: XCTestCase {
    /// The runtime's symbol table (what the JIT resolves `sj_*` calls against).
    private static let runtimeSymbols: Set<String> = {
        var names: Set<String> = []
        var entry = sj_support_symbols()!
        while let name = entry.pointee.name {
            names.insert(String(cString: name))
            entry += 1
        }
        return names
    }()

    func testRowsAreNumberedAndNamedOnce() {
        for (i, row) in Builtins.all.enumerated() {
            XCTAssertEqual(row.id.index, i, row.name)
            XCTAssertEqual(Builtins.lookup(row.name)?.id, row.id, row.name)
            XCTAssertEqual(row.id.name, row.name)
        }
        XCTAssertEqual(Set(Builtins.all.map(\.name)).count, Builtins.all.count)
        for (alias, name) in Builtins.aliases {
            XCTAssertNil(Builtins.all.first { $0.name == alias }, "alias \(alias) shadows a row")
            XCTAssertEqual(Builtins.lookup(alias)?.name, name)
        }
        // The ids passes and lowering name directly.
        let named: [(BuiltinID, String)] = [(.sqrt, "sqrt"), (.abs, "abs"), (.round, "round"), (.sign, "sign"),
                                            (.real, "real"), (.imag, "imag"), (.complex, "complex"), (.isnan, "isnan"),
                                            (.isinf, "isinf"), (.isfinite, "isfinite"), (.signbit, "signbit"),
                                            (.maximum, "maximum"), (.minimum, "minimum"), (.power, "power")]
        for (id, name) in named { XCTAssertEqual(id.name, name) }
    }

    /// The lowering rule fits the typing rule: what reaches lowering as a call has a lowering,
    /// what is rewritten before does not; every emitted code belongs to exactly one row; runtime
    /// and libm names exist.
    func testEveryRowHasALoweringThatFitsItsTyping() {
        var codes: [EmittedCode: String] = [:]
        for row in Builtins.all {
            let reachesLowering: Bool
            switch row.typing {
            case .floatUnary, .floatBinary, .sameUnary, .sameBinary, .predicate, .part, .conjugate, .makeComplex, .random:
                reachesLowering = true
            case .select, .reduction, .conversion, .expansion:
                reachesLowering = false
            }
            switch row.lowering {
            case .rewritten:
                XCTAssertFalse(reachesLowering, "\(row.name) reaches lowering but has no lowering")
            case .runtime(let symbol):
                XCTAssertEqual(row.typing, .random, row.name)
                XCTAssertTrue(Self.runtimeSymbols.contains(symbol), "\(row.name): \(symbol) is not a runtime symbol")
            case .intrinsic(let name):
                XCTAssertTrue(reachesLowering, row.name)
                XCTAssertTrue(name.hasPrefix("llvm."), row.name)
                XCTAssertNotNil(row.libm, row.name)
            case .libm(let name):
                XCTAssertTrue(reachesLowering, row.name)
                XCTAssertEqual(row.libm, name)
                XCTAssertTrue([.floatUnary, .floatBinary].contains(row.typing), "\(row.name): libm takes floats")
            case .emitted(let code):
                XCTAssertTrue(reachesLowering, row.name)
                XCTAssertNil(codes[code], "\(code) is emitted for both \(codes[code] ?? "") and \(row.name)")
                codes[code] = row.name
                XCTAssertEqual(code.rawValue, row.name, "emitted code is named after its builtin")
            }
        }
        XCTAssertEqual(Set(codes.keys), Set(EmittedCode.allCases), "emitted code no row uses")
    }

    /// Complex-capable float functions have a C helper the runtime exports (both precisions);
    /// emitted code for complex arguments exists for the rows that say so.
    func testEveryComplexCapableRowHasItsLowering() {
        let emittedForComplex: Set<EmittedCode> = [.abs, .real, .imag, .conj, .isnan, .isinf, .isfinite]
        for row in Builtins.all {
            if row.typing == .floatUnary && row.acceptsComplex {
                guard case .helper = row.complex else { return XCTFail("\(row.name): complex float function without a helper") }
            }
            switch row.complex {
            case nil:
                continue
            case .helper(let symbol)?:
                XCTAssertEqual(row.typing, .floatUnary, row.name)
                XCTAssertTrue(Self.runtimeSymbols.contains(symbol), "\(row.name): no \(symbol) in the runtime")
                XCTAssertTrue(Self.runtimeSymbols.contains(symbol + "f"), "\(row.name): no \(symbol)f in the runtime")
            case .emitted?:
                guard case .emitted(let code) = row.lowering else { return XCTFail("\(row.name): complex code without emitted code") }
                XCTAssertTrue(emittedForComplex.contains(code), "\(row.name): EmitComplex has no code for it")
            case .specialized?:
                XCTAssertTrue([BuiltinID.round, .sign].contains(row.id), "\(row.name): TypeSpecializer+Complex has no rule for it")
            case .whole?:
                XCTAssertTrue([.select, .reduction].contains(row.typing) || { if case .conversion = row.typing { return true }; return false }(),
                              "\(row.name): only where, reductions and conversions take complex values whole")
            }
        }
    }

    /// Vectorisable rows name our kernel (each kernel exactly once, with the row's arity), have a
    /// C name for libm and libmvec, a choice per mode with strict on libm, and an accuracy bound;
    /// only they have a bound (scripts/accuracy measures those).
    func testEveryVectorisableRowHasWhatItNeeds() {
        var kernels: [VectorKernel: String] = [:]
        for row in Builtins.all {
            guard let v = row.vector else {
                XCTAssertNil(row.accuracy, "\(row.name): a bound but nothing vectorised to measure")
                continue
            }
            XCTAssertNil(kernels[v.kernel], "\(v.kernel) used by \(kernels[v.kernel] ?? "") and \(row.name)")
            kernels[v.kernel] = row.name
            XCTAssertEqual(v.kernel.arity, row.arity, row.name)
            XCTAssertNotNil(row.libm, "\(row.name): libmvec's names need the libm name")
            XCTAssertNotNil(row.accuracy, row.name)
            XCTAssertEqual(v.float64.count, 3, row.name)
            XCTAssertEqual(v.float32.count, 3, row.name)
            XCTAssertEqual(v.choice(.float64, .strict), .libm, "\(row.name): strict mode promises libm")
            XCTAssertEqual(v.choice(.float32, .strict), .libm, "\(row.name): strict mode promises libm")
            XCTAssertEqual(VectorMath.choice(v, .float64, .relaxed, vectorMath: true), .polynomial, row.name)
            XCTAssertEqual(VectorMath.choice(v, .float64, .fast, libmvec: false, vectorMath: true) == .libmvec, false, row.name)
            XCTAssertEqual(VectorMath.choice(v, .float64, .relaxed, vectorMath: false), .libm, row.name)
            if let a = row.accuracy { XCTAssertTrue(a.strict >= 1 && a.relaxed >= a.strict - 1 && a.fast >= 1, row.name) }
        }
        XCTAssertEqual(Set(kernels.keys), Set(VectorKernel.allCases), "a kernel no row uses")
    }

    /// The rows that are operators are expansions of two arguments, and every binary operator has
    /// NumPy's function name as a row (`add`, `less`, ...).
    func testOperatorRowsAreBinaryExpansions() {
        var operators: Set<BinaryOperator> = []
        for row in Builtins.all {
            guard let op = row.binaryOperator else { continue }
            XCTAssertEqual(row.typing, .expansion, row.name)
            XCTAssertEqual(row.arity, 2, row.name)
            operators.insert(op)
        }
        XCTAssertEqual(operators, Set(BinaryOperator.allCases), "an operator without a NumPy function row")
    }

    /// The statistics are reductions that ReductionLifting builds from sums (not loop reductions).
    func testStatisticsAreReductionsBuiltFromSums() {
        for row in Builtins.all where row.statistic {
            XCTAssertEqual(row.typing, .reduction, row.name)
            XCTAssertNil(ReductionOp(rawValue: row.name), "\(row.name) is a loop reduction")
        }
        XCTAssertEqual(Builtins.all.filter(\.statistic).map(\.name), ["mean", "var", "std"])
    }

    /// `min(a, b)` in a kernel is the row's pairwise builtin: an elementwise row of two arguments.
    func testPairwiseFormsNameElementwiseRows() throws {
        let pairs = Builtins.all.filter { $0.pairwise != nil }
        XCTAssertEqual(Set(pairs.map(\.name)), ["min", "max"])
        for row in pairs {
            let pair = try XCTUnwrap(Builtins.lookup(row.pairwise!))
            XCTAssertEqual(row.typing, .reduction)
            XCTAssertEqual(pair.typing, .sameBinary)
        }
    }

    /// The docs name every function of the table: docs/language.md's Functions section, the
    /// kernel generator's functions in docs/kernels.md.
    func testDocsNameEveryRow() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs")
        guard FileManager.default.fileExists(atPath: docs.path) else { throw XCTSkip("docs not found beside the tests") }
        let language = try String(contentsOf: docs.appendingPathComponent("language.md"), encoding: .utf8)
        let kernels = try String(contentsOf: docs.appendingPathComponent("kernels.md"), encoding: .utf8)
        let section = try XCTUnwrap(language.components(separatedBy: "## Functions").dropFirst().first?
            .components(separatedBy: "\n## ").first)
        func words(_ text: String) -> Set<String> {
            Set(text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init))
        }
        let listed = words(section), kernelWords = words(kernels)
        for row in Builtins.all {
            XCTAssertTrue((row.typing == .random ? kernelWords : listed).contains(row.name),
                          "\(row.name) is missing from docs/\(row.typing == .random ? "kernels" : "language").md")
        }
    }

    /// The fuzzers' reference interpreter (ReferenceInterpreter.swift) knows every elementwise
    /// function of the table that reaches lowering with float arguments.
    func testReferenceInterpreterKnowsEveryFloatFunction() {
        for row in Builtins.all where [.floatUnary, .floatBinary, .sameUnary, .sameBinary, .predicate].contains(row.typing) {
            XCTAssertNotNil(ReferenceInterpreter.floatFunction(row.name, 0.5, 0.25), "\(row.name) has no reference")
        }
    }

    /// Lowering is total over the table: every row that reaches lowering compiles and runs for
    /// float64, float32, int32 and (where accepted) bool and complex128 arrays, in every math mode.
    func testEveryLoweredRowCompilesForEveryAcceptedType() throws {
        for row in Builtins.all where row.typing != .random && row.lowering != .rewritten {
            var types: [DType] = [.float64, .float32, .int32]
            if row.acceptsBool { types.append(.bool) }
            if row.acceptsComplex { types.append(.complex128) }
            let names = ["x", "y", "z"].prefix(row.arity)
            let expression = "\(row.name)(\(names.joined(separator: ", ")))"
            for t in types {
                for mode in [MathMode.strict, .relaxed, .fast] {
                    let f = try JIT.compile(expression, options: JIT.Options(mathMode: mode))
                    var arguments: [String: NDArray] = [:]
                    for n in names { arguments[n] = NDArray(zeros: t, shape: [5]) }
                    XCTAssertNoThrow(try f.call(arguments), "\(expression) \(t) \(mode)")
                }
            }
        }
    }
}
