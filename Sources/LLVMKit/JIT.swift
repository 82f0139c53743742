import CLLVM
import Foundation

/// An ORC LLJIT for the host. Adding modules and looking up symbols are serialised by a lock
/// (LLVM-NOTES: concurrent add+lookup in one LLJIT crashed on 14 and 19); calling the compiled
/// code needs no lock. Process symbols (libm) are visible to JITted code on every version.
/// Code added with `addObject` has a resource tracker of its own and is removed from the JIT
/// (its memory freed) when the returned `JITCode` is released.
public final class OrcJIT: @unchecked Sendable {
    private let ref: LLVMOrcLLJITRef
    private let lock = NSLock()
    /// Symbols of live `JITCode`s (a symbol can be defined again once its code is removed).
    private var defined = Set<String>()
    /// Code removals since ORC's symbol string pool was last cleared of dead entries.
    private var removalsSinceClear = 0
    /// Removals between two clearings: the pool keeps every name it ever interned (each object's
    /// entry and section symbols, about 100 bytes a compile) until `ClearDeadEntries`, which walks
    /// the whole pool, so it runs once per this many removals. Malloc's free memory is returned to
    /// the system at the same time (see `removeLocked`).
    public static let clearPoolEvery = 1024
    /// Removals between two clearings of this JIT (`clearPoolEvery` unless a test lowers it).
    private var clearInterval = OrcJIT.clearPoolEvery
    /// Times the string pool was cleared and malloc's free memory returned, since creation.
    private var clearings = 0

    public init() throws {
        try LLVM.initialize()
        let builder = LLVMOrcCreateLLJITBuilder()
        var tmb: LLVMOrcJITTargetMachineBuilderRef?
        if let e = LLVMError.take(LLVMOrcJITTargetMachineBuilderDetectHost(&tmb)) {
            LLVMOrcDisposeLLJITBuilder(builder)
            throw e
        }
        LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(builder, tmb)
        var jit: LLVMOrcLLJITRef?
        if let e = LLVMError.take(LLVMOrcCreateLLJIT(&jit, builder)) { throw e }
        guard let jit else { throw LLVMError("LLJIT creation returned nothing") }
        ref = jit
        var generator: LLVMOrcDefinitionGeneratorRef?
        let prefix = LLVMOrcLLJITGetGlobalPrefix(jit)
        if let e = LLVMError.take(LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&generator, prefix, nil, nil)) {
            throw e
        }
        LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(jit), generator)
    }

    deinit { _ = LLVMError.take(LLVMOrcDisposeLLJIT(ref)) }

    /// Makes functions of this process callable from JITted code by name (absolute symbols), so
    /// runtime helpers need not be exported by the executable.
    public func define(symbols: [(name: String, address: UnsafeRawPointer)]) throws {
        lock.lock()
        defer { lock.unlock() }
        let session = LLVMOrcLLJITGetExecutionSession(ref)
        let flags = LLVMJITSymbolFlags(
            GenericFlags: UInt8(LLVMJITSymbolGenericFlagsExported.rawValue | LLVMJITSymbolGenericFlagsCallable.rawValue),
            TargetFlags: 0)
        var pairs = symbols.map {
            sj_symbol_map_pair(Name: LLVMOrcExecutionSessionIntern(session, $0.name),
                                  Sym: LLVMJITEvaluatedSymbol(Address: UInt64(UInt(bitPattern: $0.address)), Flags: flags))
        }
        let unit = LLVMOrcAbsoluteSymbols(&pairs, pairs.count)
        if let e = LLVMError.take(LLVMOrcJITDylibDefine(LLVMOrcLLJITGetMainJITDylib(ref), unit)) {
            LLVMOrcDisposeMaterializationUnit(unit)
            throw e
        }
    }

    /// Adds an object file (a copy of `object`) and returns the address of `symbol`; links it
    /// without running the optimiser or code generator (the object is machine code already).
    public func addObjectAndLookup(_ object: [UInt8], symbol: String) throws -> UnsafeRawPointer {
        lock.lock()
        defer { lock.unlock() }
        let buffer = object.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                LLVMCreateMemoryBufferWithMemoryRangeCopy($0.baseAddress, $0.count, symbol)
            }
        }
        // The JIT takes ownership of the buffer, also on failure.
        if let e = LLVMError.take(LLVMOrcLLJITAddObjectFile(ref, LLVMOrcLLJITGetMainJITDylib(ref), buffer)) { throw e }
        return try lookup(symbol)
    }

    /// Adds an object file (a copy of `object`) under a resource tracker of its own and returns
    /// its code, whose `address` is `symbol`'s. Releasing the `JITCode` removes the code from the
    /// JIT. If `symbol`'s previous code is being removed on another thread right now (its last
    /// reference just went), this waits for that removal, up to a second.
    public func addObject(_ object: [UInt8], symbol: String) throws -> JITCode {
        lock.lock()
        defer { lock.unlock() }
        var waited = 0
        while defined.contains(symbol) {
            guard waited < 10_000 else { throw LLVMError("symbol \(symbol) is still defined by live code") }
            lock.unlock()
            usleep(100)
            waited += 1
            lock.lock()
        }
        let buffer = object.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                LLVMCreateMemoryBufferWithMemoryRangeCopy($0.baseAddress, $0.count, symbol)
            }
        }
        let tracker = LLVMOrcJITDylibCreateResourceTracker(LLVMOrcLLJITGetMainJITDylib(ref))!
        // The JIT takes ownership of the buffer, also on failure.
        if let e = LLVMError.take(LLVMOrcLLJITAddObjectFileWithRT(ref, tracker, buffer)) {
            LLVMOrcReleaseResourceTracker(tracker)
            throw e
        }
        do {
            let address = try lookup(symbol)
            defined.insert(symbol)
            return JITCode(jit: self, tracker: tracker, symbol: symbol, address: address)
        } catch {
            _ = LLVMError.take(LLVMOrcResourceTrackerRemove(tracker))
            LLVMOrcReleaseResourceTracker(tracker)
            throw error
        }
    }

    /// Removes the code of `tracker` (from `JITCode.deinit`).
    fileprivate func remove(_ tracker: LLVMOrcResourceTrackerRef, symbol: String) {
        PhaseTimes.measure(\.free) { removeLocked(tracker, symbol: symbol) }
    }

    private func removeLocked(_ tracker: LLVMOrcResourceTrackerRef, symbol: String) {
        lock.lock()
        defer { lock.unlock() }
        if let e = LLVMError.take(LLVMOrcResourceTrackerRemove(tracker)) {
            FileHandle.standardError.write(Data("swiftjit: warning: could not free JIT code \(symbol): \(e.message)\n".utf8))
        }
        LLVMOrcReleaseResourceTracker(tracker)
        defined.remove(symbol)
        removalsSinceClear += 1
        if removalsSinceClear >= clearInterval {
            removalsSinceClear = 0
            clearings += 1
            LLVMOrcSymbolStringPoolClearDeadEntries(LLVMOrcExecutionSessionGetSymbolStringPool(LLVMOrcLLJITGetExecutionSession(ref)))
            // Compiling and freeing code churns the malloc heap (LLVM's modules, passes and link
            // graphs, our IR and keys): after warm-up the bytes in use stay flat, but the chunks
            // freed between long-lived ones stay resident, and glibc only gives back the top of
            // its arenas on its own. Resident memory then crept up by about 0.14 MB per 1,000
            // compiles (docs/reliability.md). malloc_trim returns those free pages (a few ms for
            // a heap of this size, once per `clearPoolEvery` removals).
            Self.releaseFreeHeap()
        }
    }

    /// Code removals between two clearings of ORC's symbol string pool (each followed by returning
    /// malloc's free memory to the system); at least 1.
    public var poolClearInterval: Int {
        get { lock.withLock { clearInterval } }
        set { lock.withLock { clearInterval = max(1, newValue) } }
    }

    /// Clearings of the string pool (and returns of free heap memory) since this JIT was made.
    public var poolClearings: Int { lock.withLock { clearings } }

    /// Returns memory malloc holds free to the system (glibc's malloc_trim; nothing elsewhere).
    public static func releaseFreeHeap() { _ = sj_release_free_heap() }

    /// Live `JITCode`s of this JIT.
    public var liveCodeCount: Int { lock.withLock { defined.count } }

    /// Adds a module (consuming it) and returns the address of `symbol`, compiling on the way.
    public func addAndLookup(_ module: Module, symbol: String) throws -> UnsafeRawPointer {
        lock.lock()
        defer { lock.unlock() }
        let tsm = LLVMOrcCreateNewThreadSafeModule(module.consume(), module.context.ref)
        let dylib = LLVMOrcLLJITGetMainJITDylib(ref)
        if let e = LLVMError.take(LLVMOrcLLJITAddLLVMIRModule(ref, dylib, tsm)) {
            LLVMOrcDisposeThreadSafeModule(tsm)
            throw e
        }
        return try lookup(symbol)
    }

    /// The address of `symbol` (the caller holds the lock).
    private func lookup(_ symbol: String) throws -> UnsafeRawPointer {
        var address: LLVMOrcExecutorAddress = 0
        if let e = LLVMError.take(LLVMOrcLLJITLookup(ref, &address, symbol)) { throw e }
        guard let p = UnsafeRawPointer(bitPattern: UInt(address)) else {
            throw LLVMError("symbol \(symbol) resolved to null")
        }
        return p
    }
}

/// Machine code in an `OrcJIT` under a resource tracker of its own: `address` is valid while this
/// object lives; its deinit removes the code from the JIT and frees its memory. Whoever calls the
/// code keeps a reference for the duration of the call.
public final class JITCode: @unchecked Sendable {
    /// The entry symbol's address.
    public let address: UnsafeRawPointer
    /// The entry symbol.
    public let symbol: String
    private let jit: OrcJIT
    private let tracker: LLVMOrcResourceTrackerRef

    fileprivate init(jit: OrcJIT, tracker: LLVMOrcResourceTrackerRef, symbol: String, address: UnsafeRawPointer) {
        self.jit = jit
        self.tracker = tracker
        self.symbol = symbol
        self.address = address
    }

    deinit { jit.remove(tracker, symbol: symbol) }
}
