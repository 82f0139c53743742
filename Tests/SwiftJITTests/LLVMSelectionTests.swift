// Choosing and loading LLVM at run time: the selection syntax, finding libraries without loading
// them, the messages for a missing or unsupported LLVM, and (through the CLI, one fresh process per
// choice) that SWIFTJIT_LLVM and --llvm decide which LLVM compiles, that --version names it, and
// that commands which compile nothing never load it.
import Foundation
@testable import LLVMKit
import SwiftJIT
import XCTest

final class LLVMSelectionTests: XCTestCase {
    func testSelectionSyntax() throws {
        XCTAssertEqual(try LLVMSelection(parsing: "14"), .version(14))
        XCTAssertEqual(try LLVMSelection(parsing: " 19 "), .version(19))
        XCTAssertEqual(try LLVMSelection(parsing: "newest"), .newest)
        XCTAssertEqual(try LLVMSelection(parsing: "/usr/lib/llvm-19"), .path("/usr/lib/llvm-19"))
        XCTAssertThrowsError(try LLVMSelection(parsing: "llvm19")) { error in
            XCTAssertTrue("\(error)".contains("does not name an LLVM"), "\(error)")
        }
    }

    func testFindsEachInstalledVersionWithoutLoadingIt() throws {
        let installed = LLVMLibrary.installedVersions().filter { LLVMLibrary.supported.contains($0) }
        guard let newest = installed.first else { throw XCTSkip("no supported LLVM installed") }
        XCTAssertEqual(try LLVMLibrary.locate(.newest).major, newest)
        for n in installed {
            let info = try LLVMLibrary.locate(.version(n))
            XCTAssertEqual(info.major, n)
            XCTAssertFalse(info.loaded)
            XCTAssertTrue(info.path.contains("LLVM"), info.path)
            // The same library named by its prefix or by its file.
            XCTAssertEqual(try LLVMLibrary.locate(.path(info.path)).major, n)
            if FileManager.default.fileExists(atPath: "/usr/lib/llvm-\(n)/lib") {
                XCTAssertEqual(try LLVMLibrary.locate(.path("/usr/lib/llvm-\(n)")).major, n)
            }
        }
    }

    func testMissingAndUnsupportedVersionsAreOneClearMessage() {
        XCTAssertThrowsError(try LLVMLibrary.locate(.path("/nonexistent"))) { error in
            XCTAssertTrue("\(error)".contains("no libLLVM at /nonexistent"), "\(error)")
        }
        XCTAssertThrowsError(try LLVMLibrary.locate(.version(13))) { error in
            XCTAssertTrue("\(error)".contains("LLVM 13 is not supported: SwiftJIT works with LLVM 14 to 19"), "\(error)")
        }
        XCTAssertThrowsError(try LLVMLibrary.locate(.version(20))) { error in
            XCTAssertTrue("\(error)".contains("LLVM 20 is not supported"), "\(error)")
        }
        // A machine with no LLVM at all: the message says what to install.
        XCTAssertThrowsError(try LLVMLibrary.locate(.newest, folders: { _ in ["/nonexistent"] })) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("SwiftJIT needs LLVM 14 to 19 (the shared library libLLVM) and found none"), text)
            XCTAssertTrue(text.contains("apt-get install libllvm19"), text)
        }
        XCTAssertThrowsError(try LLVMLibrary.locate(.version(17), folders: { _ in ["/nonexistent"] })) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("LLVM 17 is not installed (no libLLVM.so.17.1 or libLLVM-17.so.1"), text)
            XCTAssertTrue(text.contains("apt-get install libllvm17"), text)
        }
    }

    /// In this process LLVM is loaded (other tests compile): choosing the same library again is
    /// fine, choosing another one throws.
    func testTheChoiceIsFixedOnceLoaded() throws {
        let loaded = try JIT.loadLLVM()
        XCTAssertTrue(loaded.loaded)
        XCTAssertTrue(LLVMLibrary.supported.contains(loaded.major))
        XCTAssertEqual(LLVM.versionMajor, loaded.major)
        XCTAssertEqual(try JIT.llvmLibrary(), loaded)
        try JIT.useLLVM(.path(loaded.path))
        let other = LLVMLibrary.installedVersions().first { LLVMLibrary.supported.contains($0) && $0 != loaded.major }
        if let other {
            XCTAssertThrowsError(try JIT.useLLVM(.version(other))) { error in
                XCTAssertTrue("\(error)".contains("is already loaded in this process"), "\(error)")
            }
        }
        XCTAssertThrowsError(try JIT.useLLVM(.path("/nonexistent"))) { error in
            XCTAssertTrue("\(error)".contains("no libLLVM at /nonexistent"), "\(error)")
        }
        // The loaded version decides the shim's choices.
        XCTAssertEqual(LLVM.hasInstructionFastMathFlags, loaded.major >= 18)
    }
}
