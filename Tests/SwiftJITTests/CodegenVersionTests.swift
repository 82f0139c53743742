import Foundation
import JITRuntime
import XCTest

/// Guards the object cache against stale code. A cache key holds the typed IR, the options, the
/// CPU, the LLVM version and `Engine.version`, but not the code that lowers IR to LLVM: a change
/// there must come with a new `Engine.version`, or processes would keep linking objects the old
/// lowering wrote. This test hashes every source that decides the generated code (JITLowering,
/// LLVMKit, the LLVM shim, the C runtime the code calls) and compares the hash with the one
/// recorded in Cases/codegen-version.txt for the current version.
final class CodegenVersionTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let record = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Cases/codegen-version.txt")
    static let folders = ["Sources/JITLowering", "Sources/LLVMKit", "Sources/CLLVM", "Sources/CJITSupport"]

    /// SHA-256 over the relative path and contents of every source file, in path order.
    static func sourcesHash() throws -> (hash: String, files: Int) {
        var paths: [String] = []
        for folder in folders {
            let base = root.appendingPathComponent(folder)
            guard let walk = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let relative as String in walk
            where [".swift", ".c", ".h", ".def", ".modulemap"].contains(where: { relative.hasSuffix($0) }) {
                paths.append(folder + "/" + relative)
            }
        }
        paths.sort()
        var bytes: [UInt8] = []
        for path in paths {
            bytes += Array(path.utf8) + [0]
            bytes += Array(try Data(contentsOf: root.appendingPathComponent(path))) + [0]
        }
        return (SHA256.hex(bytes), paths.count)
    }

    func testLoweringChangesComeWithANewEngineVersion() throws {
        guard FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("Sources/JITLowering").path) else {
            throw XCTSkip("sources not found beside the tests")
        }
        let (hash, files) = try Self.sourcesHash()
        let current = "version \(Engine.version)\nsources \(hash)\n"
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try current.write(to: Self.record, atomically: true, encoding: .utf8)
            return
        }
        let recorded = (try? String(contentsOf: Self.record, encoding: .utf8)) ?? ""
        XCTAssertGreaterThan(files, 20)
        if recorded == current { return }
        let recordedVersion = recorded.split(separator: "\n").first.map(String.init) ?? ""
        if recordedVersion == "version \(Engine.version)" {
            XCTFail("""
                The sources that generate code changed, but Engine.version is still \(Engine.version): \
                cached objects from the old code would be linked. Bump Engine.version (Sources/JITRuntime/Engine.swift), \
                then record with RECORD_SNAPSHOTS=1 swift test --filter CodegenVersionTests.
                """)
        } else {
            XCTFail("Engine.version is \(Engine.version) but Cases/codegen-version.txt records \(recordedVersion): record with RECORD_SNAPSHOTS=1 swift test --filter CodegenVersionTests.")
        }
    }
}
