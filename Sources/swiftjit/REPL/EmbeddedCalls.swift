// REPL function calls and kernel calls inside an expression (`rand(1000) * 2 - 1`,
// `load("a.npy") * 2`, `zeros((2, 3)) + x`, `total(y) / 5`). The expression language knows none of
// them, so each call is found in the text (quotes and brackets respected), bound as a REPL value,
// and replaced by a hidden variable name of exactly the call's length, so every later diagnostic
// still points at the typed text. The calls run each time the expression does (so `:time`
// counts them and `rand` draws new numbers); the expression then reads their values like any
// other variable. `zeros`, `ones` and `full` are not made at all: each is its one value seen as
// an array of its shape with every stride 0, which the expression's loop reads like any operand
// (no memory, no fill pass). The other functions (arange, linspace, rand, normal, load) and kernel
// calls are computed into arrays first: an expression's compiled loop reads operands through
// pointers and strides and has no element position to compute `start + i * step` or a draw from,
// so fusing them would need a new kind of operand in the lowering.
import Foundation
import SwiftJIT

/// A call found inside an expression: its hidden variable and the work that makes its value.
struct EmbeddedCall {
    var variable: String
    /// The call as typed (for messages that name the variable).
    var text: String
    var value: () throws -> NDArray
}

extension Session {
    /// `fragment` with every REPL function or kernel call replaced by a hidden variable, and
    /// those calls bound; nil when it contains none.
    func embeddedCalls(in fragment: Fragment) throws -> (Fragment, [EmbeddedCall])? {
        var bytes = Array(fragment.text.utf8)
        var calls: [EmbeddedCall] = []
        var i = 0, quote: UInt8?
        while i < bytes.count {
            let b = bytes[i]
            if let q = quote {
                if b == q { quote = nil }
                i += 1
                continue
            }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { quote = b; i += 1; continue }
            guard Self.isIdentifierByte(b), !Self.isDigit(b),
                  i == 0 || !(Self.isIdentifierByte(bytes[i - 1]) || bytes[i - 1] == UInt8(ascii: ".")) else {
                i += 1
                continue
            }
            var end = i
            while end < bytes.count && Self.isIdentifierByte(bytes[end]) { end += 1 }
            let name = String(decoding: bytes[i..<end], as: UTF8.self)
            var open = end
            while open < bytes.count && bytes[open] == 32 { open += 1 }
            guard open < bytes.count, bytes[open] == UInt8(ascii: "("), variables[name] == nil,
                  REPLFunctions.named(name) != nil || declarations.contains(where: { $0.name == name }),
                  let close = Self.closingParenthesis(bytes, from: open) else {
                i = end
                continue
            }
            // The whole input being this one call is handled by `prepare` itself.
            if i == 0 && close == bytes.count - 1 { return nil }
            var callText = Fragment(String(decoding: bytes, as: UTF8.self), from: i, to: close + 1)
            callText.offset += fragment.offset
            let variable = Self.hiddenName(calls.count, length: close + 1 - i)
            if let constant = REPLFunctions.constant[name], let call = CallSyntax(callText) {
                let (value, shape) = try constant(call, self)
                calls.append(EmbeddedCall(variable: variable, text: callText.text) { REPLFunctions.broadcast(value, to: shape) })
                bytes.replaceSubrange(i...close, with: Array(variable.utf8))
                i = close + 1
                continue
            }
            let prepared = try prepare(callText)
            let range = callText.range
            calls.append(EmbeddedCall(variable: variable, text: callText.text) {
                let values = try prepared.run()
                guard values.count == 1 else {
                    throw InputError("\(name)(...) gives \(values.count) values; an expression needs one", at: range)
                }
                return values[0]
            })
            bytes.replaceSubrange(i...close, with: Array(variable.utf8))
            i = close + 1
        }
        guard !calls.isEmpty else { return nil }
        var replaced = fragment
        replaced.text = String(decoding: bytes, as: UTF8.self)
        return (replaced, calls)
    }

    /// The index of the `)` that closes the `(` at `open` (quotes and nested brackets respected).
    static func closingParenthesis(_ bytes: [UInt8], from open: Int) -> Int? {
        closingParenthesisOrBracket(bytes, from: open).flatMap { bytes[$0] == UInt8(ascii: ")") ? $0 : nil }
    }

    /// The index of the bracket that closes the `(` or `[` at `open`.
    static func closingParenthesisOrBracket(_ bytes: [UInt8], from open: Int) -> Int? {
        var depth = 0, quote: UInt8?
        for j in open..<bytes.count {
            let b = bytes[j]
            if let q = quote {
                if b == q { quote = nil }
                continue
            }
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = b
            case UInt8(ascii: "("), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return j }
            default: break
            }
        }
        return nil
    }

    /// `_0____`: a name no one types (a leading underscore, a number, underscores), `length`
    /// bytes long so the text around it keeps its columns. A call is at least `f()`, 3 bytes.
    static func hiddenName(_ index: Int, length: Int) -> String {
        let stem = "_\(index)"
        return stem + String(repeating: "_", count: max(0, length - stem.count))
    }

    /// Messages that name hidden variables name the calls instead.
    static func naming(_ calls: [EmbeddedCall], in error: InputDiagnostics) -> InputDiagnostics {
        var e = error
        for k in e.diagnostics.indices {
            for call in calls {
                e.diagnostics[k].message = e.diagnostics[k].message.replacingOccurrences(of: "'\(call.variable)'", with: "'\(call.text)'")
            }
        }
        return e
    }
}
