// CodeSettings: everything besides the typed IR that decides an object's machine code, as one
// value. In: the lowering options, the target CPU and features, the versions of SwiftJIT, LLVM and
// the cache format. Out: the lines of the object key (Engine.objectKey), so a setting that changes
// the generated code cannot be left out of the key by one call site.
import JITLowering
import LLVMKit

/// The settings an object is compiled under; every field is part of its cache key.
public struct CodeSettings: Hashable, Sendable {
    /// The disk-cache file format.
    public var cacheFormat: UInt32
    /// SwiftJIT's code version (`Engine.version`, plus the executable's stamp in debug builds).
    public var swiftjit: String
    /// LLVM `major.minor`.
    public var llvm: String
    /// Target triple, CPU name and features (`+avx2,+fma,...`).
    public var triple: String
    public var cpu: String
    public var features: String
    /// Math mode, optimisation level, bounds checks, vector math and libmvec.
    public var lowering: LoweringOptions

    /// The settings of this process for `lowering` on `cpu` (default: the host).
    public init(lowering: LoweringOptions, cpu: String, features: String,
                swiftjit: String = Engine.version + Engine.buildStamp, llvm: String = Engine.llvmIdentity,
                triple: String? = nil, cacheFormat: UInt32 = DiskCache.formatVersion) {
        self.cacheFormat = cacheFormat
        self.swiftjit = swiftjit
        self.llvm = llvm
        // The engine has loaded LLVM before it asks for settings; "unknown" only without LLVM.
        self.triple = triple ?? ((try? Engine.triple) ?? "unknown")
        self.cpu = cpu
        self.features = features
        self.lowering = lowering
    }

    /// The key lines, one per setting, in a fixed order.
    public var keyText: String {
        """
        swiftjit-object \(cacheFormat)
        swiftjit \(swiftjit)
        llvm \(llvm)
        triple \(triple)
        cpu \(cpu)
        features \(features)
        math \(lowering.mathMode.rawValue)
        opt \(lowering.optimizationLevel)
        bounds-checks \(lowering.boundsChecks)
        vector-math \(lowering.vectorMath ? "on" : "off")
        libmvec \(lowering.libmvec ? "loaded" : "none")
        pipeline \(lowering.leanExpressions ? "lean" : "full")
        """
    }
}
