// Text for arrays, after NumPy's `repr` (numpy/_core/arrayprint.py): `array([1. , 2.5, 3. ])`,
// `array([[1, 2],\n       [3, 4]], dtype=int32)`, `...` summaries beyond a threshold, lines
// wrapped at 75 columns. Floats use NumPy's default `maxprec` mode with precision 8: shortest
// round-trip digits, at most 8 after the point, one common layout per array (positional, or
// scientific when magnitudes are below 1e-4, from 1e8 up, or span more than a factor of 1000).
import Foundation
import JITSema

/// NumPy-style printing of arrays.
public enum ArrayFormatter {
    /// Columns per line, as NumPy's default `linewidth`.
    public static let lineWidth = 75

    /// NumPy-style `repr` of `a`. Arrays with more than `maxElements` elements are summarised,
    /// showing `edgeItems` items at each end of every long dimension.
    public static func format(_ a: NDArray, maxElements: Int = 1000, edgeItems: Int = 3) -> String {
        if a.rank == 0 { return scalarRepr(a.element(0), dtype: a.dtype) }
        let prefix = "array("
        let summarize = a.count > maxElements
        let edge = max(edgeItems, 1)
        let body: String
        if a.count == 0 {
            body = "[]"
        } else {
            let layout = Layout(shape: a.shape, summarize: summarize, edge: edge)
            let shown = layout.shownIndices().map { a.element($0) }
            let formatter = ElementFormatter(values: shown, dtype: a.dtype)
            body = layout.render(hanging: String(repeating: " ", count: prefix.count + 1),
                                 width: lineWidth - 1) { formatter.format(a.element($0)) }
        }
        var extras: [String] = []
        if (a.count == 0 && a.shape != [0]) || summarize { extras.append("shape=\(shapeText(a.shape))") }
        if !dtypeIsImplied(a.dtype) || a.count == 0 { extras.append("dtype=\(a.dtype.rawValue)") }
        if extras.isEmpty { return prefix + body + ")" }
        let text = prefix + body + ","
        let extra = extras.joined(separator: ", ") + ")"
        let lastLine = text.count - (text.lastIndex(of: "\n").map { text.distance(from: text.startIndex, to: $0) + 1 } ?? 0)
        let spacer = lastLine + extra.count + 1 > lineWidth ? "\n" + String(repeating: " ", count: prefix.count) : " "
        return text + spacer + extra
    }

    /// What the command line and the REPL print for a value: a 0-d array as its plain scalar
    /// (`3`, `4950`, `2.5`, `(1+2j)`, `true`) followed by a line with its dtype when that is not
    /// the default of its kind (`int32`); an array as `format` gives it.
    public static func display(_ a: NDArray) -> String {
        if a.rank > 0 { return format(a) }
        let text = plainScalar(a)
        return isDefaultDType(a.dtype) ? text : text + "\n" + a.dtype.rawValue
    }

    /// dtype and shape, as in `float64 (300000,)`.
    public static func describe(_ a: NDArray) -> String {
        "\(a.dtype.rawValue) \(shapeText(a.shape))"
    }

    /// Python's tuple spelling of a shape: `()`, `(3,)`, `(2, 3)`.
    public static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// float64, int64 and bool are NumPy's defaults and not shown.
    private static func dtypeIsImplied(_ dtype: DType) -> Bool {
        dtype == .float64 || dtype == .int64 || dtype == .bool || dtype == .complex128
    }

    // MARK: 0-d arrays

    /// A 0-d array as its scalar: `2.5` for float64, `np.float32(2.5)`, `np.int32(3)`,
    /// `np.int64(3)`, `np.True_`.
    static func scalarRepr(_ v: ScalarValue, dtype: DType) -> String {
        switch (dtype, v) {
        case (.bool, .bool(let b)): return b ? "np.True_" : "np.False_"
        case (_, .int(let x)) where dtype.isInteger:
            return "np.\(dtype.rawValue)(\(dtype == .uint64 ? String(UInt64(bitPattern: x)) : String(x)))"
        case (.float32, .float(let x)): return "np.float32(\(pythonRepr(x, float32: true)))"
        case (.float64, .float(let x)): return pythonRepr(x, float32: false)
        case (_, .complex) where dtype.isComplex:
            return "np.\(dtype.rawValue)(" + ElementFormatter.complexText(v, float32: dtype == .complex64) + ")"
        default:
            let converted = ScalarSemantics.cast(v, to: dtype)
            return converted == v ? "\(v)" : scalarRepr(converted, dtype: dtype)
        }
    }

    /// A 0-d array's value as plain text, without NumPy's `np.int64(...)` wrapper: `3`, `4950`,
    /// `2.5`, `(1+2j)`, `true`. Floats and complex numbers use the shortest round-trip digits of
    /// their own precision (`0.1` for float32 0.1).
    public static func plainScalar(_ a: NDArray) -> String {
        let v = a.element(0), dtype = a.dtype
        switch (dtype, v) {
        case (.bool, .bool(let b)): return b ? "true" : "false"
        case (_, .int) where dtype.isInteger: return ElementFormatter.intText(v, unsigned64: dtype == .uint64)
        case (_, .float(let x)) where dtype.isFloat: return pythonRepr(x, float32: dtype == .float32)
        case (_, .complex(let re, let im)) where dtype.isComplex:
            // Python's complex repr: `(1+2j)`, `(1.5-0.5j)`, and `2j` when the real part is +0.
            func part(_ x: Double) -> String {
                let t = pythonRepr(x, float32: dtype == .complex64)
                return t.hasSuffix(".0") ? String(t.dropLast(2)) : t
            }
            let imText = part(im) + "j"
            if re == 0 && re.sign == .plus { return imText }
            return "(" + part(re) + (imText.hasPrefix("-") || (im.isNaN && im.sign == .minus) ? "" : "+") + imText + ")"
        default:
            return scalarRepr(v, dtype: dtype)
        }
    }

    /// Whether `dtype` is the default of its kind (float64, int64, bool, complex128), whose name
    /// NumPy leaves out of a repr.
    public static func isDefaultDType(_ dtype: DType) -> Bool { dtypeIsImplied(dtype) }

    /// Python's `repr` of a float (NumPy's for float32): shortest round-trip digits, positional
    /// from 1e-4 up to 1e16 (1e6 for float32, as NumPy does), scientific outside.
    static func pythonRepr(_ x: Double, float32: Bool) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        let d = Digits(x, float32: float32)
        let sign = x.sign == .minus ? "-" : ""
        let m = x.magnitude
        if m == 0 || (m >= 1e-4 && m < (float32 ? 1e6 : 1e16)) {
            let (i, f) = d.positional()
            return sign + i + "." + (f.isEmpty ? "0" : f)
        }
        let e = d.pointPosition - 1
        let rest = d.digits.dropFirst()
        return sign + String(d.digits.prefix(1)) + (rest.isEmpty ? "" : "." + rest) + "e" + (e < 0 ? "-" : "+")
            + pad(String(abs(e)), to: 2, with: "0")
    }

    static func pad(_ s: String, to width: Int, with c: Character = " ") -> String {
        s.count >= width ? s : String(repeating: c, count: width - s.count) + s
    }

    private static func padRight(_ s: String, to width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    // MARK: digits

    /// The shortest decimal digits that round-trip: value = 0.digits × 10^pointPosition... more
    /// precisely digits[0].digits[1...] × 10^(pointPosition - 1).
    struct Digits {
        var digits: String
        var pointPosition: Int

        init(_ x: Double, float32: Bool) {
            let text = float32 ? Float(x).magnitude.description : x.magnitude.description
            self.init(parsing: text)
        }

        /// Parses "123.45", "1e-05", "1.5e+20", as Swift's and C's printers spell them.
        init(parsing text: String) {
            var mantissa = Substring(text)
            var exponent = 0
            if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                mantissa = text[..<e]
                exponent = Int(text[text.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
            }
            let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
            let intDigits = parts.first.map(String.init) ?? "0"
            let fracDigits = parts.count > 1 ? String(parts[1]) : ""
            var all = Array(intDigits + fracDigits)
            var point = intDigits.count + exponent
            while all.count > 1, all.first == "0" { all.removeFirst(); point -= 1 }
            while all.count > 1, all.last == "0" { all.removeLast() }
            if all.isEmpty || all == ["0"] { all = ["0"]; point = 1 }
            digits = String(all)
            pointPosition = point
        }

        /// Integer and fraction digits (no sign) of the positional form.
        func positional() -> (String, String) {
            if digits == "0" { return ("0", "") }
            let n = digits.count
            if pointPosition <= 0 {
                return ("0", String(repeating: "0", count: -pointPosition) + digits)
            }
            if pointPosition >= n {
                return (digits + String(repeating: "0", count: pointPosition - n), "")
            }
            return (String(digits.prefix(pointPosition)), String(digits.dropFirst(pointPosition)))
        }
    }

    // MARK: element formatting

    /// NumPy's FloatingFormat / IntegerFormat / BoolFormat: one layout for all shown elements.
    struct ElementFormatter {
        enum Kind { case bool, int(width: Int), positional, scientific, complex }
        var kind: Kind
        var unsigned64 = false
        var float32 = false
        /// Non-negative values get a `+` (NumPy's `sign='+'`, for imaginary parts).
        var plus = false
        /// The formatters of the real and imaginary parts of complex values.
        var parts: [ElementFormatter] = []
        var padLeft = 0
        var padRight = 0
        var precision = 0
        var expSize = 2
        static let maxPrecision = 8

        init(values: [ScalarValue], dtype: DType, plus: Bool = false) {
            switch dtype {
            case .bool:
                kind = .bool
            case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64:
                unsigned64 = dtype == .uint64
                let width = values.map { Self.intText($0, unsigned64: dtype == .uint64).count }.max() ?? 1
                kind = .int(width: width)
            case .complex64, .complex128:
                // NumPy's ComplexFloatingFormat: one float format for the real parts and one, with
                // a `+` sign, for the imaginary parts; each element is the two side by side.
                float32 = dtype == .complex64
                kind = .complex
                let split = values.map { v -> (Double, Double) in
                    if case .complex(let re, let im) = v { return (re, im) }
                    return (Double(scalar: v), 0)
                }
                let real = dtype == .complex64 ? DType.float32 : .float64
                parts = [ElementFormatter(values: split.map { .float($0.0) }, dtype: real),
                         ElementFormatter(values: split.map { .float($0.1) }, dtype: real, plus: true)]
            case .float32, .float64:
                float32 = dtype == .float32
                self.plus = plus
                let xs = values.map { Double(scalar: $0) }
                let finite = xs.filter { $0.isFinite }
                let nonZero = finite.map(\.magnitude).filter { $0 != 0 }
                var scientific = false
                if let hi = nonZero.max(), let lo = nonZero.min() {
                    scientific = hi >= 1e8 || lo < 1e-4 || hi / lo > 1000
                }
                if finite.isEmpty {
                    kind = .positional
                } else if scientific {
                    kind = .scientific
                    let parts = finite.map { Self.scientificParts($0, float32: float32, plus: plus) }
                    precision = parts.map { $0.1.count }.max() ?? 0
                    expSize = max(2, parts.map { String(abs($0.2)).count }.max() ?? 2)
                    padLeft = parts.map { $0.0.count }.max() ?? 1
                    padRight = expSize + 2 + precision
                } else {
                    kind = .positional
                    let parts = finite.map { Self.positionalParts($0, float32: float32, plus: plus) }
                    padLeft = parts.map { $0.0.count }.max() ?? 1
                    padRight = parts.map { $0.1.count }.max() ?? 0
                }
                if finite.count != xs.count {
                    let negInf = plus || xs.contains { $0.isInfinite && $0 < 0 } ? 1 : 0
                    let offset = padRight + 1
                    padLeft = max(padLeft, 3 - offset, 3 + negInf - offset)
                }
            }
        }

        /// `1+2j`, `-0.5-1e-10j`: Python's complex repr without parentheses.
        static func complexText(_ v: ScalarValue, float32: Bool) -> String {
            guard case .complex(let re, let im) = v else { return "\(v)" }
            let imText = ArrayFormatter.pythonRepr(im, float32: float32)
            let sign = imText.hasPrefix("-") || im.isNaN && im.sign == .minus ? "" : "+"
            return ArrayFormatter.pythonRepr(re, float32: float32) + sign + imText + "j"
        }

        static func intText(_ v: ScalarValue, unsigned64: Bool = false) -> String {
            if case .int(let x) = v { return unsigned64 ? String(UInt64(bitPattern: x)) : String(x) }
            return String(Int64(scalar: v))
        }

        /// Sign + integer digits, fraction digits, rounded to at most 8 fraction digits.
        static func positionalParts(_ x: Double, float32: Bool, plus: Bool = false) -> (String, String) {
            let sign = x.sign == .minus ? "-" : plus ? "+" : ""
            let d = Digits(x, float32: float32)
            if d.digits.count - d.pointPosition > maxPrecision {
                // Too many digits: round the exact value (as Dragon4 with a cutoff does).
                let text = String(format: "%.\(maxPrecision)f", x.magnitude)
                let parts = text.split(separator: ".", omittingEmptySubsequences: false)
                var frac = parts.count > 1 ? String(parts[1]) : ""
                while frac.last == "0" { frac.removeLast() }
                return (sign + String(parts[0]), frac)
            }
            let (i, f) = d.positional()
            return (sign + i, f)
        }

        /// Sign + leading digit, fraction digits, decimal exponent; at most 8 fraction digits.
        static func scientificParts(_ x: Double, float32: Bool, plus: Bool = false) -> (String, String, Int) {
            let sign = x.sign == .minus ? "-" : plus ? "+" : ""
            var d = Digits(x, float32: float32)
            if d.digits.count - 1 > maxPrecision {
                d = Digits(parsing: String(format: "%.\(maxPrecision)e", x.magnitude))
            }
            if d.digits == "0" { return (sign + "0", "", 0) }
            return (sign + String(d.digits.prefix(1)), String(d.digits.dropFirst()), d.pointPosition - 1)
        }

        func format(_ v: ScalarValue) -> String {
            switch kind {
            case .bool:
                if case .bool(let b) = v { return b ? " True" : "False" }
                return Bool(scalar: v) ? " True" : "False"
            case .int(let width):
                return ArrayFormatter.pad(Self.intText(v, unsigned64: unsigned64), to: width)
            case .complex:
                guard case .complex(let re, let im) = v else { return parts[0].format(v) }
                // The `j` goes before the imaginary part's trailing blanks.
                let i = parts[1].format(.float(im))
                let blanks = i.reversed().prefix { $0 == " " }.count
                return parts[0].format(.float(re)) + i.dropLast(blanks) + "j" + String(repeating: " ", count: blanks)
            case .positional, .scientific:
                let x = Double(scalar: v)
                if !x.isFinite {
                    let text = x.isNaN ? (plus ? "+nan" : "nan") : (x < 0 ? "-inf" : plus ? "+inf" : "inf")
                    return ArrayFormatter.pad(text, to: padLeft + padRight + 1)
                }
                if case .scientific = kind {
                    let (i, f, e) = Self.scientificParts(x, float32: float32, plus: plus)
                    let frac = f + String(repeating: "0", count: max(0, precision - f.count))
                    return ArrayFormatter.pad(i, to: padLeft) + "." + frac + "e" + (e < 0 ? "-" : "+")
                        + ArrayFormatter.pad(String(abs(e)), to: expSize, with: "0")
                }
                let (i, f) = Self.positionalParts(x, float32: float32, plus: plus)
                return ArrayFormatter.pad(i, to: padLeft) + "." + ArrayFormatter.padRight(f, to: padRight)
            }
        }
    }

    // MARK: layout

    /// Which elements show and how rows nest and wrap (NumPy's `_formatArray`).
    struct Layout {
        var shape: [Int]
        var summarize: Bool
        var edge: Int
        var strides: [Int]

        init(shape: [Int], summarize: Bool, edge: Int) {
            self.shape = shape
            self.summarize = summarize
            self.edge = edge
            strides = NDArray.rowMajorStrides(shape)
        }

        /// Indices along one axis, with nil where `...` goes.
        func indices(_ axis: Int) -> [Int?] {
            let n = shape[axis]
            if summarize && n > 2 * edge {
                return Array(0..<edge).map { Optional($0) } + [nil] + Array((n - edge)..<n).map { Optional($0) }
            }
            return Array(0..<n).map { Optional($0) }
        }

        /// Row-major flat indices of the elements that show.
        func shownIndices() -> [Int] {
            var out: [Int] = []
            func walk(_ axis: Int, _ base: Int) {
                if axis == shape.count { out.append(base); return }
                for i in indices(axis) { if let i { walk(axis + 1, base + i * strides[axis]) } }
            }
            walk(0, 0)
            return out
        }

        func render(hanging: String, width: Int, element: (Int) -> String) -> String {
            func recurse(_ axis: Int, _ base: Int, _ hanging: String, _ width: Int) -> String {
                if axis == shape.count { return element(base) }
                let nextHanging = hanging + " "
                let nextWidth = width - 1
                let items = indices(axis)
                func child(_ i: Int) -> String { recurse(axis + 1, base + i * strides[axis], nextHanging, nextWidth) }
                var s = ""
                let axesLeft = shape.count - axis
                if axesLeft == 1 {
                    let elementWidth = width - 1
                    var line = hanging
                    for (k, item) in items.enumerated() {
                        let word = item.map(child) ?? "..."
                        extend(&s, &line, word, elementWidth, hanging)
                        if k < items.count - 1 { line += ", " }
                    }
                    s += line
                } else {
                    let separator = "," + String(repeating: "\n", count: axesLeft - 1)
                    for (k, item) in items.enumerated() {
                        s += hanging + (item.map(child) ?? "...")
                        if k < items.count - 1 { s += separator }
                    }
                }
                return "[" + s.dropFirst(hanging.count) + "]"
            }
            return recurse(0, 0, hanging, width)
        }

        private func extend(_ s: inout String, _ line: inout String, _ word: String, _ width: Int, _ hanging: String) {
            var wrap = line.count + word.count > width
            if line.count <= hanging.count { wrap = false }
            if wrap {
                while line.last == " " { line.removeLast() }
                s += line + "\n"
                line = hanging
            }
            line += word
        }
    }
}
