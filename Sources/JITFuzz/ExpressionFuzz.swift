// Fuzz target `expr`: source text -> parse -> lift reductions -> specialize every stage for one
// of a few fixed signatures -> the IR pipeline with the verifier on. No LLVM. Mirrors what
// CompiledExpression does before code generation, so a crash here is a crash of JIT.compile or
// of a call's type specialization.
import JITSema
import JITSyntax

enum ExpressionFuzz {
    /// Argument types given to the free names, in turn, one list per signature tried.
    static let typeLists: [[ArgumentType]] = [
        [.array(.float64)],
        [.scalar(.int32), .array(.float32), .scalar(.bool)],
        [.array(.int64, rank: 2), .scalar(.float64), .array(.bool), ArgumentType(dtype: .uint8, rank: 1, contiguous: false)],
        [.array(.complex128), .scalar(.int16), .array(.uint64), .scalar(.complex64)],
    ]

    static let modes: [MathMode] = [.strict, .relaxed, .fast]

    @Sendable static func run(_ bytes: [UInt8]) -> FuzzOutcome {
        let source = SourceText(String(decoding: bytes, as: UTF8.self))
        return outcome {
            let expr = try Parser.parseExpression(source)
            let program = try ReductionLifting.lift(expr, source: source)
            var firstError: Error?
            // One signature and mode per input, chosen by its bytes: four times the executions of
            // trying all, and the fuzzer still reaches every pairing by mutating the input.
            let n = bytes.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF } % typeLists.count
            let (types, mode) = (typeLists[n], modes[n % modes.count])
            for step in program.steps {
                do { _ = try typedIR(step.argument, source, types, mode, reduction: step.op) } catch {
                    firstError = firstError ?? error
                }
            }
            do { _ = try typedIR(program.final, source, types, mode, reduction: nil) } catch {
                firstError = firstError ?? error
            }
            if let firstError { throw firstError }
        }
    }

    static func typedIR(_ expr: Expr, _ source: SourceText, _ types: [ArgumentType], _ mode: MathMode,
                        reduction: ReductionOp?) throws -> IRFunction {
        let names = TypeSpecializer.freeNames(expr)
        let signature = Signature(names.enumerated().map { ($1, types[$0 % types.count]) })
        let raw = try TypeSpecializer.specialize(expr, source: source, signature: signature, reduction: reduction)
        return Pipeline.run(raw, options: PassOptions(mathMode: mode), verify: true)
    }
}
