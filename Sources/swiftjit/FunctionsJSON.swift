// `swiftjit functions --json`: the builtin table (JITSema's Builtins.all) as JSON, one object per
// row, for scripts that generate tests or check accuracy from the table instead of their own lists.
import Foundation
import SwiftJIT

extension Functions {
    /// The table as a JSON array: name, arity, typing rule, lowering (kind and symbol), whether
    /// bool and complex arguments are accepted, and the summary, in the table's order.
    static func json() throws -> String {
        let rows: [[String: Any]] = Builtins.all.map { b in
            var lowering: [String: Any]
            switch b.lowering {
            case .runtime(let name): lowering = ["kind": "runtime", "symbol": name]
            case .intrinsic(let name): lowering = ["kind": "intrinsic", "symbol": name]
            case .libm(let name): lowering = ["kind": "libm", "symbol": name]
            case .custom: lowering = ["kind": "custom"]
            }
            var typing: [String: Any] = ["rule": typingName(b.typing)]
            if case .conversion(let d) = b.typing { typing["dtype"] = d.rawValue }
            return ["name": b.name, "arity": b.arity, "typing": typing, "lowering": lowering,
                    "accepts_bool": b.acceptsBool, "accepts_complex": b.acceptsComplex, "summary": b.summary]
        }
        let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
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
