// Which libLLVM this process uses, and loading it. In: a choice (`LLVMLibrary.select`, else the
// SWIFTJIT_LLVM environment variable, else the newest supported LLVM installed) and the files on
// this machine. Out: the library's path and version found without loading it (`locate`, cheap:
// a few stat calls), and the library loaded once, on first need, thread-safe (`load`), or one
// `LLVMError` saying what to install or set.
import CLLVM
import Foundation

/// Which LLVM to load: the newest supported one installed, a major version, or a path (an
/// installation prefix such as `/usr/lib/llvm-19`, a `lib` folder, or the library file itself).
public enum LLVMSelection: Sendable, Equatable, CustomStringConvertible {
    case newest
    case version(Int)
    case path(String)

    /// Reads `14`, `19`, `newest` or a path (anything with a `/`). Throws for anything else.
    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "newest" || t.isEmpty {
            self = .newest
        } else if t.contains("/") {
            self = .path(t)
        } else if let n = Int(t), n > 0 {
            self = .version(n)
        } else {
            throw LLVMError("'\(text)' does not name an LLVM: give a major version (\(LLVMLibrary.supportedText)), "
                            + "a path such as /usr/lib/llvm-19, or newest")
        }
    }

    public var description: String {
        switch self {
        case .newest: return "newest"
        case .version(let n): return "\(n)"
        case .path(let p): return p
        }
    }
}

/// A libLLVM on disk: where it is and which version it is.
public struct LLVMLibraryInfo: Sendable, Equatable {
    /// The file opened (as found; symbolic links not resolved).
    public let path: String
    /// Major version (from the file name before loading; from the library once loaded).
    public let major: Int
    /// Minor and patch version once loaded (LLVM 16+ reports them; 14 and 15 releases are all
    /// N.0.x, and their patch level is not reported: 0).
    public let minor: Int
    public let patch: Int
    /// Whether this process has loaded it.
    public let loaded: Bool
    /// Seconds `dlopen`, resolving the functions and initialising the native target took (0 before loading).
    public var loadSeconds: Double = 0

    /// `19.1.7` once loaded (`14.0` where the patch level is unknown), `19` before.
    public var version: String {
        guard loaded else { return "\(major)" }
        return patch > 0 || minor > 0 ? "\(major).\(minor).\(patch)" : "\(major).\(minor)"
    }
}

/// The libLLVM of this process: chosen once, loaded on first need, never unloaded.
public enum LLVMLibrary {
    /// The LLVM major versions SwiftJIT works with.
    public static let supported = Int(SJ_LLVM_OLDEST_SUPPORTED)...Int(SJ_LLVM_NEWEST_SUPPORTED)
    static var supportedText: String { "\(supported.lowerBound) to \(supported.upperBound)" }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var chosen: LLVMSelection?
    nonisolated(unsafe) private static var loadedInfo: LLVMLibraryInfo?

    /// Chooses the LLVM to load, over SWIFTJIT_LLVM. Call it before anything is compiled: once a
    /// library is loaded it cannot change, and choosing another then throws.
    public static func select(_ selection: LLVMSelection) throws {
        try lock.withLock {
            if let loadedInfo {
                func real(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().path }
                let same = (try? locate(selection)).map { real($0.path) } == real(loadedInfo.path)
                if !same {
                    throw LLVMError("LLVM \(loadedInfo.version) (\(loadedInfo.path)) is already loaded in this process; "
                                    + "choose the LLVM before the first compilation")
                }
            }
            chosen = selection
        }
    }

    /// The choice in force: `select`'s, else SWIFTJIT_LLVM's, else newest. Throws when
    /// SWIFTJIT_LLVM is not a version or path.
    public static func selection() throws -> LLVMSelection {
        if let chosen = lock.withLock({ chosen }) { return chosen }
        guard let env = ProcessInfo.processInfo.environment["SWIFTJIT_LLVM"], !env.isEmpty else { return .newest }
        do { return try LLVMSelection(parsing: env) } catch let e as LLVMError {
            throw LLVMError("SWIFTJIT_LLVM=\(env): \(e.message)")
        }
    }

    /// The library loaded in this process, or nil.
    public static var loaded: LLVMLibraryInfo? { lock.withLock { loadedInfo } }

    /// The library in use, or the one `load` would load, found without loading it.
    public static func current() throws -> LLVMLibraryInfo {
        if let loaded { return loaded }
        return try locate(try selection())
    }

    /// Loads the chosen library (once; later calls return at once) and initialises the native
    /// target. Throws an `LLVMError` naming what to install or set when there is none.
    @discardableResult
    public static func load() throws -> LLVMLibraryInfo {
        if let loadedInfo = lock.withLock({ loadedInfo }) { return loadedInfo }
        let selection = try selection()
        return try lock.withLock {
            if let loadedInfo { return loadedInfo }
            let found = try locate(selection)
            var message = [CChar](repeating: 0, count: 1024)
            let start = DispatchTime.now().uptimeNanoseconds
            if sj_llvm_open(found.path, UInt32(found.major), &message, message.count) != 0 {
                let why = String(cString: message)
                throw LLVMError("cannot load \(found.path): \(why)\n" + installAdvice(found.major))
            }
            var major: UInt32 = 0, minor: UInt32 = 0, patch: UInt32 = 0
            sj_llvm_version(&major, &minor, &patch)
            let info = LLVMLibraryInfo(path: found.path, major: Int(major), minor: Int(minor), patch: Int(patch),
                                       loaded: true,
                                       loadSeconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            loadedInfo = info
            return info
        }
    }

    // MARK: Finding libraries

    /// The library `selection` names, or an error saying what to install or set. `folders` gives
    /// the folders to look in for each major version (tests pass their own).
    public static func locate(_ selection: LLVMSelection) throws -> LLVMLibraryInfo {
        try locate(selection, folders: searchFolders)
    }

    static func locate(_ selection: LLVMSelection, folders: (Int) -> [String]) throws -> LLVMLibraryInfo {
        func candidates(major n: Int) -> [String] { LLVMLibrary.candidates(major: n, folders: folders) }
        func installedNote() -> String { LLVMLibrary.installedNote(folders: folders) }
        switch selection {
        case .newest:
            for n in supported.reversed() {
                if let path = candidates(major: n).first(where: exists) { return info(path, n) }
            }
            var message = "SwiftJIT needs LLVM \(supportedText) (the shared library libLLVM) and found none"
            let other = (8...40).filter { !supported.contains($0) && candidates(major: $0).contains(where: exists) }
            if !other.isEmpty {
                message += " (installed: LLVM \(other.map(String.init).joined(separator: ", ")), not supported)"
            }
            throw LLVMError(message + ".\n" + installAdvice(supported.upperBound))
        case .version(let n):
            guard supported.contains(n) else {
                throw LLVMError("LLVM \(n) is not supported: SwiftJIT works with LLVM \(supportedText)"
                                + installedNote())
            }
            guard let path = candidates(major: n).first(where: exists) else {
                throw LLVMError("LLVM \(n) is not installed (no \(libraryNames(major: n).joined(separator: " or ")) in "
                                + "\(folders(n).joined(separator: ", ")))" + installedNote() + ".\n"
                                + installAdvice(n))
            }
            return info(path, n)
        case .path(let given):
            guard let path = libraryFile(at: given) else {
                throw LLVMError("no libLLVM at \(given) (looked for the file itself, \(given)/lib/libLLVM*.so* and "
                                + "\(given)/libLLVM*.so*)" + installedNote())
            }
            guard let n = majorVersion(ofFile: path) ?? majorVersion(ofPrefix: given) else {
                throw LLVMError("cannot tell which LLVM version \(path) is: name a versioned file such as libLLVM-14.so.1")
            }
            guard supported.contains(n) else {
                throw LLVMError("\(path) is LLVM \(n): SwiftJIT works with LLVM \(supportedText)")
            }
            return info(path, n)
        }
    }

    /// Major versions with a library found (supported or not), newest first.
    public static func installedVersions() -> [Int] { installedVersions(folders: searchFolders) }

    static func installedVersions(folders: (Int) -> [String]) -> [Int] {
        (8...40).reversed().filter { candidates(major: $0, folders: folders).contains(where: exists) }
    }

    private static func info(_ path: String, _ major: Int) -> LLVMLibraryInfo {
        LLVMLibraryInfo(path: path, major: major, minor: 0, patch: 0, loaded: false)
    }

    private static func installedNote(folders: (Int) -> [String]) -> String {
        let installed = installedVersions(folders: folders).filter { supported.contains($0) }
        return installed.isEmpty ? "" : "; installed: \(installed.map(String.init).joined(separator: ", "))"
    }

    /// What to install, for a message.
    static func installAdvice(_ major: Int) -> String {
        #if os(macOS)
        return "Install it with `brew install llvm@\(major)`, or set SWIFTJIT_LLVM to an LLVM prefix."
        #else
        return "Install it with `apt-get install libllvm\(major)` (the library is enough; llvm-\(major)-dev has it too), "
            + "or set SWIFTJIT_LLVM to another version (\(supportedText)) or to an LLVM prefix."
        #endif
    }

    /// File names of libLLVM N: `libLLVM.so.N.1` (LLVM 18+), `libLLVM-N.so.1` and `libLLVM-N.so`.
    static func libraryNames(major n: Int) -> [String] {
        #if os(macOS)
        return ["libLLVM.dylib", "libLLVM-\(n).dylib"]
        #else
        return ["libLLVM.so.\(n).1", "libLLVM-\(n).so.1", "libLLVM-\(n).so", "libLLVM.so.\(n)"]
        #endif
    }

    /// Where libLLVM N is looked for: LD_LIBRARY_PATH, LLVM's own prefix, the system folders.
    static func searchFolders(_ n: Int) -> [String] {
        var folders = (ProcessInfo.processInfo.environment["LD_LIBRARY_PATH"] ?? "")
            .split(separator: ":").map(String.init).filter { !$0.isEmpty }
        #if os(macOS)
        folders += ["/opt/homebrew/opt/llvm@\(n)/lib", "/usr/local/opt/llvm@\(n)/lib"]
        #else
        folders.append("/usr/lib/llvm-\(n)/lib")
        #if arch(x86_64)
        folders.append("/usr/lib/x86_64-linux-gnu")
        #elseif arch(arm64)
        folders.append("/usr/lib/aarch64-linux-gnu")
        #endif
        folders += ["/usr/lib64", "/usr/lib", "/usr/local/lib"]
        #endif
        return folders
    }

    static func candidates(major n: Int, folders: (Int) -> [String]) -> [String] {
        folders(n).flatMap { folder in libraryNames(major: n).map { folder + "/" + $0 } }
    }

    private static func exists(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// The library file `given` names: itself, or a libLLVM in it or in its `lib` folder.
    static func libraryFile(at given: String) -> String? {
        if exists(given) { return given }
        for folder in [given + "/lib", given] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            let libraries = names.filter { $0.hasPrefix("libLLVM") && ($0.contains(".so") || $0.hasSuffix(".dylib")) }
                .filter { name in name.dropFirst(7).first.map { $0 == "." || $0 == "-" } ?? false }
                .sorted { (majorVersion(ofFile: $0) ?? 0, $1.count) > (majorVersion(ofFile: $1) ?? 0, $0.count) }
            if let best = libraries.first { return folder + "/" + best }
        }
        return nil
    }

    /// The major version a library's file name (or, through links, its real file's name) says:
    /// `libLLVM-14.so`, `libLLVM.so.19.1`, `libLLVM-14.0.6.so`.
    static func majorVersion(ofFile path: String) -> Int? {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().lastPathComponent
        for name in [URL(fileURLWithPath: path).lastPathComponent, real] {
            for prefix in ["libLLVM-", "libLLVM.so."] where name.hasPrefix(prefix) {
                if let n = Int(name.dropFirst(prefix.count).prefix { $0.isNumber }) { return n }
            }
        }
        return nil
    }

    /// The major version of an installation prefix from its `llvm-N` (Debian) or `llvm@N`
    /// (Homebrew) folder name.
    static func majorVersion(ofPrefix prefix: String) -> Int? {
        for part in prefix.split(separator: "/").reversed() where part.hasPrefix("llvm-") || part.hasPrefix("llvm@") {
            if let n = Int(part.dropFirst(5)) { return n }
        }
        return nil
    }
}
