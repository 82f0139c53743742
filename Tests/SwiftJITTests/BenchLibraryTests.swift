// SwiftJITBench and TestData: the kernel sources built into the benchmark library are Examples/*.sj
// as they are now, `swiftjit bench --json` runs a kernel workload away from the source tree, and
// the seeded generator gives the same numbers everywhere; the Python tools' two pin lists agree.
import Foundation
import SwiftJIT
import SwiftJITBench
import TestData
import XCTest

final class BenchLibraryTests: XCTestCase {
    func testWorkloadSourcesAreCurrent() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples")
        let names = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".sj") }
        XCTAssertFalse(names.isEmpty)
        XCTAssertEqual(Set(WorkloadSources.files.keys), Set(names), "run scripts/gen_workload_sources.py")
        for name in names {
            let text = try String(contentsOf: examples.appendingPathComponent(name), encoding: .utf8)
            XCTAssertEqual(WorkloadSources.files[name], text, "\(name) changed: run scripts/gen_workload_sources.py")
        }
    }

    func testBenchRunsAKernelWorkloadWithoutTheSourceTree() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("benchlib-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("w9.npy")
        let run = try SwiftJITProcess.run(["bench", "--json", "--workload", "W9", "--repeat", "2", "--out", out.path],
                                          in: dir, environment: ["SWIFTJIT_EXAMPLES": ""])
        XCTAssertEqual(run.status, 0, run.stderr)
        let reply = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(reply["ok"] as? Bool, true, run.stdout)
        XCTAssertEqual(reply["supported"] as? Bool, true, run.stdout)
        XCTAssertEqual((reply["times_ms"] as? [Double])?.count, 2, run.stdout)
        // The typed path times the kernel's final code, not its quick tier.
        XCTAssertEqual(reply["call"] as? String, "typed", run.stdout)
        XCTAssertEqual(reply["timed_tier"] as? String, "final", run.stdout)
        // W9: a = arange(10000) as 100 x 100; out = a + sum_i tanh(a[i, i]) (tanh(0) = 0, the rest are 1.0 in f64).
        let result = try NPY.read(path: out.path)
        XCTAssertEqual(result.shape, [100, 100])
        let t = (0..<100).map { Foundation.tanh(Double($0 * 101)) }.reduce(0, +)
        let values = result.doubles
        XCTAssertEqual(values[0], 0 + t, accuracy: 1e-9)
        XCTAssertEqual(values[9_999], 9_999 + t, accuracy: 1e-9)
    }

    /// scripts/pyproject.toml pins the Python tools' dependencies; scripts/bench installs
    /// scripts/requirements-bench.txt, which must list the same pins.
    func testScriptPinsAgree() throws {
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts")
        let project = try String(contentsOf: scripts.appendingPathComponent("pyproject.toml"), encoding: .utf8)
        guard let start = project.range(of: "dependencies = [\n"),
              let end = project.range(of: "\n]", range: start.upperBound..<project.endIndex) else {
            return XCTFail("no dependencies list in scripts/pyproject.toml")
        }
        let pinned = project[start.upperBound..<end.lowerBound].split(separator: "\n").compactMap { line -> String? in
            let item = line.trimmingCharacters(in: .whitespaces)
            guard item.hasPrefix("\"") else { return nil }
            return item.trimmingCharacters(in: CharacterSet(charactersIn: "\","))
        }
        let requirements = try String(contentsOf: scripts.appendingPathComponent("requirements-bench.txt"), encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        XCTAssertGreaterThan(pinned.count, 5)
        XCTAssertTrue(pinned.allSatisfy { $0.contains("==") }, "\(pinned)")
        XCTAssertEqual(Set(pinned), Set(requirements))
    }

    func testSeededRandomIsReproducible() {
        var a = SeededRandom(seed: 20240601), b = SeededRandom(seed: 20240601)
        let first = (0..<5).map { _ in a.next() }
        XCTAssertEqual(first, (0..<5).map { _ in b.next() })
        // xorshift64* from state 1: 1 ^ (1 << 25) ^ ((1 ^ 1 << 25) >> 27) = 0x2000001, times the multiplier.
        var one = SeededRandom(seed: 1)
        XCTAssertEqual(one.next(), UInt64(0x2000001) &* 0x2545_F491_4F6C_DD1D)
        var u = SeededRandom(seed: 7)
        for _ in 0..<1000 {
            let x = u.uniform(), k = u.integer(3, 5)
            XCTAssertTrue(x >= 0 && x < 1)
            XCTAssertTrue((3...5).contains(k))
        }
        XCTAssertEqual(SeededRandom(seed: 0).state, 0x9E37_79B9_7F4A_7C15)
    }
}
