// Fuzz targets: each is one total function from bytes to an outcome (a value or a diagnostic).
// libFuzzer (through the `swiftjit-fuzz` executable), the regression tests and `scripts/fuzz`
// all go through `FuzzTargets.all`, so adding a target (the disk-cache reader, for one) is one
// more row: a name, an input cap and a closure `([UInt8]) -> FuzzOutcome`.
//
// A target must never trap, hang or allocate without bound on any input: a trap is a finding.
// Inputs longer than `maxInputBytes` are rejected up front (the harness also passes -max_len).

import JITSema

/// What one fuzz input ended in.
public enum FuzzOutcome: Equatable, Sendable {
    /// The input was accepted (parsed, type-checked, read).
    case value
    /// The input was refused with a user-facing error (its rendered text).
    case diagnostic(String)
    /// The input was longer than the target's cap and was not run.
    case skipped
}

/// One fuzz target.
public struct FuzzTarget: Sendable {
    /// Short name used on the command line (`scripts/fuzz expr`).
    public let name: String
    /// Longest input the target runs.
    public let maxInputBytes: Int
    /// One-line description for `scripts/fuzz --list`.
    public let summary: String
    let body: @Sendable ([UInt8]) -> FuzzOutcome

    public init(name: String, maxInputBytes: Int, summary: String,
                body: @escaping @Sendable ([UInt8]) -> FuzzOutcome) {
        self.name = name
        self.maxInputBytes = maxInputBytes
        self.summary = summary
        self.body = body
    }

    /// Runs one input.
    public func run(_ bytes: [UInt8]) -> FuzzOutcome {
        Pipeline.alwaysVerify = true  // a malformed IR is a finding, in release builds too
        return bytes.count > maxInputBytes ? .skipped : body(bytes)
    }
}

/// Every fuzz target.
public enum FuzzTargets {
    public static let all: [FuzzTarget] = [
        FuzzTarget(name: "expr", maxInputBytes: 4096,
                   summary: "expression parser, reduction lifting, type specialization and IR passes (no LLVM)",
                   body: ExpressionFuzz.run),
        FuzzTarget(name: "kernel", maxInputBytes: 8192,
                   summary: "kernel parser and kernel checker for fixed signatures (no LLVM)",
                   body: KernelFuzz.run),
        FuzzTarget(name: "npy", maxInputBytes: 1 << 20,
                   summary: ".npy reader; accepted arrays are written back and read again",
                   body: NPYFuzz.run),
        FuzzTarget(name: "cache", maxInputBytes: 1 << 16,
                   summary: "disk-cache entry reader (magic, version, lengths, checksum, key) before any object is loaded",
                   body: CacheFuzz.run),
        FuzzTarget(name: "options", maxInputBytes: 1024,
                   summary: "CPU names, feature strings, math modes and types from the CLI and API, checked, then compiled by LLVM",
                   body: OptionsFuzz.run),
    ]

    /// The target called `name`.
    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// `.value` when `body` returns, `.diagnostic` with the error's text when it throws.
func outcome(_ body: () throws -> Void) -> FuzzOutcome {
    do {
        try body()
        return .value
    } catch {
        return .diagnostic(String(describing: error))
    }
}
