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

    /// A kernel's body in one line of source-like text (`s = 0.0; for i in 0 ..< x.shape[0] { s = s + x[i] * 2.0 }; return s`),
    /// rebuilt from the typed kernel IR stored in its key: declarations, ids (`#3`), locations (`@3:25`)
    /// and types are dropped, and each scalar expression is read back as text. Nil when the key has none.
    static func kernel(fromIR ir: String) -> String? {
        var lines = ir.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let header = lines.firstIndex(where: { $0.hasPrefix("kernel ") }) else { return nil }
        lines = Array(lines[(header + 1)...])
        // Declarations (`s#1: f64 var`) and the braces around the whole body carry no statement.
        let declaration = /^[A-Za-z_][A-Za-z_0-9]*#[0-9]+: .* (var|let)$/
        var body = lines.filter { !$0.isEmpty && (try? declaration.wholeMatch(in: $0)) == nil }
        if body.first == "{", body.last == "}" { body = Array(body.dropFirst().dropLast()) }
        guard !body.isEmpty else { return nil }
        var text = body.map(readingGroups).joined(separator: "; ")
        text = text.replacingOccurrences(of: "{; ", with: "{ ").replacingOccurrences(of: "; }", with: " }")
        text = text.replacing(/#[0-9]+/, with: "").replacing(/@[0-9]+:[0-9]+/, with: "")
        return text
    }

    /// `line` with every `{...}@L:C` expression group replaced by its text.
    private static func readingGroups(_ line: String) -> String {
        let chars = Array(line)
        var out = "", i = 0
        while i < chars.count {
            guard chars[i] == "{", let close = matchingBrace(chars, from: i) else {
                out.append(chars[i]); i += 1; continue
            }
            // A block's `{` ends its line; an expression group is followed by its location.
            guard close + 1 < chars.count, chars[close + 1] == "@" else { out.append(chars[i]); i += 1; continue }
            out += groupText(String(chars[(i + 1)..<close]))
            i = close + 1
        }
        return out
    }

    private static func matchingBrace(_ chars: [Character], from start: Int) -> Int? {
        var depth = 0
        for j in start..<chars.count {
            if chars[j] == "{" { depth += 1 }
            if chars[j] == "}" { depth -= 1; if depth == 0 { return j } }
        }
        return nil
    }

    /// The text of one group: `const 2.0 : f64` is `2.0`; `$0: f64 = s#1, ... | %0 = arg $0 : f64; ...`
    /// is its scalar IR read as an expression with the bindings put in; anything else is itself.
    private static func groupText(_ group: String) -> String {
        let inner = readingGroups(group)
        if inner.hasPrefix("const "), let colon = inner.range(of: " : ", options: .backwards) {
            return String(inner[inner.index(inner.startIndex, offsetBy: 6)..<colon.lowerBound])
        }
        guard let bar = inner.range(of: " | ") else { return inner }
        var bindings: [String: String] = [:]
        for binding in splitTopLevel(String(inner[..<bar.lowerBound])) {
            guard let colon = binding.firstIndex(of: ":"), let eq = binding.range(of: " = ") else { continue }
            bindings[String(binding[..<colon])] = String(binding[eq.upperBound...])
        }
        let ir = inner[bar.upperBound...].replacingOccurrences(of: "; ", with: "\n")
        guard var text = expression(fromIR: ir) else { return inner }
        for (name, value) in bindings.sorted(by: { $0.key.count > $1.key.count }) {
            text = text.replacingOccurrences(of: name, with: value)
        }
        return text
    }

    /// `a, b[c, d], e` split at the commas outside brackets and braces.
    private static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = [], current = "", depth = 0
        for c in text {
            if "[{(".contains(c) { depth += 1 }
            if "]})".contains(c) { depth -= 1 }
            if c == ",", depth == 0 { parts.append(current.trimmingCharacters(in: .whitespaces)); current = ""; continue }
            current.append(c)
        }
        if !current.isEmpty { parts.append(current.trimmingCharacters(in: .whitespaces)) }
        return parts
    }

    /// `text` cut to `width` characters with `…` at the end when longer.
    static func shortened(_ text: String, to width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }
}
