// Runs a compiled elementwise kernel over an n-dimensional iteration: the plan's outer
// dimensions are walked here with an odometer, each inner row (or range of one) is one call of
// the kernel. Calls of at least `Parallel.serialThreshold` elements are split into work items of
// about `Parallel.chunkElements` elements, whole rows or ranges of a row, run by `Parallel.forEach`.
// Ranges of a row start at multiples of 64 elements, so every element is computed by the same
// code path (vector body or scalar tail) as in a serial call: results do not depend on the
// thread count.
import CJITSupport
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
    /// Returns the run-time error code the code raised (`ExpressionFault`), 0 if none.
    @discardableResult
    public static func run(_ kernel: CompiledKernel, plan: IterationPlan, operands: [LaunchOperand],
                           threads: Int? = nil) -> Int32 {
        let prepared = PreparedLaunch(plan: plan, itemSizes: operands.map(\.itemSize))
        return withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer.self, capacity: operands.count) { bases in
            for k in 0..<operands.count { bases[k] = operands[k].pointer }
            return prepared.run(kernel.entry, bases: UnsafePointer(bases.baseAddress!), threads: threads)
        }
    }

    /// From this many elements a serial call also runs by work items, so a cancellation (Ctrl-C
    /// in the REPL, a cancelled task) stops it between two of them.
    public static let cancellableElements = 1 << 20

    static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
    static func roundUp(_ a: Int, _ m: Int) -> Int { ceilDiv(a, m) * m }
}

/// Everything about a launch that does not depend on where the operands are: the plan turned
/// into the kernel's stride vector and per-dimension byte strides. Built once per call pattern
/// and reused by repeated calls (the per-call fast path), so such a call allocates nothing here.
public final class PreparedLaunch: @unchecked Sendable {
    let plan: IterationPlan
    let count: Int
    /// Element strides along the row, the kernel's `strides` argument.
    let innerStrides: UnsafeMutablePointer<Int64>
    /// Byte stride of operand k along outer dimension d at [k * dims + d].
    let byteStrides: UnsafeMutablePointer<Int>
    /// The output's element size when it is written with streaming stores (StreamingStores),
    /// else 0.
    let streamItemSize: Int
    /// Set when only the automatic choice streams (`StreamingStores.automatic`: an output below
    /// the threshold, data beyond 5/8 of the last-level cache): then only calls that run on one
    /// thread stream. On the Zen 4 VM at two threads such calls ran faster with plain stores (W12
    /// triad 1M 0.20 against 0.30 ms, W7 0.27 against 0.29) and at one thread slower (0.42 against
    /// 0.30, 0.54-0.58 against 0.40; `swiftjit bench --threads 1|2 --repeat 201`, LLVM 19, out=).
    let streamsSeriallyOnly: Bool
    /// Whether the output may be written with streaming stores.
    public var streams: Bool { streamItemSize > 0 }
    /// The expression's streaming variant (`LoweringOptions.streamingOutput`), run instead of the
    /// kernel on ranges whose output starts 64-byte aligned when the launch streams; without it
    /// (or unaligned), the kernel runs through `StreamingStores.call`'s tiles. Set before the
    /// launch is shared.
    public var streamKernel: CompiledKernel?

    /// `itemSizes` are the operands' element sizes in bytes, the output last.
    public init(plan: IterationPlan, itemSizes: [Int]) {
        self.plan = plan
        count = itemSizes.count
        let dims = plan.outerShape.count
        innerStrides = .allocate(capacity: max(1, count))
        byteStrides = .allocate(capacity: max(1, count * dims))
        for k in 0..<count {
            innerStrides[k] = Int64(plan.innerStrides[k])
            for d in 0..<dims { byteStrides[k * dims + d] = plan.outerStrides[k][d] * itemSizes[k] }
        }
        let outSize = itemSizes.last ?? 0
        let contiguous = plan.innerStrides.last == 1 && (plan.outerShape.isEmpty || plan.innerCount >= 64 * 64)
        // Bytes written, and bytes read and written: every operand that is not a broadcast scalar,
        // once per element (saturating).
        func bytes(_ size: Int) -> Int {
            let (elements, o1) = plan.innerCount.multipliedReportingOverflow(by: plan.rows)
            let (b, o2) = elements.multipliedReportingOverflow(by: size)
            return o1 || o2 ? Int.max : b
        }
        var touched = 0
        for k in 0..<count where plan.innerStrides[k] != 0 || plan.outerStrides[k].contains(where: { $0 != 0 }) {
            let (sum, overflow) = touched.addingReportingOverflow(bytes(itemSizes[k]))
            touched = overflow ? Int.max : sum
        }
        let choice = contiguous && outSize > 0
            ? StreamingStores.choice(outputBytes: bytes(outSize), workingSetBytes: touched) : .plain
        streamItemSize = choice == .plain ? 0 : outSize
        streamsSeriallyOnly = choice == .streamingSerially
    }

    deinit {
        innerStrides.deallocate()
        byteStrides.deallocate()
    }

    /// Runs `entry` over the plan with operand k's element 0 at `bases[k]` (the output last).
    /// Returns the run-time error code the code raised (`ExpressionFault`), 0 if none.
    @discardableResult
    public func run(_ entry: KernelEntry, bases: UnsafePointer<UnsafeMutableRawPointer>, threads: Int? = nil) -> Int32 {
        let n = plan.innerCount, rows = plan.rows
        guard n > 0, rows > 0 else { return 0 }
        let t = Parallel.threadsFor(elements: n * rows, requested: threads)
        let total = n * rows
        let streamItemSize = streamsSeriallyOnly && t > 1 ? 0 : self.streamItemSize
        if t <= 1 && plan.outerShape.isEmpty && total < Launch.cancellableElements {
            // One serial row: the common small call, straight into the kernel.
            guard streamItemSize > 0 else {
                bases.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: count) { ptrs in
                    entry(0, Int64(n), ptrs, innerStrides, ptrs[count - 1])
                }
                return sj_take_expression_error()
            }
            // A large contiguous output: the row walk below streams it.
        }
        let walk = RowWalk(entry: entry, count: count, outer: plan.outerShape,
                           byteStrides: UnsafePointer(byteStrides), bases: bases,
                           strides: UnsafePointer(innerStrides), streamItemSize: streamItemSize,
                           streamEntry: streamItemSize > 0 ? streamKernel?.entry : nil)
        if t <= 1 && total < Launch.cancellableElements {
            walk.run(rows: 0..<rows, begin: 0, end: n)
            return sj_take_expression_error()
        }
        // Parallel, or serial and long: by work items, each skipped once the caller's
        // cancellation token is set.
        let token = sj_get_cancel_token()
        let faults = FaultCollector()
        let chunk = Launch.roundUp(min(Parallel.chunkElements, Launch.ceilDiv(total, t)), 64)
        if n >= chunk {
            // Ranges of rows.
            let length = Launch.roundUp(Launch.ceilDiv(n, Launch.ceilDiv(n, chunk)), 64)
            let perRow = Launch.ceilDiv(n, length)
            Parallel.forEach(items: rows * perRow, threads: t) { i in
                if sj_token_cancelled(token) != 0 { return }
                let r = i / perRow, c = i % perRow
                walk.run(rows: r..<(r + 1), begin: c * length, end: min(n, (c + 1) * length))
                faults.collect()
            }
        } else {
            // Groups of whole rows.
            let perItem = max(1, chunk / n)
            Parallel.forEach(items: Launch.ceilDiv(rows, perItem), threads: t) { i in
                if sj_token_cancelled(token) != 0 { return }
                walk.run(rows: (i * perItem)..<min(rows, (i + 1) * perItem), begin: 0, end: n)
                faults.collect()
            }
        }
        return faults.code
    }
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
    let streamItemSize: Int
    let streamEntry: KernelEntry?

    /// One call of the kernel on elements begin..<end with operand pointers `ptrs`.
    func call(_ ptrs: UnsafeMutablePointer<UnsafeMutableRawPointer?>, _ begin: Int, _ end: Int) {
        if let streamEntry, let out = ptrs[count - 1], (Int(bitPattern: out) + begin * streamItemSize) % 64 == 0 {
            // Its loop stores to the output with non-temporal stores; the fence orders them
            // before whatever this thread does next (the caller reads the result after the join).
            streamEntry(Int64(begin), Int64(end), ptrs, strides, out)
            sj_stream_fence()
        } else if streamItemSize > 0 {
            StreamingStores.call(entry, begin: begin, end: end, ptrs: ptrs, count: count, strides: strides,
                                 itemSize: streamItemSize)
        } else {
            entry(Int64(begin), Int64(end), ptrs, strides, ptrs[count - 1])
        }
    }

    /// Calls the kernel on elements begin..<end of each row in `rows` (row-major over `outer`).
    func run(rows: Range<Int>, begin: Int, end: Int) {
        let dims = outer.count
        if dims == 0 {
            withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: count) { ptrs in
                for k in 0..<count { ptrs[k] = bases[k] }
                call(ptrs.baseAddress!, begin, end)
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
                    call(ptrs.baseAddress!, begin, end)
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
