// `swiftjit functions --json`: the builtin table (JITSema's Builtins.all) as JSON, one object per
// row, for scripts that generate tests or check accuracy from the table instead of their own lists.
import Foundation
import SwiftJIT

extension Functions {
    /// The table as a JSON array, one object per row in the table's order: name, arity, typing
    /// rule, lowering (kind and symbol or emitted code), whether bool arguments are accepted, how
    /// complex ones are (`complex`, absent when refused, with `accepts_complex`), the C names
    /// (`libm`, float64; float32 adds `f`), the vector lowering (our kernel and the implementation
    /// per type and mode), the accuracy bound in ULP per mode, the two-scalar form of a reduction
    /// (`pairwise`), the operator an expansion is (`operator`), whether it is a statistic and the
    /// summary.
    static func json() throws -> String {
        let rows: [[String: Any]] = Builtins.all.map { b in
            var row: [String: Any] = ["name": b.name, "arity": b.arity, "typing": typing(b.typing),
                                      "lowering": lowering(b.lowering), "accepts_bool": b.acceptsBool,
                                      "accepts_complex": b.acceptsComplex, "summary": b.summary]
            if let c = b.complex { row["complex"] = complex(c) }
            if let libm = b.libm { row["libm"] = libm }
            if let v = b.vector { row["vector"] = vector(v) }
            if let a = b.accuracy { row["accuracy_ulp"] = ["strict": a.strict, "relaxed": a.relaxed, "fast": a.fast] }
            if let pair = b.pairwise { row["pairwise"] = pair }
            if let op = b.binaryOperator { row["operator"] = op.rawValue }
            if b.statistic { row["statistic"] = true }
            return row
        }
        let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func typing(_ rule: TypingRule) -> [String: Any] {
        var typing: [String: Any] = ["rule": typingName(rule)]
        if case .conversion(let d) = rule { typing["dtype"] = d.rawValue }
        return typing
    }

    static func lowering(_ rule: LoweringRule) -> [String: Any] {
        switch rule {
        case .runtime(let name): return ["kind": "runtime", "symbol": name]
        case .intrinsic(let name): return ["kind": "intrinsic", "symbol": name]
        case .libm(let name): return ["kind": "libm", "symbol": name]
        case .emitted(let code): return ["kind": "emitted", "code": code.rawValue]
        case .rewritten: return ["kind": "rewritten"]
        }
    }

    static func complex(_ c: ComplexLowering) -> [String: Any] {
        switch c {
        case .helper(let name): return ["kind": "helper", "symbol": name]
        case .emitted: return ["kind": "emitted"]
        case .specialized: return ["kind": "specialized"]
        case .whole: return ["kind": "whole"]
        }
    }

    /// `{"kernel": "exp", "variants": false, "float64": ["libm", "polynomial", "libmvec"], ...}`
    /// (strict, relaxed, fast).
    static func vector(_ v: VectorLowering) -> [String: Any] {
        ["kernel": v.kernel.rawValue, "variants": v.variants,
         "float64": v.float64.map(\.rawValue), "float32": v.float32.map(\.rawValue)]
    }

    /// The typing rule's name as the Swift source spells it (`floatUnary`, `conversion`).
    static func typingName(_ rule: TypingRule) -> String {
        switch rule {
        case .floatUnary: return "floatUnary"
        case .floatBinary: return "floatBinary"
        case .sameUnary: return "sameUnary"
        case .sameBinary: return "sameBinary"
        case .predicate: return "predicate"
        case .select: return "select"
        case .part: return "part"
        case .conjugate: return "conjugate"
        case .makeComplex: return "makeComplex"
        case .reduction: return "reduction"
        case .conversion: return "conversion"
        case .random: return "random"
        case .expansion: return "expansion"
        }
    }
}
