// Engine: typed IR -> callable native code, cached. One LLJIT per process; modules are built and
// optimised in parallel (one LLVM context and target machine per compilation) and only the
// add-and-lookup step is serialised. The cache is keyed by everything that decides the machine
// code: the canonical typed IR text, the lowering options (math mode, optimisation level) and
// the target CPU. A hit does no LLVM work.
import CJITSupport
import Foundation
import JITLowering
import JITSema
import LLVMKit

/// The C ABI of every compiled elementwise function (see IRGen).
public typealias KernelEntry = @convention(c) (Int64, Int64, UnsafePointer<UnsafeMutableRawPointer?>?, UnsafePointer<Int64>?, UnsafeMutableRawPointer?) -> Void

/// Native code for one typed function.
public final class CompiledKernel: @unchecked Sendable {
    /// The typed IR it was compiled from (after the IR passes).
    public let function: IRFunction
    /// The entry point.
    public let entry: KernelEntry
    /// The options it was compiled with.
    public let options: LoweringOptions
    /// Wall time spent in LLVM (build, optimise, codegen), seconds.
    public let compileSeconds: Double

    init(function: IRFunction, entry: KernelEntry, options: LoweringOptions, compileSeconds: Double) {
        self.function = function
        self.entry = entry
        self.options = options
        self.compileSeconds = compileSeconds
    }
}

/// Compiles typed IR to native code through LLVM and caches the result.
public final class Engine: @unchecked Sendable {
    /// The process-wide engine.
    public static let shared: Engine = {
        do { return try Engine() } catch { fatalError("SwiftJIT could not start LLVM: \(error)") }
    }()

    private let jit: OrcJIT
    private let lock = NSLock()
    /// One slot per key; its lock is held while that key compiles, so concurrent requests for
    /// the same key compile once and the others wait for the result.
    private final class Slot: @unchecked Sendable {
        let lock = NSLock()
        var value: AnyObject?
    }
    private var slots: [String: Slot] = [:]
    private var counter = 0
    /// Number of times LLVM was asked to build a module (cache misses), for tests and stats.
    public private(set) var llvmCompilations = 0
    /// Most distinct native functions (expression signatures, kernels) one process compiles; the
    /// next compilation throws. Native code is never freed, so this bounds its memory.
    public nonisolated(unsafe) static var maxCompiledFunctions = 65_536
    private var maxCompiledFunctions: Int { Engine.maxCompiledFunctions }
    /// Host CPU name and features, as the code is compiled for them.
    public let cpuName: String
    public let cpuFeatures: String

    public init() throws {
        do {
            jit = try OrcJIT()
            var symbols: [(name: String, address: UnsafeRawPointer)] = []
            var entry = sj_support_symbols()!
            while let name = entry.pointee.name {
                symbols.append((String(cString: name), UnsafeRawPointer(entry.pointee.address!)))
                entry += 1
            }
            try jit.define(symbols: symbols)
        } catch let e as LLVMError {
            throw JITError.llvm(e.message)
        }
        cpuName = LLVM.hostCPUName
        cpuFeatures = LLVM.hostCPUFeatures
    }

    /// The full cache key for a function and options.
    public func cacheKey(_ function: IRFunction, _ options: LoweringOptions) -> String {
        "\(options.mathMode.rawValue)|O\(options.optimizationLevel)|\(cpuName)|\(function)"
    }

    /// Native code for `function`, from the cache or compiled now. Concurrent requests for the
    /// same key compile once; others wait for that result.
    public func kernel(for function: IRFunction, options: LoweringOptions) throws -> CompiledKernel {
        try cached(cacheKey(function, options)) { symbol in
            let start = DispatchTime.now().uptimeNanoseconds
            let machine = try TargetMachine()
            let lowered = try IRGen.lower(function, symbol: symbol, options: options, machine: machine)
            let entry = unsafeBitCast(try self.add(lowered), to: KernelEntry.self)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            return CompiledKernel(function: function, entry: entry, options: options, compileSeconds: seconds)
        }
    }

    /// The cached object for `key`, built by `build` (given a fresh symbol name) on a miss.
    func cached<T: AnyObject>(_ key: String, _ build: (String) throws -> T) throws -> T {
        lock.lock()
        let slot: Slot
        if let existing = slots[key] {
            slot = existing
        } else {
            guard slots.count < maxCompiledFunctions else {
                let limit = maxCompiledFunctions
                lock.unlock()
                throw JITError.argument("this process has compiled \(limit) distinct functions, the limit "
                    + "(Engine.maxCompiledFunctions; native code is kept for the process's lifetime, see docs/limits.md)")
            }
            slot = Slot()
            slots[key] = slot
        }
        lock.unlock()
        slot.lock.lock()
        defer { slot.lock.unlock() }
        if let value = slot.value as? T { return value }
        lock.lock()
        counter += 1
        let symbol = "sj_fn_\(counter)"
        llvmCompilations += 1
        lock.unlock()
        do {
            let value = try build(symbol)
            slot.value = value
            return value
        } catch let e as LLVMError {
            throw JITError.llvm(e.message)
        }
    }

    /// Adds a lowered module to the JIT and returns its entry point's address.
    func add(_ lowered: LoweredModule) throws -> UnsafeRawPointer {
        try jit.addAndLookup(lowered.module, symbol: lowered.symbol)
    }

    /// Optimised LLVM IR text for `function` (not cached, nothing is added to the JIT).
    public func llvmIR(for function: IRFunction, options: LoweringOptions, optimize: Bool = true) throws -> String {
        do {
            let machine = try TargetMachine()
            return try IRGen.lower(function, symbol: "sj_expr", options: options, machine: machine,
                                   optimize: optimize).module.text
        } catch let e as LLVMError { throw JITError.llvm(e.message) }
    }

    /// Assembly for `function` on the host CPU (or `cpu` when given).
    public func assembly(for function: IRFunction, options: LoweringOptions, cpu: String? = nil) throws -> String {
        do {
            let machine = try TargetMachine(cpu: cpu)
            let lowered = try IRGen.lower(function, symbol: "sj_expr", options: options, machine: machine)
            return try machine.assembly(of: lowered.module)
        } catch let e as LLVMError { throw JITError.llvm(e.message) }
    }
}
