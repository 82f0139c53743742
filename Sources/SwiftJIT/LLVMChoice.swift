// Which LLVM SwiftJIT uses, from the public API. In: a choice (a major version, a path, newest).
// Out: the library that is or will be loaded, found without loading it. LLVM itself is loaded on
// the first compilation or disk-cache load (docs/llvm.md).
import Foundation
import JITRuntime
import LLVMKit

/// Which LLVM to load: `.newest` supported one installed, `.version(14)`, or `.path("/usr/lib/llvm-19")`.
public typealias LLVMSelection = LLVMKit.LLVMSelection
/// A libLLVM: its path and version, and whether it is loaded.
public typealias LLVMLibraryInfo = LLVMKit.LLVMLibraryInfo

extension JIT {
    /// SwiftJIT's version (also part of every object-cache key).
    public static var version: String { Engine.version }

    /// The LLVM major versions SwiftJIT works with (14 to 19).
    public static var supportedLLVMVersions: ClosedRange<Int> { LLVMLibrary.supported }

    /// Chooses the LLVM this process uses, over the `SWIFTJIT_LLVM` environment variable (which is
    /// read the same way: `14`, `19`, a prefix such as `/usr/lib/llvm-19`, or `newest`). Call it
    /// before the first compilation; it checks that the library exists (without loading it) and
    /// throws a `JITError.llvm` saying what to install when it does not, or when another LLVM is
    /// already loaded.
    public static func useLLVM(_ selection: LLVMSelection) throws {
        do {
            _ = try LLVMLibrary.locate(selection)
            try LLVMLibrary.select(selection)
        } catch let e as LLVMError { throw JITError.llvm(e.message) }
    }

    /// The LLVM in use, or the one the first compilation will load, found without loading it.
    /// Throws a `JITError.llvm` saying what to install or set when there is none.
    public static func llvmLibrary() throws -> LLVMLibraryInfo {
        do { return try LLVMLibrary.current() } catch let e as LLVMError { throw JITError.llvm(e.message) }
    }

    /// The LLVM this process has loaded (with the time loading took), or nil before the first compilation.
    public static var loadedLLVM: LLVMLibraryInfo? { LLVMLibrary.loaded }

    /// Loads the chosen LLVM now (it is otherwise loaded on the first compilation) and returns it.
    @discardableResult
    public static func loadLLVM() throws -> LLVMLibraryInfo {
        do { return try LLVMLibrary.load() } catch let e as LLVMError { throw JITError.llvm(e.message) }
    }
}
