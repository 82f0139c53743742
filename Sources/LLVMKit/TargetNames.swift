// TargetNames: checks a CPU name and a feature string before they reach LLVM, which prints "not a
// recognized processor" and later aborts the process on a name it does not know. In: the names a
// user gave; out: nothing, or an `LLVMError` naming the bad one, a suggestion and the valid names.
// Checked on x86-64 hosts against the tables of X86TargetNames for the LLVM version built
// against; the host's own CPU name is always accepted.
import CLLVM

public enum TargetNames {
    /// The x86-64 CPU names LLVM accepts for 64-bit code, sorted; nil on other hosts.
    public static var cpuNames: [String]? {
        guard LLVM.hostTriple.hasPrefix("x86_64") else { return nil }
        return (LLVM.versionMajor >= 19 ? X86TargetNames.cpus19 : X86TargetNames.cpus14).split(separator: " ").map(String.init)
    }

    /// The x86-64 feature names (without `+`/`-`), sorted; nil on other hosts.
    public static var featureNames: [String]? {
        guard LLVM.hostTriple.hasPrefix("x86_64") else { return nil }
        return (LLVM.versionMajor >= 19 ? X86TargetNames.features19 : X86TargetNames.features14).split(separator: " ").map(String.init)
    }

    /// Features that select another mode or drop 64-bit code: LLVM aborts with them.
    static let forbiddenFeatures: Set<String> = ["-64bit", "-64bit-mode", "+16bit-mode", "+32bit-mode"]

    /// Throws unless `cpu` (nil: the host's) and `features` (nil: the default) are safe to give
    /// LLVM. `closest` picks a "did you mean" among candidates.
    public static func validate(cpu: String?, features: String?,
                                closest: (String, [String]) -> String? = prefixMatch) throws {
        guard cpu != nil || features != nil else { return }
        // The host queries below need the library loaded (it loads lazily).
        try LLVM.initialize()
        if let cpu, cpu != LLVM.hostCPUName, let names = cpuNames, !names.contains(cpu) {
            let hint = closest(cpu, names).map { "did you mean '\($0)'? " } ?? ""
            throw LLVMError("unknown CPU '\(cpu)' for \(LLVM.hostTriple) (LLVM \(LLVM.versionMajor)); \(hint)valid names: \(names.joined(separator: " "))")
        }
        guard let features, !features.isEmpty, let names = featureNames else { return }
        for item in features.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard let sign = item.first, sign == "+" || sign == "-", item.count > 1 else {
                throw LLVMError("bad feature '\(item)' in '\(features)': write features as +name or -name, separated by commas (+avx2,-fma)")
            }
            let name = String(item.dropFirst())
            guard names.contains(name) else {
                let hint = closest(name, names).map { "did you mean '\(sign)\($0)'? " } ?? ""
                throw LLVMError("unknown CPU feature '\(name)' (LLVM \(LLVM.versionMajor)); \(hint)valid names: \(names.joined(separator: " "))")
            }
            if forbiddenFeatures.contains(item) {
                throw LLVMError("feature '\(item)' is not allowed: SwiftJIT generates 64-bit code")
            }
        }
    }

    /// A candidate that begins with `name` or that `name` begins with (the default suggestion).
    public static func prefixMatch(_ name: String, _ candidates: [String]) -> String? {
        guard !name.isEmpty else { return nil }
        return candidates.first { $0.hasPrefix(name) } ?? candidates.filter { name.hasPrefix($0) }.max { $0.count < $1.count }
    }
}
