// TargetNames: checks a CPU name and a feature string before they reach LLVM, which prints "not a
// recognized processor" and later aborts the process on a name it does not know. In: the names a
// user gave; out: nothing, or an `LLVMError` naming the bad one, a suggestion and the valid names.
// Checked on x86-64 hosts against the tables of X86TargetNames for the LLVM version built
// against; the host's own CPU name is always accepted.
import CLLVM

public enum TargetNames {
    /// The x86-64 CPU names LLVM accepts for 64-bit code, sorted; nil on other hosts.
    /// LLVM versions between the tables (15 to 18) are checked against the union of both: it
    /// rejects misspellings and 32-bit-only CPUs without refusing a CPU added after LLVM 14; other
    /// versions (no table) are not checked.
    public static var cpuNames: [String]? {
        guard LLVM.hostTriple.hasPrefix("x86_64") else { return nil }
        let text: String
        switch LLVM.versionMajor {
        case 14: text = X86TargetNames.cpus14
        case 19: text = X86TargetNames.cpus19
        case 15...18: text = X86TargetNames.cpus14 + X86TargetNames.cpus19
        default: return nil
        }
        return Set(text.split(separator: " ").map(String.init)).sorted()
    }

    /// The x86-64 feature names (without `+`/`-`), sorted; nil on other hosts.
    /// nil also for an LLVM version without its own table (only 14 and 19 have one): feature
    /// names are then not checked (their spelling and the forbidden modes still are).
    public static var featureNames: [String]? {
        guard LLVM.hostTriple.hasPrefix("x86_64") else { return nil }
        switch LLVM.versionMajor {
        case 14: return X86TargetNames.features14.split(separator: " ").map(String.init)
        case 19: return X86TargetNames.features19.split(separator: " ").map(String.init)
        default: return nil
        }
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
        guard let features, !features.isEmpty else { return }
        let names = featureNames
        for item in features.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard let sign = item.first, sign == "+" || sign == "-", item.count > 1 else {
                throw LLVMError("bad feature '\(item)' in '\(features)': write features as +name or -name, separated by commas (+avx2,-fma)")
            }
            let name = String(item.dropFirst())
            if let names, !names.contains(name) {
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
