// KernelChecker, continued: NumPy's `mean`, `var` and `std` of whole arrays inside kernels. In: a
// call `mean(E)`, `var(E, ddof=d)`, `std(E)` whose argument reads arrays whole; out: statements,
// lifted before the statement as the other reductions are, that compute it in two passes fused with
// E (no temporary array), and the expression that reads the result:
//
//     let $redKn: f64 = f64(a.shape[0] * ...)            # the element count
//     var $redK: f64 = 0
//     for $i0 ... { $redK += f64(E[$i...]) }             # pass 1: the sum
//     var $redKs: f64 = 0
//     for $i0 ... { let $redKd = f64(E[$i...]) - $redK / $redKn; $redKs += $redKd * $redKd }   # pass 2
//     $redKs / max($redKn - d, 0)                        # var (`sqrt` of it for std; $redK / $redKn is mean)
//
// (each innermost loop summed in blocks of `statisticsBlock` elements into a partial sum first).
//
// With `axis=k` (an integer literal, negative from the end) the two accumulators are arrays of
// the other axes' extents (`let $redK = zeros(...)`, updated at the nest's indices but k), and the
// result is an array expression (`$redK / $redKn`), which the statement around it reads whole or
// binds with `let`; along the one axis of a vector it is the whole-array statistic.
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
        var axisLiteral: Int?
        if let axis = keywords["axis"] {
            if case .none = axis.kind {} else {
                guard let v = Self.integerLiteral(axis) else {
                    bag.error("bad_axis", "axis must be an integer literal or None", at: axis.range)
                    return nil
                }
                axisLiteral = v
            }
        }
        let argument = positional[0]
        guard !wholeArrays(argument).isEmpty else {
            bag.error("reduction_of_scalar", "'\(name)' reduces an array, but its argument is a scalar", at: argument.range,
                      notes: [DiagnosticNote("pass an array variable or a view bound with 'let'")])
            return nil
        }
        guard let loop = arrayLoop(argument, r) else { return nil }
        var axis: Int?
        if let v = axisLiteral {
            guard v >= -loop.rank && v < loop.rank else {
                bag.error("bad_axis", "axis \(v) is out of bounds for an array of dimension \(loop.rank)", at: keywords["axis"]!.range)
                return nil
            }
            // Along the one axis of a vector is over the whole array (NumPy gives a 0-d result).
            axis = loop.rank == 1 ? nil : (v + loop.rank) % loop.rank
        }
        let complex = loop.dtype.isComplex
        let accumulatorType: DType = complex ? .complex128 : .float64
        let single = loop.dtype == .float32 || loop.dtype == .complex64
        let meanType: DType = single ? loop.dtype : accumulatorType
        let realType: DType = single ? .float32 : .float64

        let k = liftedReductions
        liftedReductions += 1
        let sum = "$red\(k)", count = "$red\(k)n", squares = "$red\(k)s", deviation = "$red\(k)d"
        func ident(_ s: String) -> Expr { Expr(.name(s), r) }
        func call(_ f: String, _ xs: Expr...) -> Expr { Expr(.call(name: f, nameRange: r, arguments: xs), r) }
        func binary(_ op: BinaryOperator, _ a: Expr, _ b: Expr) -> Expr { Expr(.binary(op, a, b), r) }
        func declare(_ n: String, _ type: DType?, mutable: Bool, _ value: Expr) -> Statement {
            Statement(.declare(name: n, mutable: mutable, type: type.map { .scalar($0.shortName, rank: 0) }, value: value), r)
        }
        // Whole array: scalar accumulators. Along an axis: arrays of the other axes' extents, each
        // element read and updated at the loop nest's indices but the reduced one.
        let extents = (0..<loop.rank).map { Self.extentSyntax(loop.arrays[0], $0, r) }
        let kept = (0..<loop.rank).filter { $0 != axis }
        func accumulator(_ n: String, _ dtype: DType) -> (declaration: Statement, at: Expr) {
            guard axis != nil else { return (declare(n, dtype, mutable: true, Expr(.integer(0), r)), ident(n)) }
            let dims = kept.map { extents[$0] } + [Expr(.keyword(name: "dtype", value: Expr(.name(dtype.shortName), r)), r)]
            let array = Statement(.declare(name: n, mutable: false, type: nil, value: Expr(.call(name: "zeros", nameRange: r, arguments: dims), r)), r)
            return (array, Expr(.index(ident(n), kept.map { ident(loop.loopVars[$0]) }), r))
        }
        func add(_ target: Expr, _ value: Expr) -> Statement {
            if case .name(let n) = target.kind { return Statement(.assign(target: .variable(n), op: .add, value: value), r) }
            return Statement(.assign(target: .element(target), op: .add, value: value), r)
        }
        func visible(_ n: String, _ dtype: DType) {
            // Visible now, so a reduction around this one can type its element (the prefix
            // statements are checked after lifting, and declare them again).
            _ = self.declare(n, axis == nil ? .scalar(dtype) : .array(dtype, rank: kept.count), mutable: axis == nil)
            if axis != nil { liftedCalls[n] = source.slice(r) }
        }
        // A whole-array sum adds blocks of the innermost axis into a partial sum, then the partial
        // sums into the total: the rounding error of n terms grows with block/lanes + n/block
        // additions (about 64 + n/1024) instead of n/lanes.
        func summing(_ target: Expr, _ dtype: DType, _ prelude: [Statement], _ value: Expr) -> Statement {
            guard axis == nil else { return Self.nest(loop, prelude + [add(target, value)], r) }
            let last = loop.rank - 1, block = Expr(.integer(Int64(Self.statisticsBlock)), r)
            let (start, partial) = ("$red\(k)b", "$red\(k)p")
            let end = call("min", binary(.add, ident(start), block), extents[last])
            let inner = Statement(.forLoop(variable: loop.loopVars[last], start: ident(start), end: end, step: nil, parallel: false,
                                           body: prelude + [add(ident(partial), value)]), r)
            var body = [Statement(.forLoop(variable: start, start: Expr(.integer(0), r), end: extents[last], step: block, parallel: false,
                                           body: [declare(partial, dtype, mutable: true, Expr(.integer(0), r)), inner, add(target, ident(partial))]), r)]
            for d in stride(from: last - 1, through: 0, by: -1) {
                body = [Statement(.forLoop(variable: loop.loopVars[d], start: Expr(.integer(0), r), end: extents[d], step: nil,
                                           parallel: false, body: body), r)]
            }
            return body[0]
        }
        let element = call(accumulatorType.shortName, loop.element)

        prefix += Self.sameShapes(loop, r)
        let n = axis.map { extents[$0] } ?? extents.dropFirst().reduce(extents[0]) { binary(.multiply, $0, $1) }
        prefix.append(declare(count, .float64, mutable: false, call("f64", n)))
        let total = accumulator(sum, accumulatorType)
        prefix.append(total.declaration)
        prefix.append(summing(total.at, accumulatorType, [], element))
        _ = self.declare(count, .scalar(.float64), mutable: false)
        visible(sum, accumulatorType)
        if name == "mean" {
            let mean = binary(.divide, ident(sum), ident(count))
            return meanType == accumulatorType ? mean : call(meanType.shortName, mean)
        }

        let d = ident(deviation)
        let square = complex ? call("real", binary(.multiply, d, call("conj", d))) : binary(.multiply, d, d)
        let deviations = accumulator(squares, .float64)
        prefix.append(deviations.declaration)
        prefix.append(summing(deviations.at, .float64, [declare(deviation, nil, mutable: false,
                                                                binary(.subtract, element, binary(.divide, total.at, ident(count))))], square))
        visible(squares, .float64)
        let divisor = keywords["ddof"].map { call("max", binary(.subtract, ident(count), $0), Expr(.integer(0), r)) } ?? ident(count)
        let variance = binary(.divide, ident(squares), divisor)
        let result = name == "var" ? variance : call("sqrt", variance)
        return realType == .float64 ? result : call(realType.shortName, result)
    }

    /// Elements of the innermost axis summed into one partial sum (whole-array statistics).
    static let statisticsBlock = 1024

    /// `3` or `-1` as an Int.
    static func integerLiteral(_ a: Expr) -> Int? {
        switch a.kind {
        case .integer(let v): return Int(exactly: v)
        case .unary(.negate, let inner): if case .integer(let v) = inner.kind { return Int(exactly: v).map { -$0 } }
        default: break
        }
        return nil
    }
}
