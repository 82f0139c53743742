// The object cache across processes and ahead-of-time compilation, through the built `swiftjit`:
// a second process links its code from disk without LLVM's optimiser or code generator, bad files
// are reported and rebuilt, concurrent writers leave a valid cache, `swiftjit compile` fills the
// cache, and an exported kernel links into a C program built with the system compiler.
import Foundation
import XCTest
import JITRuntime

final class CacheCLITests: XCTestCase {
    typealias Run = SwiftJITProcess.Output

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let stats = ["SWIFTJIT_CACHE_STATS": "1"]

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cachetests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func run(_ arguments: [String], in directory: URL) throws -> Run {
        try SwiftJITProcess.run(arguments, in: directory, environment: Self.stats)
    }

    /// The counters the CLI prints with SWIFTJIT_CACHE_STATS=1.
    func counts(_ r: Run, file: StaticString = #filePath, line: UInt = #line) -> (compilations: Int, hits: Int)? {
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        guard let statLine = r.stderr.split(separator: "\n").last(where: { $0.contains("LLVM compilations") }) else {
            XCTFail("no statistics in \(r.stderr)", file: file, line: line)
            return nil
        }
        let numbers = statLine.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        return (numbers[0], numbers[1])
    }

    func cacheFiles(_ dir: URL) -> [URL] {
        DiskCache(directory: dir.appendingPathComponent(".swiftjit-cache")).files().map(\.url)
    }

    var mandelbrot: [String] {
        ["run", Self.repository.appendingPathComponent("Examples/mandelbrot.sj").path, "mandelbrot",
         "--arg", "cr=c.npy", "--arg", "ci=c.npy", "--arg", "maxit=50"]
    }

    func writeInputs(_ dir: URL) throws {
        try NPY.write(NDArray([0.5, -1.0, 2.0]), to: dir.appendingPathComponent("x.npy").path)
        try NPY.write(NDArray((0..<40).map { -2 + 4 * Double($0) / 39 }), to: dir.appendingPathComponent("c.npy").path)
    }

    func testSecondProcessLinksFromTheDiskCache() throws {
        let dir = try temporaryDirectory()
        try writeInputs(dir)
        for arguments in [["eval", "x*(1+x*(1+x))", "--var", "x=x.npy"], mandelbrot] {
            let first = try run(arguments, in: dir)
            XCTAssertEqual(counts(first)?.compilations, 1, first.stderr)
            let second = try run(arguments, in: dir)
            let c = counts(second)
            XCTAssertEqual(c?.compilations, 0, "no LLVM lowering, optimiser or code generator in the second process")
            XCTAssertEqual(c?.hits, 1)
            XCTAssertEqual(second.stdout, first.stdout)
            XCTAssertFalse(second.stderr.contains("warning"), second.stderr)
        }
        XCTAssertEqual(cacheFiles(dir).count, 2)
        // Off: nothing is read or written.
        let off = try SwiftJITProcess.run(["eval", "x*(1+x*(1+x))", "--var", "x=x.npy"], in: dir,
                                          environment: Self.stats.merging(["SWIFTJIT_CACHE_DIR": "off"]) { $1 })
        XCTAssertEqual(counts(off)?.compilations, 1)
    }

    func testCorruptTruncatedAndForeignFilesAreReportedAndRebuilt() throws {
        let dir = try temporaryDirectory()
        try writeInputs(dir)
        let expected = try run(mandelbrot, in: dir)
        let file = try XCTUnwrap(cacheFiles(dir).first)
        let good = try Data(contentsOf: file)
        var corrupt = good
        corrupt[good.count / 2] ^= 0x10
        for (name, bytes) in [("corrupt", corrupt), ("truncated", good.prefix(good.count / 3)),
                              ("foreign", Data("not an object at all".utf8)), ("empty", Data())] {
            try bytes.write(to: file)
            let r = try run(mandelbrot, in: dir)
            XCTAssertEqual(counts(r)?.compilations, 1, "\(name): rebuilt, never executed")
            XCTAssertEqual(r.stdout, expected.stdout, name)
            XCTAssertEqual(r.stderr.components(separatedBy: "warning: ignoring cache file").count, 2,
                           "\(name): reported once: \(r.stderr)")
            XCTAssertEqual(try Data(contentsOf: file), good, "\(name): the rebuilt entry is the same object")
        }
        let verify = try run(["cache", "verify"], in: dir)
        XCTAssertEqual(verify.status, 0, verify.stdout)
    }

    func testConcurrentProcessesFillingOneEntryLeaveAValidCache() throws {
        let dir = try temporaryDirectory()
        try writeInputs(dir)
        let started = try (0..<6).map { _ in try SwiftJITProcess.start(mandelbrot, in: dir, environment: Self.stats) }
        let outputs = try started.map { try $0.finish() }
        for r in outputs {
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout, outputs[0].stdout)
            XCTAssertFalse(r.stderr.contains("warning"), r.stderr)
        }
        // Besides the entry only the size index (and a sweep's lock file) may be there.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(".swiftjit-cache").path)
            .filter { $0 != ".index" && $0 != ".sweep" }
        XCTAssertEqual(names.count, 1, "one entry, no temporary files left: \(names)")
        let verify = try run(["cache", "verify"], in: dir)
        XCTAssertEqual(verify.status, 0, verify.stdout)
        XCTAssertEqual(counts(try run(mandelbrot, in: dir))?.hits, 1)
    }

    func testCompileWritesStreamingVariantsOnlyWhereCallsRunThem() throws {
        let dir = try temporaryDirectory()
        // A reduction stage and a one-element final stage never stream: one entry each.
        let reduction = try run(["compile", "--expr", "sum(x*2)", "--signature", "x: f64[]"], in: dir)
        XCTAssertEqual(counts(reduction)?.compilations, 2, reduction.stderr)
        // The final stage of x - mean(x) writes an array: plain and streaming.
        let centred = try run(["compile", "--expr", "x - mean(x)", "--signature", "x: f64[]"], in: dir)
        XCTAssertEqual(counts(centred)?.compilations, 3, centred.stderr)
        // With streaming stores off, no streaming variant at all.
        let off = try SwiftJITProcess.run(["compile", "--expr", "x*3 + 1", "--signature", "x: f64[]"], in: dir,
                                          environment: Self.stats.merging(["SWIFTJIT_STREAMING_STORES": "off"]) { $1 })
        XCTAssertEqual(counts(off)?.compilations, 1, off.stderr)
    }

    func testCompileFillsTheCacheAheadOfTime() throws {
        let dir = try temporaryDirectory()
        try writeInputs(dir)
        let compile = try run(["compile", "--expr", "x*(1+x*(1+x))", "--signature", "x: f64[]", "--signature", "f32[]"], in: dir)
        // Per signature the code every call runs and its streaming variant (non-temporal stores).
        XCTAssertEqual(counts(compile)?.compilations, 4)
        XCTAssertTrue(compile.stderr.contains("[1/2]") && compile.stderr.contains("[2/2]"), compile.stderr)
        let kernels = try run(["compile", Self.repository.appendingPathComponent("Examples/mandelbrot.sj").path], in: dir)
        XCTAssertEqual(counts(kernels)?.compilations, 1)
        // Another CPU: compiled into the cache, never used by this host.
        let other = try run(["compile", Self.repository.appendingPathComponent("Examples/mandelbrot.sj").path,
                             "mandelbrot", "--signature", "f64[], f64[], i64", "--cpu", "x86-64-v3"], in: dir)
        XCTAssertEqual(counts(other)?.compilations, 1)
        XCTAssertEqual(cacheFiles(dir).count, 6)
        let again = try run(["compile", "--expr", "x*(1+x*(1+x))", "--signature", "x: f64[]"], in: dir)
        XCTAssertEqual(counts(again)?.compilations, 0)
        XCTAssertTrue(again.stderr.contains("already cached"), again.stderr)

        for arguments in [["eval", "x*(1+x*(1+x))", "--var", "x=x.npy"], mandelbrot] {
            let r = try run(arguments, in: dir)
            XCTAssertEqual(counts(r)?.compilations, 0, "\(arguments[0]) found the precompiled entry")
            XCTAssertEqual(counts(r)?.hits, 1)
        }
        // A call that streams its output (every output does with a threshold of 8 bytes) finds the
        // streaming variant in the cache too: nothing compiled in a process started on it.
        let streamed = try SwiftJITProcess.run(["eval", "x*(1+x*(1+x))", "--var", "x=x.npy"], in: dir,
                                               environment: Self.stats.merging(["SWIFTJIT_STREAMING_STORES": "8"]) { $1 })
        XCTAssertEqual(counts(streamed)?.compilations, 0, streamed.stderr)
        XCTAssertEqual(counts(streamed)?.hits, 2, streamed.stderr)
        XCTAssertTrue(streamed.stdout.contains("0.875"), streamed.stdout)
        let list = try run(["cache", "list"], in: dir)
        XCTAssertTrue(list.stdout.contains("x86-64-v3") && list.stdout.contains("mandelbrot(cr: f64[]"), list.stdout)
        // Expression entries show their text (rebuilt from the key's typed IR; `$k0` is the
        // float constant passed at run time) after the signature.
        XCTAssertTrue(list.stdout.contains("func(x: f64[], $k0: f64) -> f64[]  x * ($k0 + x * ($k0 + x))\n"), list.stdout)
        // Kernel entries show their body, read back from the key's typed kernel IR and shortened.
        XCTAssertTrue(list.stdout.contains("i64[,]  let out = allocate i64[ci.shape[0], cr.shape[0]] zeros; par…\n"), list.stdout)
        let bad = try run(["compile", "--expr", "x + y", "--signature", "f64[]"], in: dir)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("takes 2 argument"), bad.stderr)
        let pruned = try run(["cache", "prune", "--max-size", "0"], in: dir)
        XCTAssertEqual(pruned.status, 0, pruned.stderr)
        XCTAssertEqual(cacheFiles(dir).count, 0)
    }

    /// An exported kernel and expression, linked into a C program with the system compiler and
    /// the runtime library of scripts/build-runtime; no Swift or LLVM at run time.
    func testExportedKernelLinksIntoACProgram() throws {
        let dir = try temporaryDirectory()
        guard let cc = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first(where: FileManager.default.isExecutableFile) else {
            throw XCTSkip("no C compiler")
        }
        let source = Self.repository.appendingPathComponent("Examples/mandelbrot.sj").path
        for arguments in [["compile", source, "mandelbrot", "--emit-object", "mandel.o", "--emit-header", "mandel.h"],
                          ["compile", "--expr", "x*(1+x*(1+x))", "--signature", "x: f64[]", "--name", "horner",
                           "--emit-object", "horner.o", "--emit-header", "horner.h"]] {
            let r = try run(arguments, in: dir)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        try """
            #include <stdio.h>
            #include <stdlib.h>
            #include "mandel.h"
            #include "horner.h"
            int main(void) {
                double x[4] = {0, 1, 2, -1}, y[4];
                horner(4, x, y);
                printf("%g %g %g %g\\n", y[0], y[1], y[2], y[3]);
                enum { N = 500 };
                double *c = malloc(N * sizeof *c);
                for (int i = 0; i < N; i++) c[i] = -2.0 + 4.0 * i / (N - 1);
                sj_use_threads(2); /* the runtime's POSIX-thread pool for parallel loops */
                sj_array it;
                if (mandelbrot(c, N, c, N, 50, &it) != 0) return 1;
                const int64_t *d = it.data;
                long long sum = 0;
                for (int64_t i = 0; i < it.shape[0]; i++)
                    for (int64_t j = 0; j < it.shape[1]; j++) sum += d[i * it.strides[0] + j * it.strides[1]];
                printf("%lld %lld %lld %lld\\n", (long long)it.shape[0], (long long)it.shape[1], sum, (long long)d[250 * N + 250]);
                free(it.owner);
                /* As if another computation's token were cancelled: every check in the kernel then
                   calls the runtime (sj_cancelled_preserving on x86-64, an assembly stub that must
                   keep the kernel's registers whichever compiler built the runtime). */
                sj_cancel_pending = 1;
                if (mandelbrot(c, N, c, N, 50, &it) != 0) return 1;
                sj_cancel_pending = 0;
                d = it.data;
                long long again = 0;
                for (int64_t i = 0; i < it.shape[0]; i++)
                    for (int64_t j = 0; j < it.shape[1]; j++) again += d[i * it.strides[0] + j * it.strides[1]];
                printf("%lld\\n", again);
                free(it.owner);
                free(c);
                return 0;
            }
            """.write(to: dir.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        let runtime = dir.appendingPathComponent("runtime")
        try shell(["/bin/bash", Self.repository.appendingPathComponent("scripts/build-runtime").path, runtime.path, cc], in: dir)
        try shell([cc, "-O2", "-Wall", "-Werror", "-I", runtime.appendingPathComponent("include").path, "main.c", "mandel.o",
                   "horner.o", "-L", runtime.path, "-lswiftjit_runtime", "-lm", "-pthread", "-o", "main"], in: dir)
        let output = try shell([dir.appendingPathComponent("main").path], in: dir)
        // Escape counts as NumPy computes them for the W8 grid (sum over 500 x 500, centre 50).
        XCTAssertEqual(output, "0 3 14 -1\n500 500 1673198 50\n1673198\n")
    }

    /// Complex math in an exported object calls the runtime's sj_c* helpers (sj_cexp, sj_csqrt):
    /// the standalone runtime must define them, not only hand them to the JIT.
    func testExportedComplexExpressionLinksIntoACProgram() throws {
        let dir = try temporaryDirectory()
        guard let cc = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first(where: FileManager.default.isExecutableFile) else {
            throw XCTSkip("no C compiler")
        }
        let r = try run(["compile", "--expr", "exp(z)*sqrt(z)", "--signature", "z: c128[]", "--name", "cx",
                         "--emit-object", "cx.o", "--emit-header", "cx.h"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        // Arguments named like the wrapper's own parameters and locals (n, out) get other names there.
        let p = try run(["compile", "--expr", "x**n + out", "--signature", "x: i64[], n: i64, out: i64", "--name", "ipow",
                         "--emit-object", "ipow.o", "--emit-header", "ipow.h"], in: dir)
        XCTAssertEqual(p.status, 0, p.stderr)
        try """
            #include <stdio.h>
            #include "cx.h"
            #include "ipow.h"
            int main(void) {
                sj_complex128 z[2] = {{1, 0}, {0, 1}}, o[2];
                cx(2, z, o);
                printf("%.6f %.6f %.6f %.6f\\n", o[0].re, o[0].im, o[1].re, o[1].im);
                int64_t x[3] = {2, 3, 4}, y[3];
                ipow(3, 3, 100, x, y); /* length, then n, out, x (sorted), then the output */
                printf("%lld %lld %lld\\n", (long long)y[0], (long long)y[1], (long long)y[2]);
                return 0;
            }
            """.write(to: dir.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        let runtime = dir.appendingPathComponent("runtime")
        try shell(["/bin/bash", Self.repository.appendingPathComponent("scripts/build-runtime").path, runtime.path, cc], in: dir)
        try shell([cc, "-O2", "-Wall", "-Werror", "-I", runtime.appendingPathComponent("include").path, "main.c", "cx.o", "ipow.o",
                   "-L", runtime.path, "-lswiftjit_runtime", "-lm", "-pthread", "-o", "main"], in: dir)
        let output = try shell([dir.appendingPathComponent("main").path], in: dir)
        // NumPy: np.exp(z) * np.sqrt(z) for z = [1, 1j]; then x**3 + 100.
        XCTAssertEqual(output, "2.718282 0.000000 -0.212958 0.977061\n108 127 164\n")
    }

    /// Runs a program; fails the test on a non-zero exit. Returns its standard output.
    @discardableResult
    func shell(_ arguments: [String], in dir: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: arguments[0])
        p.arguments = Array(arguments.dropFirst())
        p.currentDirectoryURL = dir
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "\(arguments.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))")
        return String(decoding: data, as: UTF8.self)
    }
}
