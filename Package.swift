// swift-tools-version: 6.0
// SwiftJIT: numexpr-style expressions and typed kernels compiled to native code through LLVM.
//
// LLVM is found at package-load time: the newest /usr/lib/llvm-N that has the C API headers,
// unless SWIFTJIT_LLVM (a major version such as "14", or a prefix such as "/usr/lib/llvm-19")
// says otherwise. After switching versions, clean `.build` so no module cache keeps old headers.
import Foundation
import PackageDescription

func llvmPrefix() -> String {
    let fm = FileManager.default
    if let choice = ProcessInfo.processInfo.environment["SWIFTJIT_LLVM"], !choice.isEmpty {
        return choice.hasPrefix("/") ? choice : "/usr/lib/llvm-\(choice)"
    }
    for version in stride(from: 30, through: 11, by: -1) {
        let prefix = "/usr/lib/llvm-\(version)"
        if fm.fileExists(atPath: prefix + "/include/llvm-c/Core.h") { return prefix }
    }
    return "/usr/lib/llvm-14"
}

let llvm = llvmPrefix()
let llvmC: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-I\(llvm)/include"])]
let llvmLink: [LinkerSetting] = [.unsafeFlags(["-L\(llvm)/lib", "-Xlinker", "-rpath", "-Xlinker", "\(llvm)/lib"])]

let package = Package(
    name: "SwiftJIT",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SwiftJIT", targets: ["SwiftJIT"]),
        .executable(name: "swiftjit", targets: ["swiftjit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        // LLVM's C API as a module (module map + shim header that bridges LLVM versions).
        .systemLibrary(name: "CLLVM", path: "Sources/CLLVM"),
        // Thin Swift owners of LLVM handles; knows nothing of our language.
        .target(name: "LLVMKit", dependencies: ["CLLVM"], swiftSettings: llvmC, linkerSettings: llvmLink),
        // The thread's stack bounds and frame address, so deep nesting is a diagnostic on any stack.
        .target(name: "CStackSupport"),
        // Source text -> tokens -> AST with source ranges; diagnostics and their renderer.
        .target(name: "JITSyntax", dependencies: ["CStackSupport"]),
        // AST + argument signature -> typed IR; the builtin table; IR passes.
        .target(name: "JITSema", dependencies: ["JITSyntax"]),
        // Typed IR -> LLVM IR (math modes, fused vectorisable loops).
        .target(name: "JITLowering", dependencies: ["JITSema", "LLVMKit"], swiftSettings: llvmC),
        // C helpers that JITted code calls (complex functions with NumPy's semantics).
        .target(name: "CJITSupport", linkerSettings: [.linkedLibrary("m")]),
        // ORC JIT, the signature cache, arrays, .npy files.
        .target(name: "JITRuntime", dependencies: ["JITLowering", "LLVMKit", "JITSema", "CJITSupport"],
                swiftSettings: llvmC),
        // The public API: JIT.compile, JIT.evaluate, NDArray.
        .target(name: "SwiftJIT", dependencies: ["JITRuntime", "JITLowering", "JITSema", "JITSyntax",
                                                 .product(name: "ComplexModule", package: "swift-numerics")],
                swiftSettings: llvmC),
        // The REPL and the command line (the REPL's rand/normal/seed use CJITSupport's generator).
        .executableTarget(
            name: "swiftjit",
            dependencies: ["SwiftJIT", "CJITSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: llvmC),
        // The reference kernel workloads, checked against plain Swift (swift run -c release examples).
        .executableTarget(name: "examples", dependencies: ["SwiftJIT"], path: "Examples",
                          exclude: ["bumps.sj", "gaussians.sj", "loglik.sj", "lu.sj", "mandelbrot.sj",
                                    "metropolis.sj", "ragged_sum.sj", "trace.sj"],
                          swiftSettings: llvmC),
        // Fuzz targets (parsers, checkers, .npy reader) as total functions; see scripts/fuzz.
        .target(name: "JITFuzz", dependencies: ["JITSyntax", "JITSema", "JITRuntime"], swiftSettings: llvmC),
        // libFuzzer entry point (built with --sanitize=fuzzer -DFUZZING) or a replay driver.
        .executableTarget(name: "swiftjit-fuzz", dependencies: ["JITFuzz"], swiftSettings: llvmC),
        .testTarget(name: "JITSyntaxTests", dependencies: ["JITSyntax"]),
        // The snapshots are read through #filePath (so RECORD_SNAPSHOTS=1 can rewrite them), not as resources.
        .testTarget(name: "JITSemaTests", dependencies: ["JITSema", "JITSyntax"], exclude: ["Snapshots"]),
        .testTarget(
            name: "SwiftJITTests", dependencies: ["SwiftJIT", "JITRuntime", "JITSema", "JITLowering", "JITFuzz",
                                                  .product(name: "ComplexModule", package: "swift-numerics")],
            resources: [.copy("Cases")], swiftSettings: llvmC),
    ]
)
