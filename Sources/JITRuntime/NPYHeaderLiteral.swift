// The .npy header's Python literal: a small parser for the dict NumPy writes
// ({'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }). In: the header bytes; out: a
// Literal tree, or a Failure saying what is wrong and at which offset. Nesting depth is bounded, so
// a hostile header is an error, not a stack overflow. NPY.swift reads the dict's fields.

extension NPY {
    /// A value in the header's Python literal.
    indirect enum Literal {
        case string(String)
        case bool(Bool)
        case int(Int)
        case none
        case tuple([Literal])
        case list([Literal])
        case dict([(String, Literal)])
    }

    struct LiteralParser {
        let b: [UInt8]
        var i = 0
        var depth = 0

        init(_ bytes: [UInt8]) { b = bytes }

        struct Failure: Error { var message: String }

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 || b[i] == 0x0C {
                i += 1
            }
        }

        func peek() -> UInt8? { i < b.count ? b[i] : nil }

        mutating func expect(_ c: Character) throws {
            skipSpace()
            guard let p = peek(), p == c.asciiValue else {
                throw Failure(message: "expected '\(c)' at offset \(i)\(found())")
            }
            i += 1
        }

        func found() -> String {
            guard i < b.count else { return ", found the end of the header" }
            let c = b[i]
            if c >= 0x20 && c < 0x7F { return ", found '\(Character(UnicodeScalar(c)))'" }
            return ", found byte 0x\(String(c, radix: 16))"
        }

        mutating func value() throws -> Literal {
            skipSpace()
            guard let c = peek() else { throw Failure(message: "unexpected end of the header") }
            depth += 1
            defer { depth -= 1 }
            guard depth < 32 else { throw Failure(message: "nested too deeply") }
            switch c {
            case UInt8(ascii: "{"): return try dict()
            case UInt8(ascii: "("): return try sequence(close: UInt8(ascii: ")"), tuple: true)
            case UInt8(ascii: "["): return try sequence(close: UInt8(ascii: "]"), tuple: false)
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try integer())
            default:
                let word = identifier()
                switch word {
                case "True": return .bool(true)
                case "False": return .bool(false)
                case "None": return .none
                default:
                    throw Failure(message: word.isEmpty ? "unexpected character at offset \(i)\(found())"
                                                        : "unexpected name '\(word)'")
                }
            }
        }

        mutating func identifier() -> String {
            var s = ""
            while let c = peek(), (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || (c >= 0x30 && c <= 0x39) {
                s.append(Character(UnicodeScalar(c)))
                i += 1
            }
            return s
        }

        mutating func integer() throws -> Int {
            var negative = false
            if let c = peek(), c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
                negative = c == UInt8(ascii: "-")
                i += 1
                skipSpace()
            }
            var v = 0
            var digits = 0
            var overflow = false
            while let c = peek(), c >= 0x30 && c <= 0x39 {
                if !overflow {
                    let (m, o1) = v.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(Int(c - 0x30))
                    if o1 || o2 { overflow = true } else { v = a }
                }
                digits += 1
                i += 1
            }
            guard digits > 0 else { throw Failure(message: "expected a number at offset \(i)\(found())") }
            // Python 2 longs: `3L`.
            if let c = peek(), c == UInt8(ascii: "L") || c == UInt8(ascii: "l") { i += 1 }
            if let c = peek(), c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                throw Failure(message: "expected an integer at offset \(i)\(found())")
            }
            if overflow { return negative ? Int.min : Int.max }
            return negative ? -v : v
        }

        mutating func string() throws -> String {
            guard let quote = peek() else { throw Failure(message: "unexpected end of the header") }
            i += 1
            var bytes: [UInt8] = []
            while true {
                guard let c = peek() else { throw Failure(message: "unterminated string") }
                i += 1
                if c == quote { break }
                if c == UInt8(ascii: "\\") {
                    guard let e = peek() else { throw Failure(message: "unterminated string") }
                    i += 1
                    switch e {
                    case UInt8(ascii: "n"): bytes.append(0x0A)
                    case UInt8(ascii: "t"): bytes.append(0x09)
                    default: bytes.append(e)
                    }
                    continue
                }
                if c == 0x0A { throw Failure(message: "unterminated string") }
                bytes.append(c)
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        mutating func sequence(close: UInt8, tuple: Bool) throws -> Literal {
            i += 1  // opening bracket
            var items: [Literal] = []
            while true {
                skipSpace()
                guard let c = peek() else { throw Failure(message: "unterminated \(tuple ? "tuple" : "list")") }
                if c == close { i += 1; break }
                items.append(try value())
                skipSpace()
                guard let d = peek() else { throw Failure(message: "unterminated \(tuple ? "tuple" : "list")") }
                if d == UInt8(ascii: ",") { i += 1; continue }
                if d == close { i += 1; break }
                throw Failure(message: "expected ',' or '\(Character(UnicodeScalar(close)))' at offset \(i)\(found())")
            }
            return tuple ? .tuple(items) : .list(items)
        }

        mutating func dict() throws -> Literal {
            i += 1  // {
            var items: [(String, Literal)] = []
            while true {
                skipSpace()
                guard let c = peek() else { throw Failure(message: "unterminated dictionary") }
                if c == UInt8(ascii: "}") { i += 1; break }
                guard c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") else {
                    throw Failure(message: "expected a quoted key at offset \(i)\(found())")
                }
                let key = try string()
                try expect(":")
                items.append((key, try value()))
                skipSpace()
                guard let d = peek() else { throw Failure(message: "unterminated dictionary") }
                if d == UInt8(ascii: ",") { i += 1; continue }
                if d == UInt8(ascii: "}") { i += 1; break }
                throw Failure(message: "expected ',' or '}' at offset \(i)\(found())")
            }
            return .dict(items)
        }
    }
}
