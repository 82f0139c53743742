// Runs a compiled reduction kernel (see EmitReduction) over a broadcast iteration. The kernel
// reduces blocks of a row; block results are combined pairwise here, so a float sum over n
// elements has the error of a pairwise sum over n/blockSize blocks of 8-way blocked sums.
import JITSema

public enum Reduce {
    /// Elements per kernel call along a row.
    public static let blockSize = 4096

    /// How a reduction iterates: the reduced elements form the rows; `outerShape` indexes the
    /// results (empty for a reduction over all axes).
    public struct Plan {
        /// The result's shape.
        public var resultShape: [Int]
        /// Extents of the dimensions walked per result element (rows within one result).
        public var rowPlan: IterationPlan
        /// Extents and per-operand strides of the dimensions that index results.
        public var outerShape: [Int]
        public var outerStrides: [[Int]]

        /// Element stride of each operand along the kernel's row.
        public var innerStrides: [Int] { rowPlan.innerStrides }
    }

    /// Plans a reduction of `shape` (operands with broadcast `strides`) over `axis` (nil: all).
    public static func plan(shape: [Int], strides: [[Int]], axis: Int?) throws -> Plan {
        guard let axis else {
            return Plan(resultShape: [], rowPlan: IterationPlan(shape: shape, strides: strides),
                        outerShape: [], outerStrides: strides.map { _ in [] })
        }
        let k = axis < 0 ? axis + shape.count : axis
        guard k >= 0 && k < shape.count else {
            throw JITError.argument("axis \(axis) is out of bounds for an array of dimension \(shape.count)")
        }
        var rest = shape
        rest.remove(at: k)
        return Plan(resultShape: rest,
                    rowPlan: IterationPlan(shape: [shape[k]], strides: strides.map { [$0[k]] }),
                    outerShape: rest,
                    outerStrides: strides.map { s in var t = s; t.remove(at: k); return t })
    }

    /// Reduces with `kernel` (accumulating `dtype`) and returns the result array.
    public static func run(_ kernel: CompiledKernel, op: ReductionOp, dtype: DType, plan: Plan,
                           pointers: [UnsafeMutableRawPointer], itemSizes: [Int]) throws -> NDArray {
        let rowCount = plan.rowPlan.rows * plan.rowPlan.innerCount
        if rowCount == 0 && (op == .min || op == .max) {
            throw JITError.argument("zero-size array to reduction operation \(op.rawValue) which has no identity")
        }
        let result = NDArray(zeros: dtype, shape: plan.resultShape)
        let outer = plan.outerShape
        var index = [Int](repeating: 0, count: outer.count)
        var flat = 0
        guard !outer.contains(0) else { return result }
        var strides = plan.innerStrides.map(Int64.init)
        var slot = [UInt64](repeating: 0, count: 2)  // room for one complex128 partial
        var partials: [ScalarValue] = []
        while true {
            var bases = pointers
            for k in 0..<bases.count {
                var offset = 0
                for d in 0..<outer.count { offset += index[d] * plan.outerStrides[k][d] }
                bases[k] += offset * itemSizes[k]
            }
            partials.removeAll(keepingCapacity: true)
            reduceRows(kernel, plan.rowPlan, bases, itemSizes, &strides, &slot, dtype, &partials)
            result.setElement(flat, pairwise(op, partials[...], dtype))
            flat += 1
            var d = outer.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < outer[d] { break }
                index[d] = 0
                d -= 1
            }
            if d < 0 { break }
        }
        return result
    }

    /// Appends one partial per kernel call over the rows of `rowPlan`.
    private static func reduceRows(_ kernel: CompiledKernel, _ rowPlan: IterationPlan,
                                   _ bases: [UnsafeMutableRawPointer], _ itemSizes: [Int],
                                   _ strides: inout [Int64], _ slot: inout [UInt64], _ dtype: DType,
                                   _ partials: inout [ScalarValue]) {
        let n = rowPlan.innerCount
        guard n > 0, rowPlan.rows > 0 else { return }
        let outer = rowPlan.outerShape
        var index = [Int](repeating: 0, count: outer.count)
        var ptrs = [UnsafeMutableRawPointer?](repeating: nil, count: bases.count)
        strides.withUnsafeMutableBufferPointer { stridesBuf in
            slot.withUnsafeMutableBytes { slotBytes in
                while true {
                    for k in 0..<bases.count {
                        var offset = 0
                        for d in 0..<outer.count { offset += index[d] * rowPlan.outerStrides[k][d] }
                        ptrs[k] = bases[k] + offset * itemSizes[k]
                    }
                    ptrs.withUnsafeMutableBufferPointer { p in
                        for begin in stride(from: 0, to: n, by: blockSize) {
                            let end = min(n, begin + blockSize)
                            kernel.entry(Int64(begin), Int64(end), p.baseAddress, stridesBuf.baseAddress,
                                         slotBytes.baseAddress)
                            partials.append(load(slotBytes.baseAddress!, dtype))
                        }
                    }
                    var d = outer.count - 1
                    while d >= 0 {
                        index[d] += 1
                        if index[d] < outer[d] { break }
                        index[d] = 0
                        d -= 1
                    }
                    if d < 0 { return }
                }
            }
        }
    }

    private static func load(_ p: UnsafeMutableRawPointer, _ dtype: DType) -> ScalarValue {
        ScalarMemory.load(p, dtype)
    }

    /// Pairwise combination of partial results (the identity for none).
    static func pairwise(_ op: ReductionOp, _ xs: ArraySlice<ScalarValue>, _ dtype: DType) -> ScalarValue {
        switch xs.count {
        case 0: return identity(op, dtype)
        case 1: return xs.first!
        default:
            let mid = xs.startIndex + xs.count / 2
            return combine(op, pairwise(op, xs[..<mid], dtype), pairwise(op, xs[mid...], dtype), dtype)
        }
    }

    static func identity(_ op: ReductionOp, _ dtype: DType) -> ScalarValue {
        if dtype.isComplex { return .complex(op == .prod ? 1 : 0, 0) }
        switch (op, dtype) {
        case (.sum, .bool), (.max, .bool): return .bool(false)
        case (.prod, .bool), (.min, .bool): return .bool(true)
        case (.sum, _): return dtype.isFloat ? .float(0) : .int(0)
        case (.prod, _): return dtype.isFloat ? .float(1) : .int(1)
        case (.min, _):
            if dtype.isFloat { return .float(.infinity) }
            return .int(dtype == .uint64 ? -1 : dtype.integerRange!.upperBound)
        case (.max, _): return dtype.isFloat ? .float(-.infinity) : .int(dtype.integerRange!.lowerBound)
        }
    }

    static func combine(_ op: ReductionOp, _ a: ScalarValue, _ b: ScalarValue, _ dtype: DType) -> ScalarValue {
        switch (a, b) {
        case (.float(let x), .float(let y)):
            let r: Double
            switch op {
            case .sum: r = x + y
            case .prod: r = x * y
            case .min: r = x.isNaN ? x : (y.isNaN ? y : Swift.min(x, y))
            case .max: r = x.isNaN ? x : (y.isNaN ? y : Swift.max(x, y))
            }
            return ScalarSemantics.normalize(.float(r), dtype)
        case (.int(let x), .int(let y)):
            switch op {
            case .sum: return ScalarSemantics.normalize(.int(x &+ y), dtype)
            case .prod: return ScalarSemantics.normalize(.int(x &* y), dtype)
            case .min where dtype == .uint64: return UInt64(bitPattern: x) <= UInt64(bitPattern: y) ? a : b
            case .max where dtype == .uint64: return UInt64(bitPattern: x) >= UInt64(bitPattern: y) ? a : b
            case .min: return .int(Swift.min(x, y))
            case .max: return .int(Swift.max(x, y))
            }
        case (.bool(let x), .bool(let y)):
            return .bool(op == .sum || op == .max ? (x || y) : (x && y))
        case (.complex(let p, let q), .complex(let r, let s)):
            let v: ScalarValue = op == .prod ? .complex(p * r - q * s, p * s + q * r) : .complex(p + r, q + s)
            return ScalarSemantics.normalize(v, dtype)
        default:
            return a
        }
    }
}
