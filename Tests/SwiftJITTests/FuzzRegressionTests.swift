import Foundation
import JITFuzz
import XCTest

/// Replays every input the fuzzers found (Cases/fuzz/TARGET/, see scripts/fuzz) and a sample of
/// the seed corpora through the fuzz targets: each must end in a value or a diagnostic.
final class FuzzRegressionTests: XCTestCase {
    func cases() throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Cases", withExtension: nil))
    }

    func testKeptFindingsEndInAValueOrADiagnostic() throws {
        let root = try cases().appendingPathComponent("fuzz")
        var replayed = 0
        for target in FuzzTargets.all {
            let dir = root.appendingPathComponent(target.name)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for name in files.sorted() where !name.hasPrefix(".") && name != "README.md" {
                let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent(name)))
                XCTAssertNotEqual(target.run(bytes), .skipped, "\(target.name)/\(name) is over the cap")
                replayed += 1
            }
        }
        XCTAssertGreaterThan(replayed, 0)
    }

    func testSeedsRunThroughTheParserTargets() throws {
        let expr = try XCTUnwrap(FuzzTargets.named("expr"))
        let text = try String(contentsOf: cases().appendingPathComponent("differential/composite.txt"), encoding: .utf8)
        var values = 0
        for line in text.split(separator: "\n") where line.hasPrefix("expr ") {
            if expr.run(Array(line.dropFirst(5).utf8)) == .value { values += 1 }
        }
        XCTAssertGreaterThan(values, 20)
        let kernel = try XCTUnwrap(FuzzTargets.named("kernel"))
        let dir = try cases().appendingPathComponent("kernel-errors")
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".sj") {
            let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent(name)))
            guard case .diagnostic = kernel.run(bytes) else { return XCTFail("\(name) must fail to check") }
        }
    }

    func testTargetsCapTheirInput() throws {
        for target in FuzzTargets.all {
            XCTAssertEqual(target.run([UInt8](repeating: 0x31, count: target.maxInputBytes + 1)), .skipped)
        }
    }
}
