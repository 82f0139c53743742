// KernelChecker, continued: NumPy's `mean`, `var` and `std` of whole arrays inside kernels. In: a
// call `mean(E)`, `var(E, ddof=d)`, `std(E)` whose argument reads arrays whole; out: statements,
// lifted before the statement as the other reductions are, that compute it in two passes fused with
// E (no temporary array), and the expression that reads the result:
//
//     let $redKn: f64 = f64(a.shape[0] * ...)            # the element count
//     var $redK: f64 = 0
//     for $i0 ... { $redK += f64(E[$i...]) }             # pass 1: the sum
//     let $redKm = $redK / $redKn                        # the mean (the result of `mean`)
//     var $redKs: f64 = 0
//     for $i0 ... { let $redKd = f64(E[$i...]) - $redKm; $redKs += $redKd * $redKd }   # pass 2
//     $redKs / max($redKn - d, 0)                        # var (`sqrt` of it for std)
//
// Types follow NumPy: integers and bools give float64, float32 gives float32, complex64 and
// complex128 keep their type for `mean` and give float32/float64 for `var` and `std` (which sum
// `real(d * conj(d))`). The sums accumulate in float64 (complex128) whatever the input, so a
// float32 result is rounded once from a float64 value, not summed in float32 as NumPy does. An
// empty array gives NaN (0/0), as NumPy does (NumPy also warns; kernels have no warnings), and
// `ddof` at or above the count divides by zero, as NumPy's max(n - ddof, 0) does.
import JITSyntax

extension KernelChecker {
    /// Whether `name` is one of the statistics and not a helper the module declares instead.
    func isStatistic(_ name: String) -> Bool {
        ["mean", "var", "std"].contains(name) && module.declaration(name) == nil
    }

    /// `mean(E)`, `var(E, ddof=d)` or `std(E, ddof=d)`: its two loop nests appended to `prefix`,
    /// the expression of its result returned; nil after reporting.
    mutating func liftStatistic(_ name: String, _ args: [Expr], _ range: SourceRange, into prefix: inout [Statement]) -> Expr? {
        let r = range
        var positional: [Expr] = []
        var keywords: [String: Expr] = [:]
        let allowed = name == "mean" ? ["axis"] : ["axis", "ddof"]
        for a in args {
            if case .keyword(let label, let v) = a.kind, allowed.contains(label), keywords[label] == nil {
                keywords[label] = v
            } else if case .keyword = a.kind {
                let list = allowed.map { "'\($0)='" }.joined(separator: " and ")
                bag.error("unexpected_keyword", "'\(name)' takes only \(list) as keyword argument\(allowed.count == 1 ? "" : "s")", at: a.range)
                return nil
            } else {
                positional.append(a)
            }
        }
        // As in the expression language: var(x, axis, ddof) positionally.
        for k in allowed where positional.count > 1 && keywords[k] == nil { keywords[k] = positional.remove(at: 1) }
        guard positional.count == 1 else {
            let what = name == "mean" ? "an optional axis" : "an optional axis and ddof"
            bag.error("wrong_argument_count", "'\(name)' takes one array argument and \(what)", at: r)
            return nil
        }
        if let axis = keywords["axis"] {
            if case .none = axis.kind {} else {
                bag.error("kernel_axis", "'\(name)' in a kernel reduces the whole array; 'axis=' is not supported here",
                          at: axis.range, notes: [DiagnosticNote("loop over the other axes and reduce a view, as in \(name)(m[i, 0..<m.shape[1]])")])
                return nil
            }
        }
        let argument = positional[0]
        guard !wholeArrays(argument).isEmpty else {
            bag.error("reduction_of_scalar", "'\(name)' reduces an array, but its argument is a scalar", at: argument.range,
                      notes: [DiagnosticNote("pass an array variable or a view bound with 'let'")])
            return nil
        }
        guard let loop = arrayLoop(argument, r) else { return nil }
        let complex = loop.dtype.isComplex
        let accumulator: DType = complex ? .complex128 : .float64
        let single = loop.dtype == .float32 || loop.dtype == .complex64
        let meanType: DType = single ? loop.dtype : accumulator
        let realType: DType = single ? .float32 : .float64

        let k = liftedReductions
        liftedReductions += 1
        let sum = "$red\(k)", count = "$red\(k)n", mean = "$red\(k)m", squares = "$red\(k)s", deviation = "$red\(k)d"
        func ident(_ s: String) -> Expr { Expr(.name(s), r) }
        func call(_ f: String, _ xs: Expr...) -> Expr { Expr(.call(name: f, nameRange: r, arguments: xs), r) }
        func binary(_ op: BinaryOperator, _ a: Expr, _ b: Expr) -> Expr { Expr(.binary(op, a, b), r) }
        func declare(_ n: String, _ type: DType?, mutable: Bool, _ value: Expr) -> Statement {
            Statement(.declare(name: n, mutable: mutable, type: type.map { .scalar($0.shortName, rank: 0) }, value: value), r)
        }
        let element = call(accumulator.shortName, loop.element)

        prefix += Self.sameShapes(loop, r)
        let extents = (0..<loop.rank).map { Self.extentSyntax(loop.arrays[0], $0, r) }
        prefix.append(declare(count, .float64, mutable: false, call("f64", extents.dropFirst().reduce(extents[0]) { binary(.multiply, $0, $1) })))
        prefix.append(declare(sum, accumulator, mutable: true, Expr(.integer(0), r)))
        prefix.append(Self.nest(loop, [Statement(.assign(target: .variable(sum), op: .add, value: element), r)], r))
        prefix.append(declare(mean, nil, mutable: false, binary(.divide, ident(sum), ident(count))))
        // Visible now, so a reduction around this one can type its element (the prefix statements
        // are checked after lifting, and declare them again).
        _ = self.declare(count, .scalar(.float64), mutable: false)
        _ = self.declare(mean, .scalar(accumulator), mutable: false)
        if name == "mean" { return meanType == accumulator ? ident(mean) : call(meanType.shortName, ident(mean)) }

        let d = ident(deviation)
        let square = complex ? call("real", binary(.multiply, d, call("conj", d))) : binary(.multiply, d, d)
        prefix.append(declare(squares, .float64, mutable: true, Expr(.integer(0), r)))
        prefix.append(Self.nest(loop, [declare(deviation, nil, mutable: false, binary(.subtract, element, ident(mean))),
                                       Statement(.assign(target: .variable(squares), op: .add, value: square), r)], r))
        _ = self.declare(squares, .scalar(.float64), mutable: true)
        let divisor = keywords["ddof"].map { call("max", binary(.subtract, ident(count), $0), Expr(.integer(0), r)) } ?? ident(count)
        let variance = binary(.divide, ident(squares), divisor)
        let result = name == "var" ? variance : call("sqrt", variance)
        return realType == .float64 ? result : call(realType.shortName, result)
    }
}
