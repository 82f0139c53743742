import Foundation
import XCTest

/// Compares `text` with `Snapshots/<name>.txt` beside this file; `RECORD_SNAPSHOTS=1` rewrites it.
func assertSnapshot(_ text: String, named name: String, file: StaticString = #filePath, line: UInt = #line) {
    let dir = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().appendingPathComponent("Snapshots")
    let url = dir.appendingPathComponent(name + ".txt")
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? text.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let stored = try? String(contentsOf: url, encoding: .utf8) else {
        XCTFail("missing snapshot \(name).txt; run with RECORD_SNAPSHOTS=1 to record it\n\(text)", file: file, line: line)
        return
    }
    XCTAssertEqual(text, stored, "snapshot \(name) differs (RECORD_SNAPSHOTS=1 re-records)", file: file, line: line)
}
