// Every setting that changes generated code is in the object key: flipping any one field of
// CodeSettings gives another key (so another disk-cache entry), and the lowering really reads
// the vector-math and libmvec switches the key records.
import XCTest
import JITLowering
import JITRuntime
import JITSema
@testable import SwiftJIT

final class CodeSettingsTests: XCTestCase {
    func testFlippingEachSettingGivesAnotherKey() throws {
        let ir = try JIT.compile("sin(x)*2 + 1").typedIR(Signature([("x", .array(.float64))])).description
        let e = Engine.shared
        let base = try e.settings(LoweringOptions())
        func key(_ change: (inout CodeSettings) -> Void) -> String {
            var s = base
            change(&s)
            return e.objectKey(kind: "expression", label: "l", ir: ir, settings: s).digest
        }
        let baseKey = key { _ in }
        var flips: [String: (inout CodeSettings) -> Void] = [
            "cache format": { $0.cacheFormat += 1 },
            "SwiftJIT version": { $0.swiftjit += ".1" },
            "LLVM version": { $0.llvm = $0.llvm == "14.0" ? "19.1" : "14.0" },
            "triple": { $0.triple = "x86_64-unknown-freebsd" },
            "CPU": { $0.cpu = $0.cpu == "x86-64-v3" ? "x86-64-v4" : "x86-64-v3" },
            "features": { $0.features = "+sse2" },
            "math mode": { $0.lowering.mathMode = .strict },
            "optimisation level": { $0.lowering.optimizationLevel = 2 },
            "bounds checks": { $0.lowering.boundsChecks.toggle() },
            "vector math": { $0.lowering.vectorMath.toggle() },
            "expression pipeline": { $0.lowering.leanExpressions.toggle() },
        ]
        if LibMVec.available { flips["libmvec"] = { $0.lowering.libmvec.toggle() } }
        var seen = [baseKey: "base"]
        for (name, flip) in flips {
            let k = key(flip)
            XCTAssertNil(seen[k], "\(name) gives the same key as \(seen[k] ?? "")")
            seen[k] = name
        }
        // The engine's own key for these options is the one derived from these settings.
        XCTAssertEqual(try e.objectKey(kind: "expression", label: "l", ir: ir, options: LoweringOptions()).digest, baseKey)
        XCTAssertTrue(base.keyText.contains("vector-math on"))
    }

    /// SWIFTJIT_VECTOR_MATH=0 is the default of `LoweringOptions.vectorMath`; the lowering follows
    /// the option (not the environment), so the key's value is what the code was made with.
    func testLoweringFollowsTheVectorMathSetting() throws {
        let f = try JIT.compile("exp(x)").typedIR(Signature([("x", .array(.float64))]))
        let on = try Engine.shared.llvmIR(for: f, options: LoweringOptions(vectorMath: true), optimize: false)
        let off = try Engine.shared.llvmIR(for: f, options: LoweringOptions(vectorMath: false), optimize: false)
        XCTAssertTrue(on.contains("sj.vm.exp.f64"))
        XCTAssertFalse(off.contains("sj.vm.exp"))
        XCTAssertTrue(off.contains("@exp(") || off.contains("llvm.exp"))
    }
}
