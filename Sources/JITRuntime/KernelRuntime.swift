// Running compiled kernels: arguments become descriptors (KernelGen's ABI), the call gets a
// fresh sj_context, errors come back as JITError with the kernel's name and source location,
// and returned arrays take over the memory the kernel allocated (everything else is freed).
import CJITSupport
import Foundation
import JITLowering
import JITSema
import LLVMKit
import Synchronization

/// The C ABI of a compiled kernel (see KernelGen).
public typealias KernelFunctionEntry = @convention(c) (UnsafePointer<UnsafeMutableRawPointer?>?,
                                                       UnsafeMutablePointer<Int64>?,
                                                       UnsafeMutablePointer<sj_context>?) -> Int32

/// A kernel compiled for one signature.
///
/// Its entry may change once: a kernel compiled now starts on quick-tier code while its final
/// code compiles on the background thread, which then swaps the entry (docs/cache.md, "Compile
/// tiers"). Calls read the entry with one atomic load and no lock. The quick code stays in the JIT
/// until this object goes (not at the swap), so a call still running on it keeps working.
public final class CompiledKernelFunction: @unchecked Sendable {
    public let kernel: TypedKernel
    /// Seconds until the first code (quick or final) was ready.
    public let compileSeconds: Double
    /// The code calls run now (quick tier, then final; `TieredEntry`).
    public let tier: TieredEntry

    /// A kernel with its final code, or (`quick`) with quick-tier code awaiting the final code.
    convenience init(kernel: TypedKernel, code: JITCode, compileSeconds: Double, quick: Bool = false) {
        self.init(kernel: kernel, tier: TieredEntry(code: code, quick: quick), compileSeconds: compileSeconds)
    }

    init(kernel: TypedKernel, tier: TieredEntry, compileSeconds: Double) {
        self.kernel = kernel
        self.tier = tier
        self.compileSeconds = compileSeconds
    }

    /// The native entry point calls use now (one atomic load).
    public var entry: KernelFunctionEntry { unsafeBitCast(tier.raw, to: KernelFunctionEntry.self) }

    /// Whether calls run the final (optimised) code: compiled straight to it, loaded from the
    /// disk cache, or swapped in after the quick tier.
    public var isOptimized: Bool { tier.isOptimized }

    /// Waits until the final code is in (returns at once when it is, or when its background compile
    /// failed or was dropped); true when it is in.
    @discardableResult
    public func waitForOptimizedCode() -> Bool { tier.waitForOptimizedCode() }

    /// A raw argument: a scalar's bytes or an array's data, shape and element strides.
    public struct Argument {
        public var dtype: DType
        public var shape: [Int]
        public var strides: [Int]
        public var pointer: UnsafeMutableRawPointer
        /// The storage of an NDArray argument, so returned views of it share it.
        public var storage: ArrayStorage?
        public var offset: Int

        public init(dtype: DType, shape: [Int], strides: [Int], pointer: UnsafeMutableRawPointer,
                    storage: ArrayStorage?, offset: Int) {
            self.dtype = dtype
            self.shape = shape
            self.strides = strides
            self.pointer = pointer
            self.storage = storage
            self.offset = offset
        }
    }

    /// Runs the kernel; returns its values (scalars as 0-d arrays).
    public func run(_ arguments: [Argument], source: String) throws -> [NDArray] {
        try arguments.withUnsafeBufferPointer { try run($0, source: source) }
    }

    /// Runs the kernel with arguments in a buffer (valid during the call); returns its values.
    public func run(_ arguments: UnsafeBufferPointer<Argument>, source: String) throws -> [NDArray] {
        var values: [NDArray] = []
        values.reserveCapacity(kernel.returnTypes.count)
        try run(arguments, source: source) { values.append($0) }
        return values
    }

    /// Runs the kernel; returns its first value (a scalar as a 0-d array), nil when it returns
    /// nothing. What `k(x)` returns, without an array of values around it; the arguments may be
    /// on the caller's stack.
    public func runFirst(_ arguments: UnsafeBufferPointer<Argument>, source: String) throws -> NDArray? {
        var first: NDArray?
        try run(arguments, source: source) { if first == nil { first = $0 } }
        return first
    }

    /// Runs the kernel, handing each value to `value` in order.
    func run(_ arguments: UnsafeBufferPointer<Argument>, source: String, _ value: (NDArray) -> Void) throws {
        try Cancellation.check()
        // Descriptors (data pointer, shape, strides) and the result slots live on the stack.
        let words = arguments.reduce(0) { $0 + ($1.shape.isEmpty ? 0 : 1 + 2 * $1.shape.count) }
        let resultWords = max(1, kernel.returnTypes.count) * KernelGen.resultSlotWords
        var context = sj_context()
        // The result slots on the stack too: a call that returns an array allocates only what
        // the array itself needs (its storage object and shape), not these bookkeeping buffers.
        return try withUnsafeTemporaryAllocation(of: Int64.self, capacity: resultWords) { results in
            results.initialize(repeating: 0)
            let code: Int32 = withUnsafeTemporaryAllocation(of: Int64.self, capacity: max(1, words)) { d in
                withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: max(1, arguments.count)) { p in
                    var w = 0
                    for (k, a) in arguments.enumerated() {
                        if a.shape.isEmpty {
                            p[k] = a.pointer
                            continue
                        }
                        p[k] = UnsafeMutableRawPointer(d.baseAddress! + w)
                        d[w] = Int64(Int(bitPattern: a.pointer))
                        for (i, extent) in a.shape.enumerated() { d[w + 1 + i] = Int64(extent) }
                        for (i, stride) in a.strides.enumerated() { d[w + 1 + a.shape.count + i] = Int64(stride) }
                        w += 1 + 2 * a.shape.count
                    }
                    return entry(p.baseAddress, results.baseAddress, &context)
                }
            }
            try collect(code, &context, results: UnsafePointer(results.baseAddress!), arguments: arguments, source: source, value)
        }
    }

    private let vectorShapeLock = PlainLock()
    /// The shape array of the last one-dimensional result, handed to the next result of the same
    /// length (shape arrays are immutable values): a result then allocates its storage object only.
    private var lastVectorShape: [Int] = []

    /// `[count]`, shared with earlier results of that length.
    private func vectorShape(_ count: Int) -> [Int] {
        vectorShapeLock.lock()
        defer { vectorShapeLock.unlock() }
        if lastVectorShape.first == count { return lastVectorShape }
        lastVectorShape = [count]
        return lastVectorShape
    }

    /// After a call: throws its run-time error, or turns the result slots into arrays (arrays in
    /// kernel allocations take ownership of them) and frees every other allocation of the call.
    func collect(_ code: Int32, _ context: inout sj_context, results: UnsafePointer<Int64>, arguments: UnsafeBufferPointer<Argument>,
                 source: String, _ value: (NDArray) -> Void) throws {
        if code != 0 {
            sj_context_release(&context, nil, 0)
            throw error(code, context, source)
        }
        let types = kernel.returnTypes
        // The allocations that results took over (given to sj_context_release to keep), on the
        // stack; the storage made for each, looked up only when there is more than one result.
        try withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: max(1, Int(context.count))) { kept in
            var keptCount = 0
            var adopted: [(UnsafeMutableRawPointer, ArrayStorage)] = []
            for (n, type) in types.enumerated() {
                let slot = n * KernelGen.resultSlotWords
                switch type {
                case .scalar(let d):
                    // The slot holds the value as a `d` element: copied as it is (a load, a cast
                    // to itself and a store went through ScalarSemantics); bool made 0 or 1.
                    let a = NDArray(uninitialized: d, shape: [])
                    if d == .bool {
                        a.baseAddress.storeBytes(of: UnsafeRawPointer(results + slot).load(as: UInt8.self) != 0 ? 1 : 0, as: UInt8.self)
                    } else {
                        a.baseAddress.copyMemory(from: UnsafeRawPointer(results + slot), byteCount: d.size)
                    }
                    value(a)
                case .array(let d, let rank):
                    let data = UnsafeMutableRawPointer(bitPattern: Int(results[slot]))
                    let shape = rank == 1 ? vectorShape(Int(results[slot + 1])) : (0..<rank).map { Int(results[slot + 1 + $0]) }
                    // A contiguous vector shares the one unit-stride array.
                    let strides = rank == 1 && results[slot + 1 + KernelGen.maxRank] == 1
                        ? NDArray.rowMajorStrides(shape) : (0..<rank).map { Int(results[slot + 1 + KernelGen.maxRank + $0]) }
                    value(try array(d, data, shape, strides, &context, arguments, kept.baseAddress!, &keptCount,
                                    &adopted, many: types.count > 1))
                }
            }
            sj_context_release(&context, kept.baseAddress, Int64(keptCount))
        }
    }

    private func array(_ d: DType, _ data: UnsafeMutableRawPointer?, _ shape: [Int], _ strides: [Int],
                       _ context: inout sj_context, _ arguments: UnsafeBufferPointer<Argument>,
                       _ kept: UnsafeMutablePointer<UnsafeMutableRawPointer?>, _ keptCount: inout Int,
                       _ adopted: inout [(UnsafeMutableRawPointer, ArrayStorage)], many: Bool) throws -> NDArray {
        guard let data else { return NDArray(zeros: d, sharedShape: shape) }
        // A view of an argument shares its storage (or is copied when it has none).
        for a in arguments where !a.shape.isEmpty {
            var lo = 0, hi = 0
            for (extent, stride) in zip(a.shape, a.strides) where extent > 0 {
                if stride < 0 { lo += (extent - 1) * stride } else { hi += (extent - 1) * stride }
            }
            guard data >= a.pointer + lo * a.dtype.size, data < a.pointer + (hi + 1) * a.dtype.size else { continue }
            if let storage = a.storage {
                return NDArray(dtype: d, shape: shape, strides: strides, storage: storage,
                               offset: a.offset + (data - a.pointer) / d.size)
            }
            return NDArray(dtype: d, shape: shape, strides: strides, storage: ArrayStorage(borrowing: data, byteCount: 0)).copy()
        }
        // Otherwise it lies in one of this call's allocations: the closest one starting below it.
        var found: (base: UnsafeMutableRawPointer, index: Int)?
        for i in 0..<Int(context.count) {
            guard let p = context.allocations[i], p <= data else { continue }
            if found.map({ p > $0.base }) ?? true { found = (p, i) }
        }
        if let (base, index) = found {
            let storage: ArrayStorage
            if let s = adopted.first(where: { $0.0 == base })?.1 {
                storage = s
            } else {
                storage = ArrayStorage.adopting(base, sizedBytes: sj_context_sized_bytes(&context, Int64(index)))
                if many { adopted.append((base, storage)) }
                kept[keptCount] = base
                keptCount += 1
            }
            return NDArray(dtype: d, shape: shape, strides: strides, storage: storage, offset: (data - base) / d.size)
        }
        return NDArray(dtype: d, shape: shape, strides: strides, storage: ArrayStorage(borrowing: data, byteCount: 0)).copy()
    }

    func error(_ code: Int32, _ c: sj_context, _ source: String) -> Error {
        func at(_ id: String, _ message: String) -> Error {
            KernelRunError(kind: id, message: message, source: source, line: Int(c.line), column: Int(c.column),
                           axis: Int(c.axis))
        }
        switch code {
        case 1: return at("index_out_of_range", "index \(c.index) is out of range for axis \(c.axis) with size \(c.bound) in kernel '\(kernel.name)'")
        case 2: return at("division_by_zero", "integer division by zero in kernel '\(kernel.name)'")
        case 3: return at("invalid_size", "invalid size or step \(c.index) in kernel '\(kernel.name)'")
        case 4: return JITError.argument("kernel '\(kernel.name)' ran out of memory")
        case 7: return CancellationError()
        case 9, 10: return at("empty_reduction", "zero-size array to reduction operation \(code == 9 ? "min" : "max") which has no identity in kernel '\(kernel.name)'")
        case ExpressionFault.negativePower:
            return at("negative_integer_power", "integers to negative integer powers are not allowed (in kernel '\(kernel.name)')")
        case 6: return at("shape_mismatch", "the arrays of a whole-array expression have different shapes in kernel '\(kernel.name)'")
        default: return JITError.argument("kernel '\(kernel.name)' reached its end without returning a value")
        }
    }
}

/// A kernel's run-time error at a place in its source (1-based line and column in characters);
/// SwiftJIT turns it into a diagnostic with the source line and a caret.
public struct KernelRunError: Error, CustomStringConvertible, Sendable {
    /// `index_out_of_range`, `division_by_zero`, `invalid_size` or `shape_mismatch`.
    public var kind: String
    public var message: String
    /// The source's name (a file, `<stdin>`).
    public var source: String
    public var line: Int
    public var column: Int
    /// The axis of an index out of range.
    public var axis: Int

    public var description: String { "error: \(source):\(line):\(column): \(message)" }
}

extension Engine {
    /// Native code for a typed kernel, from the cache or compiled now.
    public func kernelFunction(for kernel: TypedKernel, options: LoweringOptions) throws -> CompiledKernelFunction {
        try kernelFunction(for: kernel, options: CompileOptions(lowering: options))
    }

    /// Native code for a typed kernel under `options` (for the host), from the cache or compiled
    /// now (timed and printed through `trace`).
    public func kernelFunction(for kernel: TypedKernel, options: CompileOptions,
                               trace: StageTrace? = nil) throws -> CompiledKernelFunction {
        _ = KernelParallel.installed
        _ = BufferCache.configured  // kernel allocations go through the buffer cache
        _ = StreamingStores.configured  // kernel loops read its threshold (KernelStreaming.swift)
        let unit = CompilationUnit.kernel(kernel)
        let key = try objectKey(unit, options: options)
        return try cached(key.digest) {
            // Traced compiles print every stage of the final code; other targets are not linked.
            if options.tiers, trace == nil, options.cpu == nil, options.features == nil,
               let f = try tieredKernelFunction(key, kernel, options: options.lowering) {
                return f
            }
            let (code, seconds) = try native(key, unit, options: options.lowering, trace: trace)
            return CompiledKernelFunction(kernel: kernel, code: code, compileSeconds: seconds)
        }
    }

    /// A kernel's code from the disk cache (final code), or compiled by the quick tier with its
    /// final code queued on the background thread (docs/cache.md, "Compile tiers"); nil when the
    /// queue is full (the caller compiles the final code itself).
    func tieredKernelFunction(_ key: ObjectKey, _ kernel: TypedKernel,
                              options: LoweringOptions) throws -> CompiledKernelFunction? {
        guard let (tier, seconds) = try tiered(key, .kernel(kernel), label: "kernel \(kernel.name)", options: options)
        else { return nil }
        return CompiledKernelFunction(kernel: kernel, tier: tier, compileSeconds: seconds)
    }

    /// `unit`'s code from the disk cache (final code), or compiled by the quick tier (scalar
    /// cleanup passes, code generation at level 0, linked under the key's symbol + `_quick`) with
    /// its final code queued on the background thread, which swaps it into the entry and stores it
    /// on disk (docs/cache.md, "Compile tiers"); nil when the queue is full (the caller compiles
    /// the final code itself). Also returns the seconds until the first code was ready.
    func tiered(_ key: ObjectKey, _ unit: CompilationUnit, label: String,
                options: LoweringOptions) throws -> (TieredEntry, Double)? {
        let start = DispatchTime.now().uptimeNanoseconds
        if let code = try linkFromDisk(key) {
            return (TieredEntry(code: code, quick: false), missSeconds(since: start))
        }
        let background = BackgroundCompiler.shared
        guard background.hasRoom else { return nil }
        // Its own symbol: the final code is linked under the key's while this is still in the JIT.
        let symbol = key.symbol + "_quick"
        let object = try generateObject(key, codeGenLevel: 0) {
            try unit.lower(symbol: symbol, options: options, machine: $0, pipeline: LoweringOptions.quickPipeline, loopPlans: false)
        }
        let code = try PhaseTimes.measure(\.link) { try started().jit.addObject(object, symbol: symbol) }
        let tier = TieredEntry(code: code, quick: true)
        let seconds = missSeconds(since: start)
        background.countQuick()
        let queued = background.enqueue(label: label) { [weak tier, self] in
            do {
                // The function may have been freed while queued: then nothing is compiled.
                guard tier != nil else { return false }
                try background.throwInjectedFailure()
                let final = try compileFinal(key, unit, options: options)
                guard let tier else { return false }
                tier.installFinal(final)
                return true
            } catch {
                tier?.abandonFinal()
                throw error
            }
        }
        if !queued { tier.installFinal(try compileFinal(key, unit, options: options)) }
        return (tier, seconds)
    }

    /// Optimised LLVM IR of a typed kernel.
    public func kernelIR(for kernel: TypedKernel, options: LoweringOptions) throws -> String {
        try llvmIR(for: .kernel(kernel), options: options)
    }
}
