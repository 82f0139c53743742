// `swiftjit cache list|info|verify|prune|clear`: look after the object cache (docs/cache.md).
import ArgumentParser
import Foundation
import SwiftJIT

struct Cache: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the object cache on disk.",
        discussion: "The cache is SWIFTJIT_CACHE_DIR, else $XDG_CACHE_HOME/swiftjit, else ~/.cache/swiftjit.",
        subcommands: [List.self, Info.self, Verify.self, Prune.self, Clear.self])

    /// The cache the environment names.
    static func current() throws -> DiskCache {
        guard let cache = DiskCache.fromEnvironment() else {
            throw UserError(message: "the object cache is off (SWIFTJIT_CACHE_DIR=off)")
        }
        return cache
    }

    /// The value of a `name value` line of a key.
    static func field(_ key: String, _ name: String) -> String? {
        key.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) }
    }

    /// `2026-12-04T18:06:41Z`: what ISO8601DateFormatter prints, without its start-up cost (about
    /// 2 ms in a fresh process, a fifth of `cache list`'s budget).
    static func utc(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the entries, least recently used first.")

        func run() throws {
            let cache = try Cache.current()
            for f in cache.files() {
                var what = "(fails verification: see swiftjit cache verify)"
                if let bytes = try? DiskCache.readTrusted(f.url), let entry = try? DiskCache.decode(bytes) {
                    what = ["kind", "cpu", "math", "label"].map { Cache.field(entry.key, $0) ?? "?" }.joined(separator: " ")
                    if Cache.field(entry.key, "kind") == "expression", let ir = entry.key.range(of: "\nir\n"),
                       let text = CacheEntryText.expression(fromIR: String(entry.key[ir.upperBound...])) {
                        what += "  " + CacheEntryText.shortened(text, to: 60)
                    }
                    if Cache.field(entry.key, "kind") == "kernel", let text = CacheEntryText.kernel(fromIR: entry.key) {
                        what += "  " + CacheEntryText.shortened(text, to: 60)
                    }
                }
                print("\(f.url.lastPathComponent.prefix(16))  \(String(format: "%8d", f.size))  \(Cache.utc(f.modified))  \(what)")
            }
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where the cache is, its size, and what keys this machine uses.",
            discussion: "Without --host, LLVM is not loaded: the llvm line names the library that would be used.")

        @Flag(help: "Also show the triple, CPU and features that enter keys (loads LLVM).")
        var host = false

        func run() throws {
            let cache = try Cache.current()
            let files = cache.files()
            print("directory       \(cache.directory.path)")
            print("entries         \(files.count)")
            print("size            \(Cache.megabytes(files.reduce(0) { $0 + $1.size })) of \(Cache.megabytes(cache.sizeLimit))")
            print("format          \(DiskCache.formatVersion)")
            print("swiftjit        \(Engine.version)")
            if host { try JIT.loadLLVM() }
            if let llvm = try? JIT.llvmLibrary() {
                print("llvm            \(llvm.version) (\(llvm.path)\(llvm.loaded ? "" : ", not loaded"))")
            } else {
                print("llvm            none usable (see swiftjit --version)")
            }
            guard host else { return }
            print("triple          \(try Engine.triple)")
            print("cpu             \(try Engine.shared.cpuName)")
            print("features        \(try Engine.shared.cpuFeatures)")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check every entry's format, checksum and key; exit 1 if any is bad.")

        @Flag(help: "Remove the bad entries.")
        var remove = false

        func run() throws {
            let cache = try Cache.current()
            let bad = cache.verify()
            for (url, reason) in bad {
                print("bad: \(url.lastPathComponent): \(reason)")
                if remove { try? FileManager.default.removeItem(at: url) }
            }
            print("\(cache.files().count + (remove ? bad.count : 0)) entries checked, \(bad.count) bad\(remove && !bad.isEmpty ? " (removed)" : "")")
            if !bad.isEmpty && !remove { throw ExitCode(1) }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove bad entries and temporary files older than an hour, then least recently used entries beyond the size cap.")

        @Option(help: ArgumentHelp("Keep at most this many megabytes (default: the cap, SWIFTJIT_CACHE_MAX_MB or 512).", valueName: "MB"))
        var maxSize: Int?

        func run() throws {
            let cache = try Cache.current()
            let bad = cache.verify()
            for (url, _) in bad { try? FileManager.default.removeItem(at: url) }
            let temporaries = cache.removeTemporaries(olderThan: 3600)
            let evicted = cache.evict(toAtMost: maxSize.map { $0 << 20 })
            print("removed \(bad.count) bad and \(evicted.count) least recently used entries, \(temporaries) temporary files; "
                  + "\(Cache.megabytes(cache.totalSize)) left")
        }
    }

    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every entry.")

        func run() throws {
            let n = try Cache.current().clear()
            print("removed \(n) files")
        }
    }
}
