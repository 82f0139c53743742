// VMBuilder: the small IR builder the vector-math functions are written with (constants,
// arithmetic, intrinsics, selects, bit tricks for one float type and its integer twin). In:
// an LLVM builder positioned in a function; out: instructions. The functions themselves are in
// VectorMathFunctions.swift (and Pow, Special, Trig); the choice table in VectorMath.swift.
import CLLVM
import JITSema
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small IR builder for scalar float code of one type (f32 or f64) and its integer twin.
struct VMBuilder {
    let ctx: LLVMContextRef
    let module: LLVMModuleRef
    let b: LLVMBuilderRef
    let wide: Bool
    /// Whether sin/cos/tan reduce huge arguments exactly (Payne-Hanek). On in every mode: the
    /// cost is small and fast mode promises finite results for finite arguments too.
    var reduceHuge: Bool = true
    /// 0 for scalar code; else the number of lanes of explicit vector code.
    var lanes: Int = 0
    var scalarFloat: LLVMTypeRef { wide ? LLVMDoubleTypeInContext(ctx) : LLVMFloatTypeInContext(ctx) }
    var scalarInt: LLVMTypeRef { wide ? LLVMInt64TypeInContext(ctx) : LLVMInt32TypeInContext(ctx) }
    var ft: LLVMTypeRef { lanes == 0 ? scalarFloat : LLVMVectorType(scalarFloat, UInt32(lanes)) }
    var it: LLVMTypeRef { lanes == 0 ? scalarInt : LLVMVectorType(scalarInt, UInt32(lanes)) }
    /// Mantissa bits (52 / 23) and exponent bias (1023 / 127).
    var mantissaBits: Int64 { wide ? 52 : 23 }
    var bias: Int64 { wide ? 1023 : 127 }
    /// 1.5 * 2^mantissaBits: adding it to an integer-valued float puts the integer in the low bits.
    var magic: Double { wide ? 6755399441055744.0 : 12582912.0 }

    func c(_ v: Double) -> LLVMValueRef { splat(LLVMConstReal(scalarFloat, v)) }
    func ci(_ v: Int64) -> LLVMValueRef { splat(LLVMConstInt(scalarInt, UInt64(bitPattern: v), 1)) }
    func splat(_ v: LLVMValueRef) -> LLVMValueRef {
        guard lanes > 0 else { return v }
        var vs: [LLVMValueRef?] = Array(repeating: v, count: lanes)
        return LLVMConstVector(&vs, UInt32(lanes))
    }

    func add(_ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { LLVMBuildFAdd(b, x, y, "")! }
    func sub(_ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { LLVMBuildFSub(b, x, y, "")! }
    func mul(_ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { LLVMBuildFMul(b, x, y, "")! }
    func div(_ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { LLVMBuildFDiv(b, x, y, "")! }
    func neg(_ x: LLVMValueRef) -> LLVMValueRef { LLVMBuildFNeg(b, x, "")! }
    func add(_ x: LLVMValueRef, _ y: Double) -> LLVMValueRef { add(x, c(y)) }
    func mul(_ x: LLVMValueRef, _ y: Double) -> LLVMValueRef { mul(x, c(y)) }

    func intrinsic(_ base: String, _ args: [LLVMValueRef]) -> LLVMValueRef {
        let name = base + "." + (lanes > 0 ? "v\(lanes)" : "") + (wide ? "f64" : "f32")
        var ps: [LLVMTypeRef?] = args.map { _ in ft }
        let type = LLVMFunctionType(ft, &ps, UInt32(args.count), 0)!
        let fn = LLVMGetNamedFunction(module, name) ?? LLVMAddFunction(module, name, type)!
        var a: [LLVMValueRef?] = args
        return LLVMBuildCall2(b, type, fn, &a, UInt32(args.count), "")!
    }

    /// x*y + z with one rounding.
    func fma(_ x: LLVMValueRef, _ y: LLVMValueRef, _ z: LLVMValueRef) -> LLVMValueRef { intrinsic("llvm.fma", [x, y, z]) }
    func fma(_ x: LLVMValueRef, _ y: Double, _ z: LLVMValueRef) -> LLVMValueRef { fma(x, c(y), z) }
    func rint(_ x: LLVMValueRef) -> LLVMValueRef { intrinsic("llvm.rint", [x]) }
    func trunc(_ x: LLVMValueRef) -> LLVMValueRef { intrinsic("llvm.trunc", [x]) }
    func fabs(_ x: LLVMValueRef) -> LLVMValueRef { intrinsic("llvm.fabs", [x]) }
    func copysign(_ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { intrinsic("llvm.copysign", [x, y]) }

    /// c[0] + x*(c[1] + x*(c[2] + ...)) with FMAs.
    func horner(_ x: LLVMValueRef, _ cs: [Double]) -> LLVMValueRef {
        var acc = c(cs[cs.count - 1])
        for k in stride(from: cs.count - 2, through: 0, by: -1) { acc = fma(acc, x, c(cs[k])) }
        return acc
    }

    func cmp(_ p: LLVMRealPredicate, _ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { LLVMBuildFCmp(b, p, x, y, "")! }
    func cmp(_ p: LLVMRealPredicate, _ x: LLVMValueRef, _ y: Double) -> LLVMValueRef { cmp(p, x, c(y)) }
    func isNaN(_ x: LLVMValueRef) -> LLVMValueRef { cmp(LLVMRealUNO, x, x) }
    func select(_ cond: LLVMValueRef, _ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { LLVMBuildSelect(b, cond, x, y, "")! }
    func select(_ cond: LLVMValueRef, _ x: Double, _ y: LLVMValueRef) -> LLVMValueRef { select(cond, c(x), y) }

    func bits(_ x: LLVMValueRef) -> LLVMValueRef { LLVMBuildBitCast(b, x, it, "")! }
    func float(_ i: LLVMValueRef) -> LLVMValueRef { LLVMBuildBitCast(b, i, ft, "")! }
    func iadd(_ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { LLVMBuildAdd(b, x, y, "")! }
    func isub(_ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { LLVMBuildSub(b, x, y, "")! }
    func and(_ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { LLVMBuildAnd(b, x, y, "")! }
    func xor(_ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { LLVMBuildXor(b, x, y, "")! }
    func shl(_ x: LLVMValueRef, _ n: Int64) -> LLVMValueRef { LLVMBuildShl(b, x, ci(n), "")! }
    func ashr(_ x: LLVMValueRef, _ n: Int64) -> LLVMValueRef { LLVMBuildAShr(b, x, ci(n), "")! }
    func ieq(_ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { LLVMBuildICmp(b, LLVMIntEQ, x, y, "")! }

    /// The integer held by an integer-valued float `k` (|k| < 2^(mantissaBits-1)), as raw low bits.
    func lowBits(_ k: LLVMValueRef) -> LLVMValueRef { bits(add(k, magic)) }
    /// The float whose value is the (small) integer `i`.
    func toFloat(_ i: LLVMValueRef) -> LLVMValueRef { sub(float(iadd(bits(c(magic)), i)), c(magic)) }
    /// 2^k for an integer-valued float k in the normal exponent range.
    func pow2(_ k: LLVMValueRef) -> LLVMValueRef { float(shl(iadd(lowBits(k), ci(bias)), mantissaBits)) }
}
