// Which kernel functions prefer 512-bit vectors (the `prefer-vector-width` attribute).
//
// In: the statements a function runs, the lowering options and the target's features. Out:
// whether that function should get "prefer-vector-width"="512". LLVM's x86 tuning for AVX-512
// CPUs (sapphirerapids, icelake, znver4, ...) prefers 256-bit vectors, which is right for loops
// that only move data: a row of 100 doubles is 800 bytes, so every other row starts half-way into
// a 64-byte line and a 512-bit copy of it splits every access (W9's `out[i, j] = a[i, j] + t`
// measured about 10 % slower at 512 bits). Loops that call vector math (our polynomials,
// libmvec) are instead bound by instructions: 8 doubles per instruction instead of 4 cut W9's
// 100 tanh from about 520 to 380 ns. So functions holding such a loop prefer 512 bits on targets
// with AVX-512, and loops without math stay out of them where they can (KernelParallelGen keeps a
// plain `parallel for` in its own function there).
import JITSema

enum MathLoopWidth {
    /// Whether a function running `statements` should prefer 512-bit vectors: the target has
    /// AVX-512 and some loop among them calls vectorisable math. `inLoop`: the statements are
    /// already a loop's body (an outlined `parallel for`).
    static func wanted(_ statements: [KernelStatement], inLoop: Bool, options: LoweringOptions, features: String) -> Bool {
        guard features.contains("+avx512f"), features.contains("+fma"), options.vectorMath else { return false }
        return callsMath(statements, inLoop: inLoop, mode: options.mathMode)
    }

    /// Whether `statements` (inside a loop when `inLoop`) call a math builtin that lowers to
    /// vectorisable code in `mode` (VectorMath.choice is not libm).
    static func callsMath(_ statements: [KernelStatement], inLoop: Bool, mode: MathMode) -> Bool {
        statements.contains { s in
            switch s {
            case .assign(_, let e), .evaluate(let e), .require(let e, _, _):
                return inLoop && calls(e, mode)
            case .store(_, let indices, let value, _):
                return inLoop && (calls(value, mode) || indices.contains { calls($0, mode) })
            case .bind, .breakLoop, .continueLoop, .returnValues:
                return false
            case .ifElse(let branches, let otherwise):
                return branches.contains { (inLoop && calls($0.condition, mode)) || callsMath($0.body, inLoop: inLoop, mode: mode) }
                    || callsMath(otherwise, inLoop: inLoop, mode: mode)
            case .whileLoop(_, let body), .forLoop(_, _, _, _, _, _, let body):
                return callsMath(body, inLoop: true, mode: mode)
            case .sequence(let inner):
                return callsMath(inner, inLoop: inLoop, mode: mode)
            }
        }
    }

    /// Whether expression `e` calls such a builtin (in its own instructions or an index of an
    /// element it reads).
    private static func calls(_ e: KernelScalarExpr, _ mode: MathMode) -> Bool {
        for inst in e.function.instructions {
            if case .call(let id, _) = inst.op, VectorMath.choice(id.builtin.vector, inst.type, mode) != .libm { return true }
        }
        return e.operands.contains { op in
            if case .element(_, let indices, _) = op { return indices.contains { calls($0, mode) } }
            return false
        }
    }
}
