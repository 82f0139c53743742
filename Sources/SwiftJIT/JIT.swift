// SwiftJIT's front door. `JIT.compile` parses an expression once and returns a
// `CompiledExpression` that specializes itself for each argument signature on first use (like
// Numba's lazy dispatch) and caches native code per signature. `JIT.evaluate` is the one-shot
// form of numexpr.evaluate, served from the same caches.
import Foundation
import JITRuntime
import JITSema
import JITSyntax

/// Entry points for compiling and evaluating expressions.
public enum JIT {
    /// Compilation options; part of every cache key.
    public struct Options: Hashable, Sendable {
        /// Floating-point freedom (default `relaxed`).
        public var mathMode: MathMode
        /// LLVM optimisation level 0...3 (default 3).
        public var optimizationLevel: Int
        /// Kernels: check array indices and integer divisors (default on).
        public var boundsChecks: Bool

        public init(mathMode: MathMode = .relaxed, optimizationLevel: Int = 3, boundsChecks: Bool = true) {
            self.mathMode = mathMode
            self.optimizationLevel = optimizationLevel
            self.boundsChecks = boundsChecks
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var expressions = LRUCache<ExpressionKey, CompiledExpression>(
        capacity: defaultExpressionCacheCapacity)
    /// Default of `expressionCacheCapacity`.
    public static let defaultExpressionCacheCapacity = 4096

    /// Most distinct (expression text, options) pairs `compile` keeps; when full, the least
    /// recently used is forgotten, and its native code is freed unless something else holds it
    /// (the engine's `codeCacheCapacity` most recent functions, another expression with the same
    /// code, a call in flight). At least 1; lowering it evicts at once. See docs/limits.md.
    public static var expressionCacheCapacity: Int {
        get { lock.lock(); defer { lock.unlock() }; return expressions.capacity }
        set { lock.lock(); defer { lock.unlock() }; expressions.capacity = newValue }
    }

    /// Expressions in the cache now, and evictions since the process started.
    public static var expressionCacheStatistics: (count: Int, evictions: Int) {
        lock.lock(); defer { lock.unlock() }
        return (expressions.count, expressions.evictions)
    }

    private struct ExpressionKey: Hashable {
        var source: String
        var options: Options
    }

    /// Parses `source` and returns its compiled form (from the cache when seen before).
    /// Syntax errors and calls of unknown functions are reported here; type errors when the
    /// expression is first called with concrete argument types.
    public static func compile(_ source: String, options: Options = Options()) throws -> CompiledExpression {
        let key = ExpressionKey(source: source, options: options)
        lock.lock()
        if let e = expressions.value(for: key) { lock.unlock(); return e }
        lock.unlock()
        let compiled = try CompiledExpression(source: source, options: options)
        lock.lock()
        defer { lock.unlock() }
        if let e = expressions.value(for: key) { return e }
        expressions.insert(key, compiled)
        return compiled
    }

    /// Evaluates `source` with `arguments` bound by name, like `numexpr.evaluate` (arguments the
    /// expression does not read are ignored).
    public static func evaluate(_ source: String, _ arguments: [String: any JITArgument] = [:],
                                out: NDArray? = nil, casting: Casting = .safe,
                                options: Options = Options()) throws -> NDArray {
        // Like numexpr's local_dict, entries the expression does not read are ignored here;
        // CompiledExpression.call itself rejects them, to catch misspelt argument labels.
        let f = try compile(source, options: options)
        let used = arguments.filter { f.parameterNames.contains($0.key) || f.shadowableConstants.contains($0.key) }
        return try f.call(used, out: out, casting: casting)
    }

    /// Most compiled functions the engine keeps alive by itself, least recently used first out
    /// (default `Engine.defaultCodeCacheCapacity`, 256); beyond them, code lives as long as an
    /// expression in the expression cache, a kernel module or a call in flight holds it.
    public static var codeCacheCapacity: Int {
        get { Engine.shared.codeCacheCapacity }
        set { Engine.shared.codeCacheCapacity = newValue }
    }

    /// Compiled functions whose machine code is in memory now.
    public static var liveFunctions: Int { Engine.shared.liveFunctions }

    /// Number of LLVM compilations so far in this process (lowering, optimisation and code
    /// generation; disk-cache hits do none of it).
    public static var llvmCompilations: Int { Engine.shared.llvmCompilations }

    /// What the background compiles of kernels' final code have done so far (docs/cache.md,
    /// "Compile tiers"): quick-tier compiles, final codes swapped in, failures (with the last
    /// message), skipped and pending jobs.
    public static var tierStatistics: TierStatistics { BackgroundCompiler.shared.statistics }

    /// Waits until every kernel and expression compile queued on the background thread has finished and its
    /// final code is swapped in (or its failure recorded in `tierStatistics`).
    public static func drainBackgroundCompiles() { BackgroundCompiler.shared.drain() }

    /// Number of compiled objects loaded from the disk cache so far in this process.
    public static var diskCacheHits: Int { Engine.shared.diskCacheHits }

    /// Seconds spent on misses of the in-memory cache so far (compiling, or loading from disk).
    public static var cacheMissSeconds: Double { Engine.shared.missSeconds }

    /// Misses of the in-memory cache so far: LLVM compilations plus disk-cache hits.
    public static var cacheMisses: Int { Engine.shared.cacheMisses }

    /// The object cache on disk (docs/cache.md); nil when off. It starts as the environment says
    /// (`SWIFTJIT_CACHE_DIR`, else `$XDG_CACHE_HOME/swiftjit`, else `~/.cache/swiftjit`). Set
    /// `JIT.diskCache = DiskCache(directory: url, sizeLimit: bytes)` to move it, nil to switch it off.
    public static var diskCache: DiskCache? {
        get { Engine.shared.diskCache }
        set { Engine.shared.diskCache = newValue }
    }

    /// Threads one call may use, process-wide (at least 1; set 1 to run serially). The default
    /// is `SWIFTJIT_NUM_THREADS` when set, else the cores the process may run on (CPU affinity,
    /// capped by the cgroup CPU quota). Not part of any cache key: the compiled code is the same.
    /// Calls below a measured size, and calls made from inside a SwiftJIT parallel region, run
    /// serially whatever this says. Setting it affects calls started afterwards.
    public static var numThreads: Int {
        get { Parallel.threadCount }
        set { Parallel.threadCount = newValue }
    }
}
