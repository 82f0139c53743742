// The built `swiftjit` executable, run as a child process (CLITests, RunCommandTests).
import Foundation
import XCTest

enum SwiftJITProcess {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The built `swiftjit`: $SWIFTJIT_EXECUTABLE, else next to the test bundle (SwiftPM puts
    /// products and the .xctest in the same build directory).
    static func executable() throws -> URL {
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["SWIFTJIT_EXECUTABLE"], !env.isEmpty {
            candidates.append(URL(fileURLWithPath: env))
        }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
        candidates.append(testBinary.deletingLastPathComponent().appendingPathComponent("swiftjit"))
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("swiftjit"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("swiftjit"))
        // macOS: .../debug/SwiftJITPackageTests.xctest/Contents/MacOS/SwiftJITPackageTests
        candidates.append(testBinary.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("swiftjit"))
        for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return url
            }
        }
        throw XCTSkip("swiftjit executable not found; looked at \(candidates.map(\.path))")
    }

    /// Runs `swiftjit arguments` in `directory` and collects its exit status and output;
    /// standard input is read from `stdin` when given, and `environment` entries are added to
    /// (or, when empty, removed from) this process's environment. Unless it names one, the
    /// object cache is `directory/.swiftjit-cache`, so no test reads or fills the user's cache.
    static func run(_ arguments: [String], in directory: URL, stdin: URL? = nil,
                    environment: [String: String] = [:]) throws -> Output {
        let process = try start(arguments, in: directory, stdin: stdin, environment: environment)
        return try process.finish()
    }

    /// A started `swiftjit` whose output goes to files until `finish`.
    struct Running {
        let process: Process
        let outURL: URL, errURL: URL
        let out: FileHandle, err: FileHandle

        /// Waits for the exit and collects the output.
        func finish() throws -> Output {
            process.waitUntilExit()
            try out.close()
            try err.close()
            defer {
                try? FileManager.default.removeItem(at: outURL)
                try? FileManager.default.removeItem(at: errURL)
            }
            return Output(status: process.terminationStatus,
                          stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                          stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
        }
    }

    /// Starts `swiftjit arguments` in `directory` without waiting (see `run`).
    static func start(_ arguments: [String], in directory: URL, stdin: URL? = nil,
                      environment: [String: String] = [:]) throws -> Running {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let cache = ["SWIFTJIT_CACHE_DIR": directory.appendingPathComponent(".swiftjit-cache").path]
        process.environment = childEnvironment(cache.merging(environment) { $1 })
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: stdin) }
        let outURL = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
        let errURL = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return Running(process: process, outURL: outURL, errURL: errURL, out: out, err: err)
    }

    /// This process's environment with `changes` applied (an empty value removes the variable).
    ///
    /// Under `swift test --sanitize=address` the `swiftjit` child is instrumented too, and
    /// LeakSanitizer would end every process that compiled a kernel with status 1 and an
    /// unflushed stdout: it reports the constant remainder docs/reliability.md ("Leaks")
    /// explains. These tests check behaviour, so leak detection is off in children unless
    /// ASAN_OPTIONS is set; `scripts/leak-check` is where the CLI's leaks are measured.
    static func childEnvironment(_ changes: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if environment["ASAN_OPTIONS"] == nil { environment["ASAN_OPTIONS"] = "detect_leaks=0" }
        for (name, value) in changes { environment[name] = value.isEmpty ? nil : value }
        return environment
    }
}
