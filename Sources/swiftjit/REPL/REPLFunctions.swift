// Functions the REPL adds for making, reading and writing arrays: linspace, arange, zeros, ones, full,
// rand, normal, seed, load, save. They are values anywhere in an expression (`rand(1000) * 2 - 1`,
// see EmbeddedCalls.swift); their arguments are values (variables, literals, expressions),
// strings in single or double quotes, shapes as numbers or tuples (`zeros((2, 3))`, `shape=`),
// and `dtype=` as a name or a string (`dtype=f32`, `dtype="float32"`).
// rand, normal and seed use the kernels' own generator (CJITSupport: xoshiro256** per thread); the
// REPL calls everything on its main thread, so `seed(1)` also seeds kernels that draw numbers.
import CJITSupport
import Foundation
import SwiftJIT

struct REPLFunction {
    var name: String
    /// How it is called, for :help.
    var usage: String
    var summary: String
    /// Reads the arguments now and returns the work to do (run once, or many times by :time).
    var bind: (CallSyntax, Session) throws -> () throws -> NDArray?
}

enum REPLFunctions {
    nonisolated(unsafe) static let all: [REPLFunction] = [
        REPLFunction(name: "linspace", usage: "linspace(start, stop, num=50, dtype=f64)",
                     summary: "num evenly spaced values from start to stop (both included)") { call, s in
            let a = try Arguments(call, s, positional: ["start", "stop", "num"], keywords: ["dtype"], required: 2)
            let start = try a.double("start"), stop = try a.double("stop"), n = try a.int("num", default: 50)
            let dtype = try a.dtype(default: .float64)
            return {
                let step = n > 1 ? (stop - start) / Double(n - 1) : 0
                var values = (0..<n).map { start + Double($0) * step }
                if n > 1 { values[n - 1] = stop }
                return try converted(NDArray(values), to: dtype)
            }
        },
        REPLFunction(name: "arange", usage: "arange([start,] stop[, step], dtype=...)",
                     summary: "start, start+step, ... below stop (int64 when all are integers)") { call, s in
            let a = try Arguments(call, s, positional: ["start", "stop", "step"], keywords: ["dtype"], required: 1)
            let given = a.values.count
            let start = given == 1 ? NDArray(scalar: Int64(0)) : a.values["start"]!
            let stop = given == 1 ? a.values["start"]! : a.values["stop"]!
            let step = a.values["step"] ?? NDArray(scalar: Int64(1))
            let integral = [start, stop, step].allSatisfy { $0.dtype.isInteger }
            let dtype = try a.dtype(default: integral ? .int64 : .float64)
            let (lo, hi, by) = (Double(scalar: start.element(0)), Double(scalar: stop.element(0)), Double(scalar: step.element(0)))
            guard by != 0 else { throw InputError("arange: step must not be 0", at: call.range) }
            let n = max(0, Int(((hi - lo) / by).rounded(.up)))
            try Arguments.checkCount(n, call)
            return {
                if integral {
                    let (l, b) = (Int64(scalar: start.element(0)), Int64(scalar: step.element(0)))
                    return try converted(NDArray((0..<Int64(n)).map { l + $0 * b }), to: dtype)
                }
                return try converted(NDArray((0..<n).map { lo + Double($0) * by }), to: dtype)
            }
        },
        REPLFunction(name: "zeros", usage: "zeros((n, ...), dtype=f64)", summary: "an array of zeros") { call, s in
            let (shape, dtype, _) = try Arguments.shape(call, s)
            return { NDArray(zeros: dtype, shape: shape) }
        },
        REPLFunction(name: "ones", usage: "ones((n, ...), dtype=f64)", summary: "an array of ones") { call, s in
            let (shape, dtype, _) = try Arguments.shape(call, s)
            return { try converted(NDArray([Double](repeating: 1, count: shape.reduce(1, *)), shape: shape), to: dtype) }
        },
        REPLFunction(name: "full", usage: "full((n, ...), fill_value, dtype=...)",
                     summary: "an array of fill_value (its dtype unless dtype= is given)") { call, s in
            let (value, shape) = try filled(call, s)
            return { try materialized(broadcast(value, to: shape)) }
        },
        REPLFunction(name: "rand", usage: "rand(n, ...)", summary: "uniform in [0, 1), as random() in kernels (see seed)") { call, s in
            let (shape, dtype, _) = try Arguments.shape(call, s, dtype: false)
            return { try converted(NDArray((0..<shape.reduce(1, *)).map { _ in sj_random() }, shape: shape), to: dtype) }
        },
        REPLFunction(name: "normal", usage: "normal(n, ..., mu=0, sigma=1) or normal(loc=, scale=, size=)",
                     summary: "normally distributed, as normal(mu, sigma) in kernels") { call, s in
            let (shape, _, a) = try Arguments.shape(call, s, dtype: false, extra: ["mu", "sigma", "loc", "scale"])
            let mu = try a.double(a.values["loc"] != nil ? "loc" : "mu", default: 0)
            let sigma = try a.double(a.values["scale"] != nil ? "scale" : "sigma", default: 1)
            return { NDArray((0..<shape.reduce(1, *)).map { _ in sj_normal(mu, sigma) }, shape: shape) }
        },
        REPLFunction(name: "seed", usage: "seed(n)", summary: "seed the generator of rand, normal and kernels (a session starts with seed(0))") { call, s in
            let a = try Arguments(call, s, positional: ["n"], keywords: [], required: 1)
            let n = try a.int("n")
            return {
                sj_seed(Int64(n))
                return nil
            }
        },
        REPLFunction(name: "load", usage: "load(\"x.npy\")", summary: "read a .npy file") { call, s in
            let path = try Arguments.string(call, at: 0)
            guard call.arguments.count == 1 else { throw InputError("load takes one file name", at: call.range) }
            return {
                do { return try NPY.read(path: path) } catch JITError.file(let message) {
                    throw InputError(message, at: call.arguments[0].value.range)
                }
            }
        },
        REPLFunction(name: "save", usage: "save(\"y.npy\", y)", summary: "write a value to a .npy file") { call, s in
            let path = try Arguments.string(call, at: 0)
            guard call.arguments.count == 2 else { throw InputError("save takes a file name and a value", at: call.range) }
            let value = try s.evaluate(call.arguments[1].value)
            return {
                try NPY.write(value, to: path)
                return nil
            }
        },
    ]

    static func named(_ name: String) -> REPLFunction? { all.first { $0.name == name } }

    /// The functions whose every element is one value (zeros, ones, full): inside an expression
    /// they are that value broadcast to their shape (stride 0, one element of memory), so the
    /// expression's loop reads it where it reads the other operands and no array is made or filled.
    /// Returns the value (0-d, of the result's dtype) and the shape.
    nonisolated(unsafe) static let constant: [String: (CallSyntax, Session) throws -> (NDArray, [Int])] = [
        "zeros": { call, s in
            let (shape, dtype, _) = try Arguments.shape(call, s)
            return (NDArray(zeros: dtype, shape: []), shape)
        },
        "ones": { call, s in
            let (shape, dtype, _) = try Arguments.shape(call, s)
            return (try converted(NDArray(scalar: 1.0), to: dtype), shape)
        },
        "full": filled,
    ]

    /// `full(shape, fill_value, dtype=)` as NumPy calls it: the value (as `dtype`, else its own
    /// dtype: int64 for an integer, float64 for a float, bool) and the shape.
    static func filled(_ call: CallSyntax, _ s: Session) throws -> (NDArray, [Int]) {
        var rest = call.arguments
        func take(_ label: String) -> CallSyntax.Argument? {
            if let k = rest.firstIndex(where: { $0.label == label }) { return rest.remove(at: k) }
            if let k = rest.firstIndex(where: { $0.label == nil }) { return rest.remove(at: k) }
            return nil
        }
        guard let shapeArgument = take("shape"), let fill = take("fill_value") else {
            throw InputError("full needs a shape and a fill_value", at: call.range)
        }
        if let extra = rest.first(where: { $0.label != "dtype" }) {
            throw InputError("full takes a shape, a fill_value and dtype=", at: extra.value.range)
        }
        var shapeCall = call
        shapeCall.arguments = [CallSyntax.Argument(label: nil, value: shapeArgument.value)] + rest
        let (shape, _, a) = try Arguments.shape(shapeCall, s)
        let value = try s.evaluate(fill.value)
        guard value.rank == 0 else { throw InputError("fill_value must be a number, not an array", at: fill.value.range) }
        return (try converted(value, to: try a.dtype(default: value.dtype)), shape)
    }

    /// A new contiguous array with the elements of `a`.
    static func materialized(_ a: NDArray) throws -> NDArray {
        try JIT.evaluate("a", ["a": a], out: NDArray(uninitialized: a.dtype, shape: a.shape))
    }

    /// `value` (0-d) seen as an array of `shape`: every stride 0, no memory of its own.
    static func broadcast(_ value: NDArray, to shape: [Int]) -> NDArray {
        NDArray(dtype: value.dtype, shape: shape, strides: Array(repeating: 0, count: shape.count),
                storage: value.storage, offset: value.offset)
    }

    /// `a` as `dtype` (C casting, as NumPy's astype).
    static func converted(_ a: NDArray, to dtype: DType) throws -> NDArray {
        if a.dtype == dtype { return a }
        return try JIT.evaluate("a", ["a": a], out: NDArray(zeros: dtype, shape: a.shape), casting: .unsafe)
    }
}

/// The arguments of a REPL function call, by parameter name, evaluated.
struct Arguments {
    var values: [String: NDArray] = [:]
    var ranges: [String: SourceRange] = [:]
    var dtypeName: (String, SourceRange)?
    let call: CallSyntax

    init(_ call: CallSyntax, _ session: Session, positional: [String], keywords: [String], required: Int) throws {
        self.call = call
        var index = 0
        for argument in call.arguments {
            if let label = argument.label {
                guard keywords.contains(label) || positional.contains(label) else {
                    throw InputError("\(call.name) has no argument '\(label)'", at: argument.value.range)
                }
                if label == "dtype" {
                    dtypeName = (argument.value.text, argument.value.range)
                    continue
                }
                values[label] = try session.evaluate(argument.value)
                ranges[label] = argument.value.range
                continue
            }
            guard index < positional.count else {
                throw InputError("\(call.name) takes at most \(positional.count) arguments", at: argument.value.range)
            }
            values[positional[index]] = try session.evaluate(argument.value)
            ranges[positional[index]] = argument.value.range
            index += 1
        }
        if index < required {
            throw InputError("\(call.name) needs \(positional.prefix(required).joined(separator: ", "))", at: call.range)
        }
    }

    func scalar(_ name: String) throws -> ScalarValue? {
        guard let v = values[name] else { return nil }
        guard v.rank == 0 else { throw InputError("'\(name)' must be a number, not an array", at: ranges[name]!) }
        return v.element(0)
    }

    func double(_ name: String, default fallback: Double? = nil) throws -> Double {
        if let v = try scalar(name) { return Double(scalar: v) }
        return fallback ?? 0
    }

    func int(_ name: String, default fallback: Int? = nil) throws -> Int {
        guard let v = try scalar(name) else { return fallback ?? 0 }
        guard case .int(let i) = v, i >= 0 else {
            throw InputError("'\(name)' must be a non-negative integer", at: ranges[name]!)
        }
        try Self.checkCount(Int(i), call)
        return Int(i)
    }

    func dtype(default fallback: DType) throws -> DType {
        guard let (typed, range) = dtypeName else { return fallback }
        var text = typed
        if let unquoted = Arguments.unquoted(text) { text = unquoted }
        for prefix in ["np.", "numpy."] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        guard let d = DType(name: text) else {
            throw InputError("unknown dtype '\(text)'", at: range, note: "dtypes: bool i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 c64 c128")
        }
        return d
    }

    /// Arrays made here stay below 2^31 elements (16 GB of float64).
    static func checkCount(_ n: Int, _ call: CallSyntax) throws {
        if n >= 1 << 31 { throw InputError("\(call.name): \(n) elements is too many for the REPL", at: call.range) }
    }

    /// The shape of zeros/ones/rand/normal: positional non-negative integers, and a dtype.
    static func shape(_ typed: CallSyntax, _ session: Session, dtype allowDtype: Bool = true,
                      extra: [String] = []) throws -> ([Int], DType, Arguments) {
        // A tuple or list (`zeros((2, 3))`, `shape=(2, 3)`, `size=[2, 3]`) gives one number each.
        var call = typed
        call.arguments = typed.arguments.flatMap { argument -> [CallSyntax.Argument] in
            guard argument.label == nil || argument.label == "shape" || argument.label == "size" else { return [argument] }
            return (tupleItems(argument.value) ?? [argument.value]).map { CallSyntax.Argument(label: nil, value: $0) }
        }
        let positional = (0..<max(call.arguments.count, 1)).map { "n\($0)" }
        let a = try Arguments(call, session, positional: positional,
                              keywords: (allowDtype ? ["dtype"] : []) + extra + ["shape", "size"],
                              required: 1)
        var shape: [Int] = []
        for name in positional where a.values[name] != nil { shape.append(try a.int(name)) }
        try checkCount(shape.reduce(1, { $0.multipliedReportingOverflow(by: $1).partialValue }), call)
        return (shape, try a.dtype(default: .float64), a)
    }

    /// A string literal argument, `"x.npy"` or `'x.npy'`.
    static func string(_ call: CallSyntax, at index: Int) throws -> String {
        guard index < call.arguments.count else { throw InputError("\(call.name) needs a file name", at: call.range) }
        guard let text = unquoted(call.arguments[index].value.text) else {
            throw InputError("expected a file name in quotes", at: call.arguments[index].value.range)
        }
        return text
    }

    /// The text inside `"..."` or `'...'`, or nil when `text` is not one quoted string.
    static func unquoted(_ text: String) -> String? {
        guard text.count >= 2, let q = text.first, q == "\"" || q == "'", text.last == q,
              !text.dropFirst().dropLast().contains(q) else { return nil }
        return String(text.dropFirst().dropLast())
    }

    /// The items of a tuple or list `(2, 3)`, `(3,)`, `[2, 3]`, or nil when `value` is not one.
    static func tupleItems(_ value: Fragment) -> [Fragment]? {
        let bytes = Array(value.text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "(") || first == UInt8(ascii: "["),
              Session.closingParenthesisOrBracket(bytes, from: 0) == bytes.count - 1 else { return nil }
        var items: [Fragment] = []
        var depth = 0, start = 1
        for (j, b) in bytes.enumerated() {
            if b == UInt8(ascii: "(") || b == UInt8(ascii: "[") { depth += 1 }
            if b == UInt8(ascii: ")") || b == UInt8(ascii: "]") { depth -= 1 }
            if (b == UInt8(ascii: ",") && depth == 1) || j == bytes.count - 1 {
                var item = Fragment(value.text, from: start, to: j)
                item.offset += value.offset
                if !item.text.isEmpty { items.append(item) }
                start = j + 1
            }
        }
        // `(3)` is a parenthesised number, `(3,)` a tuple.
        return first == UInt8(ascii: "(") && !bytes.contains(UInt8(ascii: ",")) ? nil : items
    }
}
