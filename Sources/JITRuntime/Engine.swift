// Engine: typed IR -> callable native code, cached. One LLJIT per process; modules are built and
// optimised in parallel (one LLVM context and target machine per compilation) and only the
// add-and-lookup step is serialised. The cache is keyed by everything that decides the machine
// code: the canonical typed IR text, the compile's `CompileOptions` (lowering options, target CPU
// and features) and the LLVM and SwiftJIT versions (`CodeSettings`). A hit does no LLVM work; a
// miss in memory looks in the disk cache, whose hits link a stored object without optimising or
// generating code. A real miss runs the back-end stages (lower, optimize: `CompilationUnit`;
// codegen, link: here), links the object and stores it on disk.
// Every object is linked under a resource tracker of its own (JITCode): its machine code is
// freed when the last CompiledKernel (or CompiledKernelFunction) holding it goes. The engine
// itself keeps only the `codeCacheCapacity` most recently used ones alive; others live as long
// as an expression, kernel or call in flight holds them (docs/limits.md, "Code memory").
import CJITSupport
import Foundation
import JITLowering
import JITSema
import LLVMKit

/// The C ABI of every compiled elementwise function (see IRGen).
public typealias KernelEntry = @convention(c) (Int64, Int64, UnsafePointer<UnsafeMutableRawPointer?>?, UnsafePointer<Int64>?, UnsafeMutableRawPointer?) -> Void

/// Native code for one typed function.
///
/// Its entry may change once: an expression compiled now starts on quick-tier code while its
/// final code compiles on the background thread, which then swaps the entry (`TieredEntry`,
/// docs/cache.md "Compile tiers"). Every call reads `entry` (one atomic load) when it starts.
public final class CompiledKernel: @unchecked Sendable {
    /// The typed IR it was compiled from (after the IR passes).
    public let function: IRFunction
    /// The options it was compiled with.
    public let options: LoweringOptions
    /// Wall time until the first code (quick or final) was ready, seconds.
    public let compileSeconds: Double
    /// The code calls run now; its machine code is freed when this object goes.
    public let tier: TieredEntry

    init(function: IRFunction, tier: TieredEntry, options: LoweringOptions, compileSeconds: Double) {
        self.function = function
        self.tier = tier
        self.options = options
        self.compileSeconds = compileSeconds
    }

    /// The entry point calls use now (the final code once it is swapped in).
    public var entry: KernelEntry { unsafeBitCast(tier.raw, to: KernelEntry.self) }

    /// Whether calls run the final (optimised) code.
    public var isOptimized: Bool { tier.isOptimized }

    /// Waits until the final code is in (or its background compile gave up); true when it is in.
    @discardableResult
    public func waitForOptimizedCode() -> Bool { tier.waitForOptimizedCode() }
}

/// Compiles typed IR to native code through LLVM and caches the result: in memory per process,
/// and as verified object files on disk across processes (`DiskCache`, docs/cache.md).
public final class Engine: @unchecked Sendable {
    /// The process-wide engine (LLVM is loaded when it first compiles or links something).
    public static let shared = Engine()

    /// SwiftJIT's version as it enters object-cache keys: bump it whenever lowering changes the
    /// code generated for the same typed IR. Debug builds add their executable's size and time.
    public static let version = "0.18.3"
    /// The LLVM version compiled against, `major.minor`.
    public static var llvmVersion: String { "\(LLVM.versionMajor).\(LLVM.versionMinor)" }
    /// The loaded LLVM as it enters cache keys: `major.minor` and the library's real path
    /// (14 and 15 report N.0 whatever the patch release; the path tells builds apart).
    public static var llvmIdentity: String {
        llvmVersion + (LLVMLibrary.loaded.map { " " + URL(fileURLWithPath: $0.path).resolvingSymlinksInPath().path } ?? "")
    }
    /// The host's target triple (loads LLVM).
    public static var triple: String {
        get throws {
            try LLVM.initialize()
            return LLVM.hostTriple
        }
    }

    /// What exists once LLVM is loaded: the JIT with the runtime's symbols, and the host's facts.
    final class Native: Sendable {
        let jit: OrcJIT
        let cpuName: String
        let cpuFeatures: String
        /// `Engine.llvmIdentity` and the host triple, resolved once for every key made after.
        let llvmIdentity: String
        let triple: String

        init() throws {
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
            llvmIdentity = Engine.llvmIdentity
            triple = LLVM.hostTriple
        }
    }
    private let startLock = NSLock()
    nonisolated(unsafe) private var nativeState: Native?

    /// The JIT and host facts, loading LLVM and creating the JIT on first use.
    func started() throws -> Native {
        try startLock.withLock {
            if let nativeState { return nativeState }
            let n = try Native()
            nativeState = n
            return n
        }
    }

    private let lock = NSLock()
    /// One slot per key digest; its lock is held while that key compiles, so concurrent
    /// requests for the same key compile once and the others wait for the result. The slot
    /// holds its value weakly: the code lives as long as someone holds it (`recent`, an
    /// expression's specialization, a call in flight), and a later request finds it again.
    private final class Slot: @unchecked Sendable {
        let lock = NSLock()
        weak var value: AnyObject?
        /// Requests between finding the slot and storing the value (the slot is not pruned).
        var pending = 0
    }
    private var slots: [String: Slot] = [:]
    /// Slots are pruned (those whose code is gone) when there are this many.
    private var pruneAt = 4096
    /// The most recently used compiled objects, kept alive by the engine itself.
    private var recent = LRUCache<String, AnyObject>(capacity: Engine.defaultCodeCacheCapacity)
    /// Default of `codeCacheCapacity`.
    public static let defaultCodeCacheCapacity = 256
    /// Most compiled functions the engine keeps alive on its own (least recently used go first);
    /// their code is freed once nothing else holds them. At least 1.
    public var codeCacheCapacity: Int {
        get { lock.withLock { recent.capacity } }
        set { lock.withLock { recent.capacity = newValue } }
    }
    /// Compiled functions whose machine code is in the JIT now.
    public var liveFunctions: Int { startLock.withLock { nativeState?.jit.liveCodeCount } ?? 0 }
    /// Number of times LLVM lowered, optimised and generated final code (not counting disk-cache
    /// hits, nor quick-tier compiles: `tierStatistics`), on the calling or the background thread.
    public private(set) var llvmCompilations = 0
    /// Compilations by `compileUncached` (their symbols are numbered).
    private var uncachedCount = 0
    /// Number of entries loaded from the disk cache (no optimiser or code generator ran).
    public private(set) var diskCacheHits = 0
    /// Seconds spent making code ready on misses in memory: compiling, or loading and linking
    /// from the disk cache.
    public private(set) var missSeconds = 0.0
    /// Misses of the in-memory cache: `llvmCompilations + diskCacheHits`.
    public var cacheMisses: Int { lock.withLock { llvmCompilations + diskCacheHits } }
    /// Most native functions (expression signatures, kernels) alive at once in one process; the
    /// next compilation throws. Code is freed when nothing holds it (see `codeCacheCapacity`).
    public nonisolated(unsafe) static var maxCompiledFunctions = 65_536
    private var maxCompiledFunctions: Int { Engine.maxCompiledFunctions }
    /// Host CPU name and features, as the code is compiled for them (loads LLVM).
    public var cpuName: String { get throws { try started().cpuName } }
    public var cpuFeatures: String { get throws { try started().cpuFeatures } }
    private var disk: DiskCache?
    /// The object cache on disk (nil: off). From the environment at start (`DiskCache.fromEnvironment`).
    public var diskCache: DiskCache? {
        get { lock.withLock { disk } }
        set { lock.withLock { disk = newValue } }
    }

    /// An engine with the environment's disk cache; LLVM is not loaded yet.
    public init() {
        disk = DiskCache.fromEnvironment()
    }

    /// The settings `options` compile under on `cpu` with `features` (default: the host, with
    /// the host's features; another CPU gets its own default features).
    public func settings(_ options: LoweringOptions, cpu: String? = nil, features: String? = nil) throws -> CodeSettings {
        try settings(CompileOptions(lowering: options, cpu: cpu, features: features))
    }

    /// The settings `options` compile under: its target resolved (the host, with the host's
    /// features; another CPU with its own default features), with this process's versions.
    public func settings(_ options: CompileOptions) throws -> CodeSettings {
        let host = try started()
        let cpu = options.cpu ?? host.cpuName
        let features = options.features ?? (cpu == host.cpuName ? host.cpuFeatures : "")
        return CodeSettings(lowering: options.lowering, cpu: cpu, features: features,
                            llvm: host.llvmIdentity, triple: host.triple)
    }

    /// The key of an object: everything that decides its machine code. `kind` names the ABI
    /// (expression or kernel), `label` a one-line summary for listings, `ir` the canonical typed IR
    /// text (argument signature included).
    public func objectKey(kind: String, label: String, ir: String, options: LoweringOptions, cpu: String? = nil,
                          features: String? = nil) throws -> ObjectKey {
        objectKey(kind: kind, label: label, ir: ir, settings: try settings(options, cpu: cpu, features: features))
    }

    /// The key of an object compiled under `settings` (CodeSettings: every field is in the key).
    public func objectKey(kind: String, label: String, ir: String, settings: CodeSettings) -> ObjectKey {
        let text = """
            \(settings.keyText)
            kind \(kind)
            label \(label)
            ir
            \(ir)
            """
        return ObjectKey(text: text, cpu: settings.cpu, features: settings.features)
    }

    /// Debug builds: the executable's size and modification time, so a rebuilt SwiftJIT under
    /// development never loads objects an older build wrote. Empty in release builds.
    public static let buildStamp: String = {
        #if DEBUG
        var info = stat()
        guard let path = Bundle.main.executablePath, stat(path, &info) == 0 else { return " debug" }
        return " debug \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        #else
        return ""
        #endif
    }()

    /// The full cache key for a function and options.
    public func cacheKey(_ function: IRFunction, _ options: LoweringOptions) throws -> String {
        try objectKey(.expression(function), options: options).text
    }

    /// Native code for `function`, from the caches or compiled now. Concurrent requests for the
    /// same key compile once; others wait for that result.
    public func kernel(for function: IRFunction, options: LoweringOptions) throws -> CompiledKernel {
        try kernel(for: function, options: CompileOptions(lowering: options))
    }

    /// Native code for `function` under `options` (for the host), timed and printed through
    /// `trace` when it is compiled now.
    public func kernel(for function: IRFunction, options: CompileOptions, trace: StageTrace? = nil) throws -> CompiledKernel {
        let unit = CompilationUnit.expression(function)
        let key = try objectKey(unit, options: options)
        return try cached(key.digest) {
            // Traced compiles print every stage of the final code; other targets are not linked.
            // Reductions are not tiered: their relaxed-mode sums would change bits at the swap,
            // and their results are promised bit-identical from call to call (docs/cache.md).
            if options.tiers, trace == nil, options.cpu == nil, options.features == nil, function.reduction == nil,
               let (tier, seconds) = try tiered(key, unit, label: "expression \(key.symbol)", options: options.lowering) {
                return CompiledKernel(function: function, tier: tier, options: options.lowering, compileSeconds: seconds)
            }
            let (code, seconds) = try native(key, unit, options: options.lowering, trace: trace)
            return CompiledKernel(function: function, tier: TieredEntry(code: code, quick: false),
                                  options: options.lowering, compileSeconds: seconds)
        }
    }

    /// The live object for `key` (a digest), built by `build` when there is none. At most
    /// `maxCompiledFunctions` live at once.
    func cached<T: AnyObject>(_ key: String, _ build: () throws -> T) throws -> T {
        // Slot values are read and written under the engine's lock.
        let (slot, found): (Slot, AnyObject?) = lock.withLock {
            let slot = slots[key] ?? Slot()
            if let value = slot.value {
                recent.insert(key, value)
                return (slot, value)
            }
            slots[key] = slot
            slot.pending += 1
            return (slot, nil)
        }
        if let found = found as? T { return found }
        defer { lock.withLock { slot.pending -= 1 } }
        slot.lock.lock()
        defer { slot.lock.unlock() }
        if let value = lock.withLock({ slot.value }) as? T { return value }
        guard try started().jit.liveCodeCount < maxCompiledFunctions else {
            throw JITError.argument("this process holds \(maxCompiledFunctions) compiled functions, the limit "
                + "(Engine.maxCompiledFunctions; code is freed when no expression or kernel holds it, see docs/limits.md)")
        }
        do {
            let value = try build()
            lock.withLock {
                slot.value = value
                recent.insert(key, value)
                pruneSlots()
            }
            return value
        } catch let e as LLVMError {
            throw JITError.llvm(e.message)
        }
    }

    /// Drops slots whose code is gone and that no request is using (the caller holds the lock);
    /// amortised: runs when the map has doubled since the last pruning.
    private func pruneSlots() {
        guard slots.count >= pruneAt else { return }
        slots = slots.filter { $0.value.value != nil || $0.value.pending > 0 }
        pruneAt = max(4096, 2 * slots.count)
    }

    /// Loads `key`'s object from the disk cache, or lowers `unit`, generates an object
    /// and stores it; then links that object into the JIT (the same bytes either way). Returns
    /// the code and the seconds spent.
    func native(_ key: ObjectKey, _ unit: CompilationUnit, options: LoweringOptions,
                trace: StageTrace? = nil) throws -> (JITCode, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        if let code = try linkFromDisk(key) { return (code, missSeconds(since: start)) }
        return (try compileFinal(key, unit, options: options, trace: trace), missSeconds(since: start))
    }

    /// Seconds since `start` (uptime nanoseconds), added to `missSeconds`.
    func missSeconds(since start: UInt64) -> Double {
        let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        lock.withLock { missSeconds += s }
        return s
    }

    /// `key`'s object linked from the disk cache; nil when the cache is off or has no valid entry.
    func linkFromDisk(_ key: ObjectKey) throws -> JITCode? {
        let disk = diskCache
        guard let object = PhaseTimes.measure(\.disk, { disk?.load(key: key.text) }) else { return nil }
        let code = try PhaseTimes.measure(\.link) { try started().jit.addObject(object, symbol: key.symbol) }
        lock.withLock { diskCacheHits += 1 }
        return code
    }

    /// Lowers `unit` through its full pipeline, generates its object, links it under the key's
    /// symbol and stores it in the disk cache.
    func compileFinal(_ key: ObjectKey, _ unit: CompilationUnit, options: LoweringOptions,
                      trace: StageTrace? = nil) throws -> JITCode {
        let object = try generateObject(key, trace: trace) {
            try unit.lower(symbol: key.symbol, options: options, machine: $0, trace: trace)
        }
        let code = try trace.run("link", {
            try PhaseTimes.measure(\.link) { try started().jit.addObject(object, symbol: key.symbol) }
        }, text: { _ in "linked \(key.symbol)\n" })
        let disk = diskCache
        PhaseTimes.measure(\.disk) { disk?.store(key: key.text, object: object) }
        return code
    }

    /// Lowers and optimises with `lower`, then generates the object for `key` (for its CPU): stage
    /// `codegen`, whose printed form is the assembly. `codeGenLevel` 0 is the quick tier's (not
    /// counted in `llvmCompilations`).
    func generateObject(_ key: ObjectKey, forJIT: Bool = true, codeGenLevel: Int = 3, trace: StageTrace? = nil,
                        lower: (TargetMachine) throws -> LoweredModule) throws -> [UInt8] {
        if codeGenLevel == 3 { lock.withLock { llvmCompilations += 1 } }
        return try TargetMachine.withPooled(cpu: key.cpu, features: key.features, forJIT: forJIT,
                                            codeGenLevel: codeGenLevel) { machine in
            let module = try lower(machine).module
            // Code generation changes its module: emitted from the module itself (no clone) unless
            // a trace may print the assembly afterwards.
            guard trace != nil else { return try machine.object(consuming: module) }
            return try trace.run("codegen", { try machine.object(of: module) },
                                 text: { _ in (try? machine.assembly(of: module)) ?? "" })
        }
    }

    /// Fills the disk cache for `key` without loading the code (for another CPU, say): returns
    /// false when a valid entry was there already.
    func precompile(_ key: ObjectKey, trace: StageTrace? = nil, lower: (TargetMachine) throws -> LoweredModule) throws -> Bool {
        guard let disk = diskCache else { throw JITError.argument("the object cache is off (SWIFTJIT_CACHE_DIR=off)") }
        if disk.load(key: key.text) != nil { return false }
        do {
            disk.store(key: key.text, object: try generateObject(key, trace: trace, lower: lower))
        } catch let e as LLVMError { throw JITError.llvm(e.message) }
        return true
    }

    /// Optimised LLVM IR text for `function` (not cached, nothing is added to the JIT).
    public func llvmIR(for function: IRFunction, options: LoweringOptions, optimize: Bool = true) throws -> String {
        try llvmIR(for: .expression(function), options: options, optimize: optimize)
    }

    /// Optimised (or, with `optimize` false, unoptimised) LLVM IR text for `unit`; not cached,
    /// nothing is added to the JIT.
    public func llvmIR(for unit: CompilationUnit, options: LoweringOptions, optimize: Bool = true) throws -> String {
        do {
            return try unit.lower(symbol: unit.textSymbol, options: options, machine: try TargetMachine(),
                                  optimize: optimize).module.text
        } catch let e as LLVMError { throw JITError.llvm(e.message) }
    }

    /// Assembly for `function` on the host CPU (or `cpu` when given).
    public func assembly(for function: IRFunction, options: LoweringOptions, cpu: String? = nil) throws -> String {
        try assembly(for: .expression(function), options: options, cpu: cpu)
    }

    /// Assembly for `unit` (an expression or a kernel) on the host CPU (or `cpu` when given); not
    /// cached, nothing is added to the JIT.
    public func assembly(for unit: CompilationUnit, options: LoweringOptions, cpu: String? = nil) throws -> String {
        try validateTarget(cpu: cpu, features: nil)
        do {
            let machine = try TargetMachine(cpu: cpu)
            let lowered = try unit.lower(symbol: unit.textSymbol, options: options, machine: machine)
            return try machine.assembly(of: lowered.module)
        } catch let e as LLVMError { throw JITError.llvm(e.message) }
    }

    /// Lowers, optimises, generates and links `unit` now, bypassing both caches, with every stage
    /// timed and printed through `trace` (`swiftjit ir --print-after/--time-stages`); the code is
    /// freed on return.
    public func compileUncached(_ unit: CompilationUnit, options: CompileOptions, trace: StageTrace) throws {
        try validateTarget(cpu: options.cpu, features: options.features)
        if case .kernel = unit {
            _ = KernelParallel.installed
            _ = BufferCache.configured
        }
        let key = try objectKey(unit, options: options)
        // Its own symbol: the key's may be linked already.
        let symbol = lock.withLock { uncachedCount += 1; return "sj_stages_\(uncachedCount)" }
        do {
            let object = try generateObject(key, trace: trace) {
                try unit.lower(symbol: symbol, options: options.lowering, machine: $0, trace: trace)
            }
            // An object for another CPU is made (and printed) but not linked into this process.
            guard options.cpu == nil && options.features == nil else { return }
            let code = try trace.run("link", { try started().jit.addObject(object, symbol: symbol) },
                                     text: { _ in "linked \(symbol)\n" })
            withExtendedLifetime(code) {}
        } catch let e as LLVMError { throw JITError.llvm(e.message) }
    }
}

/// The key of one object in the caches.
public struct ObjectKey: Sendable {
    /// The full key text (stored in the cache file and compared on load).
    public let text: String
    /// The CPU and features the object is compiled for.
    public let cpu: String
    public let features: String
    /// SHA-256 of the text, hex.
    public let digest: String

    init(text: String, cpu: String, features: String) {
        self.text = text
        self.cpu = cpu
        self.features = features
        digest = SHA256.hex(Array(text.utf8))
    }

    /// The entry point's name: unique per key, so objects from any process can share one JIT.
    public var symbol: String { "sj_" + digest.prefix(32) }
}
