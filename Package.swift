// swift-tools-version: 6.0
// SwiftJIT: numexpr-style expressions and typed kernels compiled to native code through LLVM.
//
// No LLVM headers or libraries are needed to build: CLLVM declares the C API functions SwiftJIT
// uses and loads libLLVM with dlopen when something is first compiled (LLVM 14 to 19, the newest
// installed unless SWIFTJIT_LLVM, JIT.useLLVM or `swiftjit --llvm` chooses; docs/llvm.md). No
// target of a product has unsafe flags, so other packages can depend on SwiftJIT by version.
import PackageDescription

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
        // The LLVM C API functions SwiftJIT uses (LLVMFunctions.def), resolved with dlopen/dlsym
        // from the libLLVM chosen at run time, and helpers hiding LLVM 14/19 differences.
        .target(name: "CLLVM", exclude: ["include/LLVMFunctions.def"], linkerSettings: [.linkedLibrary("dl")]),
        // Thin Swift owners of LLVM handles and the choice and loading of libLLVM; knows nothing of our language.
        .target(name: "LLVMKit", dependencies: ["CLLVM"]),
        // The thread's stack bounds and frame address, so deep nesting is a diagnostic on any stack.
        .target(name: "CStackSupport"),
        // Source text -> tokens -> AST with source ranges; diagnostics and their renderer.
        .target(name: "JITSyntax", dependencies: ["CStackSupport"]),
        // AST + argument signature -> typed IR; the builtin table; IR passes.
        .target(name: "JITSema", dependencies: ["JITSyntax"]),
        // Typed IR -> LLVM IR (math modes, fused vectorisable loops).
        .target(name: "JITLowering", dependencies: ["JITSema", "LLVMKit"]),
        // C helpers that JITted code calls (complex functions with NumPy's semantics).
        .target(name: "CJITSupport", linkerSettings: [.linkedLibrary("m")]),
        // ORC JIT, the signature cache, arrays, .npy files.
        .target(name: "JITRuntime", dependencies: ["JITLowering", "LLVMKit", "JITSema", "CJITSupport"]),
        // The public API: JIT.compile, JIT.evaluate, NDArray.
        .target(name: "SwiftJIT", dependencies: ["JITRuntime", "JITLowering", "JITSema", "JITSyntax", "LLVMKit", "CJITSupport",
                                                 .product(name: "ComplexModule", package: "swift-numerics")]),
        // The one seeded generator (xorshift64*) of tests, benchmarks and examples.
        .target(name: "TestData"),
        // Benchmarks: the reference table, the scripts/bench harness (JSON, serve mode) and the overhead
        // timer; kernel sources built in (WorkloadSources.swift, generated from Examples/*.sj).
        .target(name: "SwiftJITBench", dependencies: ["SwiftJIT", "TestData"]),
        // The REPL and the command line (the REPL's rand/normal/seed use CJITSupport's generator).
        .executableTarget(
            name: "swiftjit",
            dependencies: ["SwiftJIT", "SwiftJITBench", "CJITSupport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // The reference kernel workloads, checked against plain Swift (swift run -c release examples).
        .executableTarget(name: "examples", dependencies: ["SwiftJIT", "TestData"], path: "Examples",
                          exclude: ["bumps.sj", "gaussians.sj", "loglik.sj", "lu.sj", "mandelbrot.sj",
                                    "metropolis.sj", "ragged_sum.sj", "trace.sj"]),
        // Allocating calls against out: calls over result sizes 4 KiB to 128 MiB (scripts/bench-alloc-sweep).
        .executableTarget(name: "alloc-sweep", dependencies: ["SwiftJIT"]),
        // Fuzz targets (parsers, checkers, .npy reader) as total functions; see scripts/fuzz.
        .target(name: "JITFuzz", dependencies: ["JITSyntax", "JITSema", "JITRuntime"]),
        // libFuzzer entry point (built with --sanitize=fuzzer -DFUZZING) or a replay driver.
        .executableTarget(name: "swiftjit-fuzz", dependencies: ["JITFuzz"]),
        .testTarget(name: "JITSyntaxTests", dependencies: ["JITSyntax"]),
        // The snapshots are read through #filePath (so RECORD_SNAPSHOTS=1 can rewrite them), not as resources.
        .testTarget(name: "JITSemaTests", dependencies: ["JITSema", "JITSyntax"], exclude: ["Snapshots"]),
        .testTarget(
            name: "SwiftJITTests", dependencies: ["SwiftJIT", "JITRuntime", "JITSema", "JITLowering", "JITFuzz",
                                                  "SwiftJITBench", "TestData",
                                                  .product(name: "ComplexModule", package: "swift-numerics")],
            resources: [.copy("Cases")]),
    ]
)
