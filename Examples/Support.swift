// Support for the examples: the seeded generator (TestData), the kernel language's generator, timing, comparisons and reporting.
import Dispatch
import Foundation
import SwiftJIT
import TestData

/// The examples' inputs come from the one seeded generator of tests and benchmarks.
typealias ExampleRandom = SeededRandom

/// The kernel language's generator (Sources/CJITSupport/kernel_support.c), in Swift:
/// splitmix64 seeding, xoshiro256**, random() in [0, 1) and polar Box-Muller normal(mu, sigma).
struct KernelGenerator {
    var s: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var spare: Double?

    init(seed: Int64) {
        var x = UInt64(bitPattern: seed)
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    mutating func next() -> UInt64 {
        let result = Self.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t; s.3 = Self.rotl(s.3, 45)
        return result
    }

    mutating func random() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func normal(_ mu: Double, _ sigma: Double) -> Double {
        if let z = spare { spare = nil; return mu + sigma * z }
        var u = 0.0, v = 0.0, q = 0.0
        repeat {
            u = 2 * random() - 1
            v = 2 * random() - 1
            q = u * u + v * v
        } while q >= 1 || q == 0
        let m = (-2 * Foundation.log(q) / q).squareRoot()
        spare = v * m
        return mu + sigma * u * m
    }
}

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func milliseconds(since start: UInt64) -> Double { Double(now() - start) / 1e6 }

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func linspace(_ a: Double, _ b: Double, _ n: Int) -> [Double] {
    (0..<n).map { n == 1 ? a : a + (b - a) * Double($0) / Double(n - 1) }
}

/// Largest |got - want| / max(|want|, floor), with NaN only matching NaN (else infinite error).
func maxRelativeError(_ got: [Double], _ want: [Double], floor: Double = 1e-300) -> Double {
    guard got.count == want.count else { return .infinity }
    var worst = 0.0
    for (g, w) in zip(got, want) {
        if w.isNaN || g.isNaN {
            if !(w.isNaN && g.isNaN) { return .infinity }
            continue
        }
        worst = max(worst, abs(g - w) / max(abs(w), floor))
    }
    return worst
}

/// A kernel loaded from Examples/<file>.sj and the time its first compilation took.
struct LoadedKernel {
    var kernel: Kernel
    /// Parsing plus compiling the declared signature, milliseconds.
    var compileMs: Double
    /// Whether LLVM compiled anything (false: the in-memory or disk cache already held this kernel).
    var compiled: Bool
}

/// The folder holding the kernel sources: $SWIFTJIT_EXAMPLES, else this source file's folder.
func examplesDirectory() -> URL {
    if let dir = ProcessInfo.processInfo.environment["SWIFTJIT_EXAMPLES"], !dir.isEmpty {
        return URL(fileURLWithPath: dir)
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
}

func kernelSource(_ file: String) throws -> String {
    let url = examplesDirectory().appendingPathComponent(file)
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
        throw JITError.file("cannot read kernel source '\(url.path)'")
    }
    return text
}

/// Parses `file` and compiles kernel `name` for its declared types (timed).
func loadKernel(_ file: String, _ name: String) throws -> LoadedKernel {
    let source = try kernelSource(file)
    let before = JIT.llvmCompilations
    let start = now()
    let module = try JIT.kernels(source, name: file, options: JIT.Options(boundsChecks: boundsChecks))
    let kernel = try module.kernel(name)
    try kernel.compileDeclared()
    return LoadedKernel(kernel: kernel, compileMs: milliseconds(since: start), compiled: JIT.llvmCompilations > before)
}
