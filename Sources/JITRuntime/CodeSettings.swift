// CodeSettings: everything besides the typed IR that decides an object's machine code, as one
// value. In: a `CompileOptions` (its lowering options, target CPU and features, resolved for the
// host by `Engine.settings`), the versions of SwiftJIT, LLVM and the cache format. Out: the lines
// of the object key (Engine.objectKey), so a setting that changes the generated code cannot be
// left out of the key by one call site.
import JITLowering
import JITSema
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

    /// The key lines, one per setting, in a fixed order. The lowering options' lines are made
    /// from the fields of `LoweringOptions` as they are declared (`loweringLine`), so a field
    /// added there enters the key without anyone listing it here.
    public var keyText: String {
        var lines = [
            "swiftjit-object \(cacheFormat)",
            "swiftjit \(swiftjit)",
            "llvm \(llvm)",
            "triple \(triple)",
            "cpu \(cpu)",
            "features \(features)",
        ]
        for field in Mirror(reflecting: lowering).children {
            lines.append(Self.loweringLine(field.label ?? "?", field.value))
        }
        return lines.joined(separator: "\n")
    }

    /// The key line of one field of `LoweringOptions`: its documented name and wording
    /// (docs/cache.md), or `field value` for a field without one.
    static func loweringLine(_ field: String, _ value: Any) -> String {
        let on = value as? Bool ?? false
        switch field {
        case "mathMode": return "math \((value as? MathMode)?.rawValue ?? "\(value)")"
        case "optimizationLevel": return "opt \(value)"
        case "boundsChecks": return "bounds-checks \(value)"
        case "vectorMath": return "vector-math \(on ? "on" : "off")"
        case "libmvec": return "libmvec \(on ? "loaded" : "none")"
        case "leanExpressions": return "pipeline \(on ? "lean" : "full")"
        case "streamingOutput": return "output-stores \(on ? "streaming" : "plain")"
        default: return "\(field) \(value)"
        }
    }
}
