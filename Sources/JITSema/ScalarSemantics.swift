// The meaning of every IR operation on one scalar, in plain Swift. Constant folding uses it,
// and it is the reference evaluator that tests compare the JIT against. It must agree with
// lowering bit for bit on everything it is used to fold (see FoldConstants for what it skips).
import Foundation

/// A scalar value of some dtype.
public enum ScalarValue: Hashable, Sendable {
    case bool(Bool)
    case int(Int64)
    case float(Double)
    /// Real and imaginary parts.
    case complex(Double, Double)

    /// The value as the IR constant of the same kind.
    public var constant: Constant {
        switch self {
        case .bool(let b): return .bool(b)
        case .int(let v): return .int(v)
        case .float(let v): return .float(v)
        case .complex(let re, let im): return .complex(re, im)
        }
    }

    public init(_ c: Constant) {
        switch c {
        case .bool(let b): self = .bool(b)
        case .int(let v): self = .int(v)
        case .float(let v): self = .float(v)
        case .complex(let re, let im): self = .complex(re, im)
        }
    }

    /// The value as a Double (the real part of a complex value).
    var asDouble: Double {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let v): return Double(v)
        case .float(let v): return v
        case .complex(let re, _): return re
        }
    }
}

public enum ScalarSemantics {
    /// Rounds/wraps a raw value into `dtype`'s range (float32 rounding, integer wrapping).
    /// Integers are held as Int64; uint64 as its bit pattern.
    public static func normalize(_ v: ScalarValue, _ dtype: DType) -> ScalarValue {
        switch (v, dtype) {
        case (.float(let x), .float32): return .float(Double(Float(x)))
        case (.complex(let re, let im), .complex64): return .complex(Double(Float(re)), Double(Float(im)))
        case (.int(let x), _) where dtype.isInteger: return .int(wrap(x, dtype))
        default: return v
        }
    }

    /// `x` wrapped to the width and signedness of an integer dtype.
    public static func wrap(_ x: Int64, _ dtype: DType) -> Int64 {
        switch dtype {
        case .int8: return Int64(Int8(truncatingIfNeeded: x))
        case .int16: return Int64(Int16(truncatingIfNeeded: x))
        case .int32: return Int64(Int32(truncatingIfNeeded: x))
        case .uint8: return Int64(UInt8(truncatingIfNeeded: x))
        case .uint16: return Int64(UInt16(truncatingIfNeeded: x))
        case .uint32: return Int64(UInt32(truncatingIfNeeded: x))
        default: return x
        }
    }

    /// The value of an integer held as Int64 in `dtype`, as a Double.
    public static func double(_ x: Int64, _ dtype: DType) -> Double {
        dtype == .uint64 ? Double(UInt64(bitPattern: x)) : Double(x)
    }

    /// Converts `v` (of dtype `from`) to `dtype` as a cast instruction does.
    public static func cast(_ v: ScalarValue, from: DType? = nil, to dtype: DType) -> ScalarValue {
        if dtype == .bool {
            switch v {
            case .bool: return v
            case .int(let x): return .bool(x != 0)
            case .float(let x): return .bool(x != 0)
            case .complex(let re, let im): return .bool(re != 0 || im != 0)
            }
        }
        if dtype.isComplex {
            if case .complex = v { return normalize(v, dtype) }
            guard case .float(let re) = cast(v, from: from, to: dtype.realPart) else { return v }
            return .complex(re, 0)
        }
        if dtype.isInteger {
            switch v {
            case .bool(let b): return .int(b ? 1 : 0)
            case .int(let x): return .int(wrap(x, dtype))
            case .float(let x), .complex(let x, _):
                return .int(floatToInteger(x, dtype))
            }
        }
        switch v {
        case .int(let x) where from == .uint64:
            let u = UInt64(bitPattern: x)
            return .float(dtype == .float32 ? Double(Float(u)) : Double(u))
        case .int(let x) where dtype == .float32: return .float(Double(Float(x)))
        default: return normalize(.float(v.asDouble), dtype)
        }
    }

    /// How a float becomes an integer dtype (casts, `out=` with unsafe casting, `i64(x)`): the
    /// value truncated toward zero, `t`, converted through a wider integer and wrapped to the
    /// target width, as NumPy 2.4 on x86-64 does. Each target has a window of `t` that converts
    /// this way; outside it (and for NaN) the result is fixed:
    ///
    ///     target                 window            below / NaN   above
    ///     i8 i16 i32 u8 u16      [-2^31, 2^31)     INT32_MIN wrapped (i32: -2^31; others 0)
    ///     i64                    [-2^63, 2^63)     -2^63         -2^63
    ///     u32                    [-2^31, 2^32)     2^31          0
    ///     u64                    [-2^63, 2^64)     2^63          0
    ///
    /// Lowering (`Emitter.floatToInteger`) emits the same rule, so results are deterministic and
    /// the same on every LLVM (LLVM's own `fptosi` of an out-of-range value is poison).
    public static func floatToInteger(_ x: Double, _ dtype: DType) -> Int64 {
        let w = floatToIntegerWindow(dtype)
        let t = x.rounded(.towardZero)
        guard t >= w.low && t < w.high else { return t >= w.high ? w.above : w.below }
        if t >= 0x1p63 { return Int64(bitPattern: UInt64(t)) }  // u64 above int64's range
        return wrap(Int64(t), dtype)
    }

    /// The window of truncated values that convert to `dtype` by wrapping, and the results
    /// below it (and for NaN) and above it (see `floatToInteger`).
    public static func floatToIntegerWindow(_ dtype: DType) -> (low: Double, high: Double, below: Int64, above: Int64) {
        switch dtype {
        case .int64: return (-0x1p63, 0x1p63, Int64.min, Int64.min)
        case .uint32: return (-0x1p31, 0x1p32, 1 << 31, 0)
        case .uint64: return (-0x1p63, 0x1p64, Int64.min, 0)
        default:
            let m = wrap(Int64(Int32.min), dtype)
            return (-0x1p31, 0x1p31, m, m)
        }
    }

    /// Integer binary operation with the JIT's semantics for an integer dtype (uint64 held as its
    /// bit pattern); nil for true division, which Sema gives float operands only.
    public static func integer(_ op: BinaryOp, _ a: Int64, _ b: Int64, dtype: DType) -> Int64? {
        let bits = dtype.bitWidth
        let wrap: (Int64) -> Int64 = { ScalarSemantics.wrap($0, dtype) }
        if dtype.isUnsignedInteger, let r = unsigned(op, UInt64(bitPattern: a), UInt64(bitPattern: b), dtype: dtype) {
            return r
        }
        let minValue: Int64 = dtype.integerRange?.lowerBound ?? Int64.min
        switch op {
        case .add: return wrap(a &+ b)
        case .sub: return wrap(a &- b)
        case .mul: return wrap(a &* b)
        case .floordiv:
            if b == 0 { return 0 }
            if b == -1 { return a == minValue ? a : -a }
            var q = a / b
            if (a % b != 0) && ((a < 0) != (b < 0)) { q -= 1 }
            return q
        case .mod:
            if b == 0 || b == -1 { return 0 }
            var r = a % b
            if r != 0 && ((r < 0) != (b < 0)) { r += b }
            return r
        case .pow:
            if b < 0 { return a == 1 ? 1 : a == -1 ? (b & 1 == 0 ? 1 : -1) : 0 }
            var result: Int64 = 1, base = a, e = b
            while e > 0 {
                if e & 1 == 1 { result = wrap(result &* base) }
                base = wrap(base &* base)
                e >>= 1
            }
            return result
        case .shl:
            return UInt64(bitPattern: b) < UInt64(bits) ? wrap(a << b) : 0
        case .shr:
            return UInt64(bitPattern: b) < UInt64(bits) ? a >> b : (a < 0 ? -1 : 0)
        case .and: return a & b
        case .or: return a | b
        case .xor: return a ^ b
        case .div: return nil
        }
    }

    /// The unsigned operations whose meaning differs from the signed ones (udiv, urem, lshr, and a
    /// power whose exponent is never negative); nil for the others, which are the same bits.
    private static func unsigned(_ op: BinaryOp, _ a: UInt64, _ b: UInt64, dtype: DType) -> Int64? {
        switch op {
        case .floordiv: return b == 0 ? 0 : Int64(bitPattern: a / b)
        case .mod: return b == 0 ? 0 : Int64(bitPattern: a % b)
        case .shr: return b < UInt64(dtype.bitWidth) ? Int64(bitPattern: a >> b) : 0
        case .pow:
            var result: Int64 = 1, base = Int64(bitPattern: a), e = b
            while e > 0 {
                if e & 1 == 1 { result = wrap(result &* base, dtype) }
                base = wrap(base &* base, dtype)
                e >>= 1
            }
            return result
        default: return nil
        }
    }

    /// Float binary operation where the result is a single IEEE operation; nil otherwise.
    public static func float(_ op: BinaryOp, _ a: Double, _ b: Double, _ dtype: DType) -> Double? {
        let r: Double
        switch op {
        case .add: r = a + b
        case .sub: r = a - b
        case .mul: r = a * b
        case .div: r = a / b
        default: return nil
        }
        return dtype == .float32 ? Double(Float(r)) : r
    }

    /// Comparison of two scalars of the same dtype.
    public static func compare(_ op: CompareOp, _ a: ScalarValue, _ b: ScalarValue, dtype: DType? = nil) -> Bool {
        switch (a, b) {
        case (.complex(let p, let q), .complex(let r, let s)):
            return op == .eq ? (p == r && q == s) : !(p == r && q == s)
        case (.int(let x), .int(let y)) where dtype == .uint64:
            let (u, v) = (UInt64(bitPattern: x), UInt64(bitPattern: y))
            return cmp(op, u < v ? -1 : u == v ? 0 : 1, 0)
        case (.int(let x), .int(let y)): return cmp(op, x, y)
        case (.bool(let x), .bool(let y)): return cmp(op, x ? 1 : 0, y ? 1 : 0)
        default:
            let x = a.asDouble, y = b.asDouble
            switch op {
            case .lt: return x < y
            case .le: return x <= y
            case .eq: return x == y
            case .ne: return x != y
            case .ge: return x >= y
            case .gt: return x > y
            }
        }
    }

    private static func cmp(_ op: CompareOp, _ x: Int64, _ y: Int64) -> Bool {
        switch op {
        case .lt: return x < y
        case .le: return x <= y
        case .eq: return x == y
        case .ne: return x != y
        case .ge: return x >= y
        case .gt: return x > y
        }
    }
}
