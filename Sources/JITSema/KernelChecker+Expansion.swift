// KernelChecker, continued: whole-array expressions. In: a statement whose value reads arrays
// whole (`let c = a * b + 1`); out: an allocation and a loop nest over its elements, with a
// run-time check that the arrays' shapes agree.
import JITSyntax

extension KernelChecker {
    // MARK: whole-array expressions

    /// Array variables `e` reads whole (not indexed, not as len/shape arguments).
    func wholeArrays(_ e: Expr) -> [String] {
        var names: [String] = []
        func walk(_ e: Expr) {
            switch e.kind {
            case .name(let n):
                if let v = lookup(n), variables[v].type.isArray, !names.contains(n) { names.append(n) }
            case .index, .member: break
            case .call("len", _, _): break
            case .call(_, _, let args): args.forEach(walk)
            case .unary(_, let a): walk(a)
            case .binary(_, let a, let b): walk(a); walk(b)
            case .keyword(_, let v): walk(v)
            default: break
            }
        }
        walk(e)
        return names
    }

    /// A loop nest over the whole arrays an expression reads: its element expression (each array
    /// `x` read as `x[$i0, ...]`, in the nest's scope) and that element's dtype.
    struct ArrayLoop {
        var arrays: [String]
        var rank: Int
        var loopVars: [String]
        var element: Expr
        var dtype: DType
    }

    /// The loop nest for `value`, whose whole arrays must share one rank; nil after reporting.
    mutating func arrayLoop(_ value: Expr, _ range: SourceRange) -> ArrayLoop? {
        let arrayNames = wholeArrays(value)
        let rank = variables[lookup(arrayNames[0])!].type.rank
        for n in arrayNames where variables[lookup(n)!].type.rank != rank {
            let (first, other) = (liftedCalls[arrayNames[0]] ?? arrayNames[0], liftedCalls[n] ?? n)
            bag.error("rank_mismatch", "whole-array expressions need arrays of one rank ('\(first)' has \(rank), '\(other)' has \(variables[lookup(n)!].type.rank)); index them in a loop",
                      at: range)
            return nil
        }
        let loopVars = (0..<rank).map { "$i\($0)" }
        let element = Self.substituteArrays(value, arrayNames, loopVars.map { Expr(.name($0), range) })
        // The element type: the expression typed with the loop variables in scope.
        scopes.append([:])
        loopVars.forEach { declare($0, .scalar(.int64), mutable: false) }
        let probe = scalar(element)
        scopes.removeLast()
        guard let dtype = probe?.type else { return nil }
        return ArrayLoop(arrays: arrayNames, rank: rank, loopVars: loopVars, element: element, dtype: dtype)
    }

    /// `e` with every read of an array in `arrays` replaced by that array at `indices` (not inside
    /// `len(...)`, `.shape[k]` or indexing, which read the array itself).
    static func substituteArrays(_ e: Expr, _ arrays: [String], _ indices: [Expr]) -> Expr {
        func substitute(_ e: Expr) -> Expr {
            switch e.kind {
            case .name(let n) where arrays.contains(n): return Expr(.index(Expr(.name(n), e.range), indices), e.range)
            case .unary(let op, let a): return Expr(.unary(op, substitute(a)), e.range)
            case .binary(let op, let a, let b): return Expr(.binary(op, substitute(a), substitute(b)), e.range)
            case .call("len", _, _): return e
            case .call(let f, let fr, let args): return Expr(.call(name: f, nameRange: fr, arguments: args.map(substitute)), e.range)
            case .keyword(let k, let v): return Expr(.keyword(name: k, value: substitute(v)), e.range)
            default: return e
            }
        }
        return substitute(e)
    }

    /// `a.shape[d]` as syntax.
    static func extentSyntax(_ array: String, _ d: Int, _ r: SourceRange) -> Expr {
        Expr(.index(Expr(.member(Expr(.name(array), r), "shape"), r), [Expr(.integer(Int64(d)), r)]), r)
    }

    /// The run-time checks that every array of `loop` has the first one's shape.
    static func sameShapes(_ loop: ArrayLoop, _ r: SourceRange) -> [Statement] {
        var statements: [Statement] = []
        for other in loop.arrays.dropFirst() {
            for d in 0..<loop.rank {
                let same = Expr(.binary(.equal, extentSyntax(other, d, r), extentSyntax(loop.arrays[0], d, r)), r)
                statements.append(Statement(.expression(Expr(.call(name: "$require", nameRange: r, arguments: [same]), r)), r))
            }
        }
        return statements
    }

    /// `body` inside `for $i0 in 0..<a.shape[0] { for $i1 ... }` over the loop's first array.
    static func nest(_ loop: ArrayLoop, _ body: [Statement], _ r: SourceRange) -> Statement {
        var body = body
        for d in stride(from: loop.rank - 1, through: 0, by: -1) {
            body = [Statement(.forLoop(variable: loop.loopVars[d], start: Expr(.integer(0), r), end: extentSyntax(loop.arrays[0], d, r),
                                       step: nil, parallel: false, body: body), r)]
        }
        return body[0]
    }

    /// `let name = <expression over whole arrays>`: one fused loop nest writing a new array, as
    ///     let name = empty(a.shape[0], ..., dtype=T)
    ///     $require(b.shape[d] == a.shape[d]) ...
    ///     for $i0 in 0..<a.shape[0] { ... name[$i0, ...] = <expression with x -> x[$i0, ...]> }
    mutating func elementwise(_ target: String, _ value: Expr, _ range: SourceRange) -> KernelStatement? {
        let r = range
        guard let loop = arrayLoop(value, r) else { return nil }
        var statements: [Statement] = []
        let dims = (0..<loop.rank).map { Self.extentSyntax(loop.arrays[0], $0, r) }
            + [Expr(.keyword(name: "dtype", value: Expr(.name(loop.dtype.shortName), r)), r)]
        statements.append(Statement(.declare(name: target, mutable: false, type: nil,
                                             value: Expr(.call(name: "empty", nameRange: r, arguments: dims), r)), r))
        statements += Self.sameShapes(loop, r)
        let store = Expr(.index(Expr(.name(target), r), loop.loopVars.map { Expr(.name($0), r) }), r)
        statements.append(Self.nest(loop, [Statement(.assign(target: .element(store), op: nil, value: loop.element), r)], r))
        return .sequence(statements.compactMap { statement($0) })
    }
}
