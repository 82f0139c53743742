// Runs a compiled reduction kernel (see EmitReduction) over a broadcast iteration. The kernel
// reduces blocks of a row; block results are combined pairwise here, so a float sum over n
// elements has the error of a pairwise sum over n/blockSize blocks of 8-way blocked sums.
import CJITSupport
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
    ///
    /// Every result's rows are cut into blocks of `blockSize` elements at fixed places; the kernel
    /// reduces each block into its own slot (in parallel when the call is large, see `Parallel`),
    /// then the slots of each result are combined pairwise in block order. Which thread ran a
    /// block changes nothing, so results are bit-identical for every thread count.
    public static func run(_ kernel: CompiledKernel, op: ReductionOp, dtype: DType, plan: Plan,
                           pointers: [UnsafeMutableRawPointer], itemSizes: [Int],
                           threads: Int? = nil) throws -> NDArray {
        let rowLength = plan.rowPlan.innerCount, rowsPerResult = plan.rowPlan.rows
        let rowCount = rowsPerResult * rowLength
        if rowCount == 0 && (op == .min || op == .max) {
            throw JITError.argument("zero-size array to reduction operation \(op.rawValue) which has no identity")
        }
        let result = NDArray(zeros: dtype, sharedShape: plan.resultShape)
        guard !plan.outerShape.contains(0) else { return result }
        let results = plan.outerShape.reduce(1, *)
        if rowCount == 0 {
            let e = identity(op, dtype)
            for flat in 0..<results { result.setElement(flat, e) }
            return result
        }
        let blocksPerRow = (rowLength + blockSize - 1) / blockSize
        let blocksPerResult = rowsPerResult * blocksPerRow
        let totalBlocks = results * blocksPerResult
        let t = Parallel.threadsFor(elements: results * rowCount, requested: threads)
        let count = pointers.count
        let outerDims = plan.outerShape.count, rowDims = plan.rowPlan.outerShape.count
        // Two words per slot: room for a complex128 partial.
        var slots = [UInt64](repeating: 0, count: 2 * totalBlocks)
        let strides = plan.innerStrides.map(Int64.init)
        var outerBytes: [Int] = [], rowBytes: [Int] = []
        for k in 0..<count {
            for d in 0..<outerDims { outerBytes.append(plan.outerStrides[k][d] * itemSizes[k]) }
            for d in 0..<rowDims { rowBytes.append(plan.rowPlan.outerStrides[k][d] * itemSizes[k]) }
        }
        let faults = FaultCollector()
        let token = sj_get_cancel_token()
        slots.withUnsafeMutableBufferPointer { slotBuf in
            strides.withUnsafeBufferPointer { strideBuf in
                let walk = BlockWalk(entry: kernel.entry, count: count, bases: pointers,
                                     outerShape: plan.outerShape, outerBytes: outerBytes,
                                     rowShape: plan.rowPlan.outerShape, rowBytes: rowBytes,
                                     rowLength: rowLength, blocksPerRow: blocksPerRow,
                                     rowsPerResult: rowsPerResult, strides: strideBuf.baseAddress!,
                                     slots: slotBuf.baseAddress!)
                if t <= 1 && results * rowCount < Launch.cancellableElements {
                    walk.run(0..<totalBlocks)
                    faults.collect()
                } else {
                    // By work items of about `Parallel.chunkElements` elements (serial calls of a
                    // million elements or more too), each skipped once the caller's cancellation
                    // token is set.
                    let perBlock = min(rowLength, blockSize)
                    let perItem = max(1, min(Parallel.chunkElements / perBlock, (totalBlocks + t - 1) / t))
                    let items = (totalBlocks + perItem - 1) / perItem
                    Parallel.forEach(items: items, threads: t) { i in
                        if sj_token_cancelled(token) != 0 { return }
                        walk.run((i * perItem)..<min(totalBlocks, (i + 1) * perItem))
                        faults.collect()
                    }
                }
            }
            // Combine each result's slots pairwise, in block order.
            let base = UnsafeMutableRawPointer(slotBuf.baseAddress!)
            for r in 0..<results {
                let lo = r * blocksPerResult
                result.setElement(r, pairwise(op, base, lo, lo + blocksPerResult, dtype))
            }
        }
        if sj_token_cancelled(token) != 0 { throw CancellationError() }  // blocks may have been skipped
        if faults.code != 0 { throw ExpressionFault(code: faults.code) }
        return result
    }

    /// Pairwise combination of the partials in slots lo..<hi (16 bytes each); the same tree as
    /// `pairwise(_:_:_:)` over them.
    private static func pairwise(_ op: ReductionOp, _ slots: UnsafeMutableRawPointer, _ lo: Int, _ hi: Int,
                                 _ dtype: DType) -> ScalarValue {
        switch hi - lo {
        case 0: return identity(op, dtype)
        case 1: return load(slots + lo * 16, dtype)
        default:
            let mid = lo + (hi - lo) / 2
            return combine(op, pairwise(op, slots, lo, mid, dtype), pairwise(op, slots, mid, hi, dtype), dtype)
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

/// The read-only state of one reduction, shared by the threads that run its blocks. Block g
/// belongs to result g / blocksPerResult, to row (g % blocksPerResult) / blocksPerRow of it and
/// covers elements (g % blocksPerRow) * blockSize ..< +blockSize of that row; its partial goes
/// to slot g.
private struct BlockWalk: @unchecked Sendable {
    let entry: KernelEntry
    let count: Int
    let bases: [UnsafeMutableRawPointer]
    let outerShape: [Int]
    /// Byte stride of operand k along result dimension d at [k * outerShape.count + d].
    let outerBytes: [Int]
    let rowShape: [Int]
    /// Byte stride of operand k along row dimension d at [k * rowShape.count + d].
    let rowBytes: [Int]
    let rowLength: Int
    let blocksPerRow: Int
    let rowsPerResult: Int
    let strides: UnsafePointer<Int64>
    let slots: UnsafeMutablePointer<UInt64>

    func run(_ blocks: Range<Int>) {
        guard !blocks.isEmpty else { return }
        withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: count) { ptrs in
            var currentRow = -1
            for g in blocks {
                let row = g / blocksPerRow  // over all results
                if row != currentRow {
                    currentRow = row
                    point(ptrs, result: row / rowsPerResult, row: row % rowsPerResult)
                }
                let begin = (g % blocksPerRow) * Reduce.blockSize
                let end = min(rowLength, begin + Reduce.blockSize)
                entry(Int64(begin), Int64(end), UnsafePointer(ptrs.baseAddress), strides,
                      UnsafeMutableRawPointer(slots + 2 * g))
            }
        }
    }

    /// Sets ptrs to element 0 of `row` of result `result`.
    private func point(_ ptrs: UnsafeMutableBufferPointer<UnsafeMutableRawPointer?>, result: Int, row: Int) {
        let od = outerShape.count, rd = rowShape.count
        for k in 0..<count { ptrs[k] = bases[k] }
        var rem = result
        for d in stride(from: od - 1, through: 0, by: -1) {
            let i = rem % outerShape[d]
            rem /= outerShape[d]
            for k in 0..<count { ptrs[k]! += i * outerBytes[k * od + d] }
        }
        rem = row
        for d in stride(from: rd - 1, through: 0, by: -1) {
            let i = rem % rowShape[d]
            rem /= rowShape[d]
            for k in 0..<count { ptrs[k]! += i * rowBytes[k * rd + d] }
        }
    }
}
