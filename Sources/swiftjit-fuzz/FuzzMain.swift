// swiftjit-fuzz: the libFuzzer entry point for every target in `FuzzTargets.all`, plus a plain
// replay driver.
//
// Built by scripts/fuzz with `swift build --sanitize=fuzzer -Xswiftc -DFUZZING --product
// swiftjit-fuzz`: libFuzzer supplies `main`, and `SWIFTJIT_FUZZ_TARGET` names the target.
// Built normally (swift build), `main` below replays files or folders through a target and
// prints each outcome: `swiftjit-fuzz expr crash-1234 corpus/`.
import Foundation
import JITFuzz

nonisolated(unsafe) private var selected: FuzzTarget?

private func target() -> FuzzTarget {
    if let t = selected { return t }
    let name = ProcessInfo.processInfo.environment["SWIFTJIT_FUZZ_TARGET"] ?? ""
    guard let t = FuzzTargets.named(name) else {
        let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write("SWIFTJIT_FUZZ_TARGET must name a target (\(names)); it is '\(name)'\n".data(using: .utf8)!)
        exit(2)
    }
    selected = t
    return t
}

/// libFuzzer's callback: runs one input through the selected target.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = target().run(bytes)
    return 0
}

#if !FUZZING
@main
struct ReplayDriver {
    static func main() {
        var args = Array(CommandLine.arguments.dropFirst())
        guard let name = args.first, let t = FuzzTargets.named(name) else {
            print("usage: swiftjit-fuzz TARGET FILE|FOLDER...   (libFuzzer build: see scripts/fuzz)")
            for t in FuzzTargets.all { print("  \(t.name): \(t.summary)") }
            exit(args.first == nil ? 0 : 2)
        }
        args.removeFirst()
        let fm = FileManager.default
        var files: [String] = []
        for path in args {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                let names = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).sorted()
                files += names.map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        var values = 0, diagnostics = 0
        for file in files {
            guard let data = fm.contents(atPath: file) else { continue }
            switch t.run([UInt8](data)) {
            case .value: values += 1
            case .diagnostic: diagnostics += 1
            case .skipped: print("\(file): longer than \(t.maxInputBytes) bytes, skipped")
            }
        }
        print("\(t.name): \(files.count) inputs, \(values) values, \(diagnostics) diagnostics")
    }
}
#endif
