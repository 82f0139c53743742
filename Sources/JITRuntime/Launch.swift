// Runs a compiled elementwise kernel over an n-dimensional iteration: the plan's outer
// dimensions are walked here with an odometer, each inner row (or range of one) is one call of
// the kernel. Calls of at least `Parallel.serialThreshold` elements are split into work items of
// about `Parallel.chunkElements` elements, whole rows or ranges of a row, run by `Parallel.forEach`.
// Ranges of a row start at multiples of 64 elements, so every element is computed by the same
// code path (vector body or scalar tail) as in a serial call: results do not depend on the
// thread count.
import JITSema

/// A raw operand of a launch: where element 0 is, its dtype and its strides (broadcast).
public struct LaunchOperand {
    public var pointer: UnsafeMutableRawPointer
    public var itemSize: Int
    public var strides: [Int]

    public init(pointer: UnsafeMutableRawPointer, itemSize: Int, strides: [Int]) {
        self.pointer = pointer
        self.itemSize = itemSize
        self.strides = strides
    }
}

public enum Launch {
    /// Calls `kernel` for every row of `plan`. `operands` are the kernel's parameters followed by
    /// the output, in the order of the plan's strides. `threads` caps the threads used (nil:
    /// `Parallel.threadCount`); small calls and calls made inside a parallel region run serially.
    public static func run(_ kernel: CompiledKernel, plan: IterationPlan, operands: [LaunchOperand],
                           threads: Int? = nil) {
        let n = plan.innerCount, rows = plan.rows
        guard n > 0, rows > 0 else { return }
        let count = operands.count, dims = plan.outerShape.count
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: count) { strides in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: max(1, count * dims)) { byteStrides in
                withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer.self, capacity: count) { bases in
                    for k in 0..<count {
                        strides[k] = Int64(plan.innerStrides[k])
                        bases[k] = operands[k].pointer
                        for d in 0..<dims { byteStrides[k * dims + d] = plan.outerStrides[k][d] * operands[k].itemSize }
                    }
                    let walk = RowWalk(entry: kernel.entry, count: count, outer: plan.outerShape,
                                       byteStrides: UnsafePointer(byteStrides.baseAddress!),
                                       bases: UnsafePointer(bases.baseAddress!),
                                       strides: UnsafePointer(strides.baseAddress!))
                    let total = n * rows
                    let t = Parallel.threadsFor(elements: total, requested: threads)
                    if t <= 1 {
                        walk.run(rows: 0..<rows, begin: 0, end: n)
                        return
                    }
                    let chunk = roundUp(min(Parallel.chunkElements, ceilDiv(total, t)), 64)
                    if n >= chunk {
                        // Ranges of rows.
                        let length = roundUp(ceilDiv(n, ceilDiv(n, chunk)), 64)
                        let perRow = ceilDiv(n, length)
                        Parallel.forEach(items: rows * perRow, threads: t) { i in
                            let r = i / perRow, c = i % perRow
                            walk.run(rows: r..<(r + 1), begin: c * length, end: min(n, (c + 1) * length))
                        }
                    } else {
                        // Groups of whole rows.
                        let perItem = max(1, chunk / n)
                        Parallel.forEach(items: ceilDiv(rows, perItem), threads: t) { i in
                            walk.run(rows: (i * perItem)..<min(rows, (i + 1) * perItem), begin: 0, end: n)
                        }
                    }
                }
            }
        }
    }

    static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
    static func roundUp(_ a: Int, _ m: Int) -> Int { ceilDiv(a, m) * m }
}

/// The read-only state of one launch, shared by the threads that run its items.
private struct RowWalk: @unchecked Sendable {
    let entry: KernelEntry
    /// Operands, the output last.
    let count: Int
    let outer: [Int]
    /// Byte stride of operand k along outer dimension d at [k * dims + d].
    let byteStrides: UnsafePointer<Int>
    let bases: UnsafePointer<UnsafeMutableRawPointer>
    let strides: UnsafePointer<Int64>

    /// Calls the kernel on elements begin..<end of each row in `rows` (row-major over `outer`).
    func run(rows: Range<Int>, begin: Int, end: Int) {
        let dims = outer.count
        if dims == 0 {
            withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: count) { ptrs in
                for k in 0..<count { ptrs[k] = bases[k] }
                entry(Int64(begin), Int64(end), ptrs.baseAddress, strides, ptrs[count - 1])
            }
            return
        }
        withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: count) { ptrs in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: dims) { index in
                var rem = rows.lowerBound
                for d in stride(from: dims - 1, through: 0, by: -1) {
                    index[d] = rem % outer[d]
                    rem /= outer[d]
                }
                var r = rows.lowerBound
                while r < rows.upperBound {
                    for k in 0..<count {
                        var offset = 0
                        for d in 0..<dims { offset += index[d] * byteStrides[k * dims + d] }
                        ptrs[k] = bases[k] + offset
                    }
                    entry(Int64(begin), Int64(end), ptrs.baseAddress, strides, ptrs[count - 1])
                    r += 1
                    // Advance the odometer over the outer dimensions.
                    var d = dims - 1
                    while d >= 0 {
                        index[d] += 1
                        if index[d] < outer[d] { break }
                        index[d] = 0
                        d -= 1
                    }
                }
            }
        }
    }
}
