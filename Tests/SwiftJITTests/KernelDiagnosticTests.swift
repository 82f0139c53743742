import SwiftJIT
import XCTest

/// Programs that must fail: one per kind of compile error, each with its exact rendered
/// diagnostic in Cases/kernel-errors/NAME.expected (RECORD_SNAPSHOTS=1 writes them next to the
/// sources in the source tree).
final class KernelDiagnosticTests: XCTestCase {
    func testEveryProgramFailsWithItsDiagnostic() throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Cases", withExtension: nil)).appendingPathComponent("kernel-errors")
        let sourceDir = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().appendingPathComponent("Cases/kernel-errors")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sj") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 14)
        for file in files {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            var rendered = "compiled without error"
            do {
                let module = try JIT.kernels(text, name: file)
                for name in module.kernelNames {
                    let k = try module.kernel(name)
                    if try k.compileDeclared() == nil { XCTFail("\(file): kernel \(name) is not fully typed") }
                }
            } catch {
                rendered = "\(error)"
            }
            let expectedURL = dir.appendingPathComponent(file.replacingOccurrences(of: ".sj", with: ".expected"))
            if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
                try rendered.write(to: sourceDir.appendingPathComponent(expectedURL.lastPathComponent), atomically: true, encoding: .utf8)
                continue
            }
            let expected = (try? String(contentsOf: expectedURL, encoding: .utf8)) ?? "(missing \(expectedURL.lastPathComponent))"
            XCTAssertEqual(rendered, expected, file)
        }
    }
}
