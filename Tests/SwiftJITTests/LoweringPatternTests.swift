import SwiftJIT
import XCTest

/// Pattern checks on optimised LLVM IR (exact text drifts between LLVM versions).
final class LoweringPatternTests: XCTestCase {
    private let f64 = ArgumentType.array(.float64)

    func testHornerLoopIsVectorizedWithoutAliasChecks() throws {
        let f = try JIT.compile("x*(1+x*(1+x*(1+x)))")
        let ir = try f.llvmIR(["x": f64])
        XCTAssertTrue(ir.range(of: #"<\d+ x double>"#, options: .regularExpression) != nil, ir)
        XCTAssertFalse(ir.contains("vector.memcheck"), "noalias should make runtime alias checks unnecessary")
        XCTAssertTrue(ir.contains("fmuladd") || ir.contains("llvm.fma"), "relaxed mode contracts to FMA")
    }

    func testStrictModeDoesNotContract() throws {
        let f = try JIT.compile("x*(1+x*(1+x*(1+x)))", options: JIT.Options(mathMode: .strict))
        let ir = try f.llvmIR(["x": f64])
        XCTAssertFalse(ir.contains("fmuladd"), ir)
        XCTAssertFalse(ir.contains(" fast "), ir)
    }

    func testTargetCPUAttributesAreSet() throws {
        let ir = try JIT.compile("x + 1").llvmIR(["x": f64])
        XCTAssertTrue(ir.contains("\"target-cpu\"="), ir)
    }

    func testScalarOnlyWorkIsHoistedOutOfTheLoop() throws {
        // Strict mode calls llvm.exp (relaxed inlines the vector-math exp, which is hoisted as well).
        let f = try JIT.compile("x * exp(a)", options: JIT.Options(mathMode: .strict))
        let ir = try f.llvmIR(["x": f64, "a": .scalar(.float64)], optimize: false)
        // exp(a) is emitted in the entry block, before the loop label.
        let entryPart = ir.components(separatedBy: "loop:").first ?? ""
        XCTAssertTrue(entryPart.contains("llvm.exp"), ir)
    }

    func testAssemblyIsProduced() throws {
        let asm = try JIT.compile("x * 3").assembly(["x": f64])
        XCTAssertTrue(asm.contains("mulpd") || asm.contains("mulsd"), asm)
        XCTAssertTrue(asm.contains("ret"), asm)
    }
}
