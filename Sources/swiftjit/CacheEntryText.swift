// `swiftjit cache list`: an expression entry's text, rebuilt from the typed IR stored in its key
// (`x*$k0 + sin(f64(y))/2.0`; `$k0` is a float constant passed at run time, so expressions that
// differ only in it share the entry), shortened to a width. The key itself holds no source text:
// entries are shared by every source that gives the same IR.
import Foundation

enum CacheEntryText {
    /// The expression an `ir` section computes, or nil when the text is not one we read.
    static func expression(fromIR ir: String) -> String? {
        var values: [(text: String, precedence: Int)] = []
        let binary: [String: (String, Int)] = [
            "add": ("+", 4), "sub": ("-", 4), "mul": ("*", 5), "div": ("/", 5), "floordiv": ("//", 5), "mod": ("%", 5),
            "pow": ("**", 7), "shl": ("<<", 3), "shr": (">>", 3), "and": ("&", 2), "xor": ("^", 2), "or": ("|", 2),
        ]
        let compare = ["lt": "<", "le": "<=", "eq": "==", "ne": "!=", "ge": ">=", "gt": ">"]
        func operand(_ token: Substring, _ precedence: Int = 0) -> String? {
            guard token.hasPrefix("%"), let i = Int(token.dropFirst()), i < values.count else { return nil }
            let v = values[i]
            return v.precedence < precedence ? "(\(v.text))" : v.text
        }
        var result: String?
        for line in ir.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("ret ") || t.hasPrefix("reduce ") {
                let words = t.split(separator: " ")
                guard let last = words.last, let body = operand(last) else { return nil }
                result = t.hasPrefix("reduce ") ? "\(words[1])(\(body))" : body
                continue
            }
            guard t.hasPrefix("%"), let eq = t.range(of: " = "), let colon = t.range(of: " : ", options: .backwards) else { continue }
            let op = t[eq.upperBound..<colon.lowerBound]
            let type = String(t[colon.upperBound...])
            let words = op.split(separator: " ", maxSplits: 1)
            let args = words.count > 1 ? words[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces)[...] } : []
            var made: (String, Int)?
            switch words[0] {
            case "arg": made = (String(args.first ?? "?"), 9)
            case "const": made = (String(op.dropFirst(6)), 9)
            case "cast": made = operand(args[0]).map { ("\(type)(\($0))", 9) }
            case "neg": made = operand(args[0], 6).map { ("-" + $0, 6) }
            case "not": made = operand(args[0], 6).map { ("~" + $0, 6) }
            case "cmp":
                let parts = words[1].split(separator: " ", maxSplits: 1)
                let pair = parts.count > 1 ? parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces)[...] } : []
                if let symbol = compare[String(parts[0])], pair.count == 2, let a = operand(pair[0], 2), let b = operand(pair[1], 2) {
                    made = ("\(a) \(symbol) \(b)", 1)
                }
            case "call":
                let inner = words[1]
                if let open = inner.firstIndex(of: "("), inner.hasSuffix(")") {
                    let list = inner[inner.index(after: open)..<inner.index(before: inner.endIndex)]
                    let xs = list.split(separator: ",").map { operand($0.trimmingCharacters(in: .whitespaces)[...]) }
                    if xs.allSatisfy({ $0 != nil }) { made = ("\(inner[..<open])(\(xs.map { $0! }.joined(separator: ", ")))", 9) }
                }
            case "select":
                let xs = args.map { operand($0) }
                if xs.count == 3, xs.allSatisfy({ $0 != nil }) { made = ("where(\(xs.map { $0! }.joined(separator: ", ")))", 9) }
            default:
                if let (symbol, p) = binary[String(words[0])], args.count == 2,
                   let a = operand(args[0], p), let b = operand(args[1], p + 1) {
                    made = ("\(a) \(symbol) \(b)", p)
                }
            }
            guard let made else { return nil }
            values.append(made)
        }
        return result
    }

    /// `text` cut to `width` characters with `…` at the end when longer.
    static func shortened(_ text: String, to width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }
}
