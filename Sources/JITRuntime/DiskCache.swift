// DiskCache: compiled object files on disk, behind Engine's in-memory cache (docs/cache.md).
//
// One file per entry, named by the SHA-256 of its key text. A file is
//
//     "SJOBJECT"  magic, 8 bytes
//     u32 LE      format version
//     u32 LE      key length K
//     u64 LE      object length N
//     32 bytes    SHA-256 of (key bytes + object bytes)
//     K bytes     the key text (UTF-8)
//     N bytes     the object file
//
// Before an object is handed to the JIT every field is checked: magic, version, lengths against
// the file size, the checksum, and the stored key against the one asked for (so a hash
// collision or a renamed file is never run). A file that fails is reported once per process and
// the entry is rebuilt. Writes go to a temporary file in the same folder, then `rename`, so a
// reader sees a whole old file or a whole new one, whatever other processes do. Hits touch the
// file's modification time. The size cap is kept without a scan per store: the folder's running
// total lives in a small index file (`.index`, updated under `flock` by every process that stores),
// and only a store that takes the total over the cap sweeps the folder, removing the least recently
// used files down to 90 % of the cap (DiskCacheIndex.swift).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A folder of compiled objects keyed by text.
public final class DiskCache: @unchecked Sendable {
    /// The first bytes of every cache file.
    public static let magic = Array("SJOBJECT".utf8)
    /// The file format; a file of another version is stale.
    public static let formatVersion: UInt32 = 1
    /// Bytes before the key: magic, version, key length, object length, checksum.
    static let headerSize = 8 + 4 + 4 + 8 + 32
    /// File name extension of entries.
    public static let fileExtension = "sjo"
    /// The default size cap: 512 MiB.
    public static let defaultSizeLimit = 512 << 20

    /// The folder.
    public let directory: URL
    /// Total bytes of entries kept at most; beyond it the least recently used are removed.
    public let sizeLimit: Int
    let lock = NSLock()
    private var reported = Set<String>()
    /// Directory listings made so far by this instance (sweeps, `files()`, rebuilding the index):
    /// stores below the cap make none.
    public internal(set) var scans: Int {
        get { lock.withLock { scanCount } }
        set { lock.withLock { scanCount = newValue } }
    }
    var scanCount = 0
    /// Where warnings about bad files go (stderr by default).
    public var warn: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }

    public init(directory: URL, sizeLimit: Int = DiskCache.defaultSizeLimit) {
        self.directory = directory
        self.sizeLimit = max(0, sizeLimit)
    }

    /// The cache the environment asks for: `SWIFTJIT_CACHE_DIR` (empty or `off`: none), else
    /// `$XDG_CACHE_HOME/swiftjit`, else `~/.cache/swiftjit`; `SWIFTJIT_CACHE_MAX_MB` sets the cap.
    /// Inside an XCTest runner the default is none, so test suites never fill the user's cache
    /// nor depend on what is in it; they name a folder with `SWIFTJIT_CACHE_DIR`.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment,
                                       processName: String = ProcessInfo.processInfo.processName) -> DiskCache? {
        let limit = env["SWIFTJIT_CACHE_MAX_MB"].flatMap(Int.init).map { $0 << 20 } ?? defaultSizeLimit
        if let dir = env["SWIFTJIT_CACHE_DIR"] {
            if dir.isEmpty || dir == "off" { return nil }
            return DiskCache(directory: URL(fileURLWithPath: dir), sizeLimit: limit)
        }
        if processName.hasSuffix(".xctest") || processName.hasSuffix("PackageTests") { return nil }
        if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return DiskCache(directory: URL(fileURLWithPath: xdg).appendingPathComponent("swiftjit"), sizeLimit: limit)
        }
        guard let home = env["HOME"], !home.isEmpty else { return nil }
        return DiskCache(directory: URL(fileURLWithPath: home).appendingPathComponent(".cache/swiftjit"), sizeLimit: limit)
    }

    /// The file of the entry for `key`.
    public func url(forKey key: String) -> URL {
        directory.appendingPathComponent(SHA256.hex(Array(key.utf8)) + "." + Self.fileExtension)
    }

    // MARK: reading

    /// Why a file is not a valid entry.
    public enum Problem: Error, CustomStringConvertible, Equatable {
        case truncated, foreign, stale(UInt32), corrupt, otherKey, untrusted

        public var description: String {
            switch self {
            case .truncated: return "the file is truncated"
            case .foreign: return "not a SwiftJIT cache file (bad magic)"
            case .stale(let v): return "cache format \(v), this SwiftJIT reads \(DiskCache.formatVersion)"
            case .corrupt: return "checksum mismatch"
            case .otherKey: return "it holds another entry (key mismatch)"
            case .untrusted: return "owned by another user or writable by group or others; not trusted"
            }
        }
    }

    /// An entry's key and object, after every check passed.
    public struct Entry {
        public var key: String
        public var object: [UInt8]
    }

    /// Parses and verifies the bytes of a cache file.
    public static func decode(_ bytes: [UInt8]) throws -> Entry {
        guard bytes.count >= 8 else { throw Problem.truncated }
        guard Array(bytes[0..<8]) == magic else { throw Problem.foreign }
        guard bytes.count >= headerSize else { throw Problem.truncated }
        let version = UInt32(truncatingIfNeeded: readLE(bytes, 8, 4))
        guard version == formatVersion else { throw Problem.stale(version) }
        let keyLength = readLE(bytes, 12, 4), objectLength = readLE(bytes, 16, 8)
        // Each length alone is checked against the file before they are added, so the sum
        // cannot overflow (a fuzzed header with both lengths all ones used to trap here).
        let available = UInt64(bytes.count - headerSize)
        guard keyLength <= available, objectLength <= available, keyLength + objectLength <= available else {
            throw Problem.truncated
        }
        guard keyLength + objectLength == available else { throw Problem.corrupt }
        let keyEnd = headerSize + Int(keyLength)
        let key = Array(bytes[headerSize..<keyEnd]), object = Array(bytes[keyEnd...])
        guard SHA256.hash(key, object) == Array(bytes[24..<56]) else { throw Problem.corrupt }
        // Keys are written from Swift strings, so bytes that are not UTF-8 are not ours.
        guard let text = String(validating: key, as: UTF8.self) else { throw Problem.corrupt }
        return Entry(key: text, object: object)
    }

    /// The bytes of a cache file holding `object` under `key`.
    public static func encode(key: String, object: [UInt8]) -> [UInt8] {
        let keyBytes = Array(key.utf8)
        var out = magic
        appendLE(&out, UInt64(formatVersion), 4)
        appendLE(&out, UInt64(keyBytes.count), 4)
        appendLE(&out, UInt64(object.count), 8)
        out += SHA256.hash(keyBytes, object)
        out += keyBytes
        out += object
        return out
    }

    /// The verified object stored under `key`, or nil (no entry, or a bad file: reported once).
    public func load(key: String) -> [UInt8]? {
        let url = url(forKey: key)
        do {
            guard let bytes = try Self.readTrusted(url) else { return nil }
            let entry = try Self.decode(bytes)
            guard entry.key == key else { throw Problem.otherKey }
            touch(url)
            return entry.object
        } catch {
            report(url, error is POSIXError ? FileErrors.reason(error) : "\(error)")
            return nil
        }
    }

    /// The bytes of a file that only this user (or root) can have written: owned by the
    /// effective user or root, not writable by group or others. Owner and mode are taken from
    /// the open descriptor the bytes are read from, so the file cannot be swapped in between.
    /// nil when there is no file.
    public static func readTrusted(_ url: URL) throws -> [UInt8]? {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            // No file, or a cache folder that is not a folder (writing says so, once).
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard info.st_uid == geteuid() || info.st_uid == 0, info.st_mode & 0o022 == 0 else { throw Problem.untrusted }
        guard info.st_size <= maxFileSize else { throw Problem.corrupt }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        return Array(bytes.prefix(done))
    }

    /// Larger files are not read (no object of ours comes near it).
    static let maxFileSize = 1 << 30

    /// Reports a bad file on the warning channel, once per file per process.
    func report(_ url: URL, _ reason: String) {
        lock.lock()
        let first = reported.insert(url.path).inserted
        lock.unlock()
        if first { warn("swiftjit: warning: ignoring cache file \(url.path): \(reason); rebuilding it") }
    }

    private func touch(_ url: URL) {
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: url.path)
    }

    // MARK: writing

    /// Stores `object` under `key` (temporary file, then atomic rename), then keeps the size cap.
    /// Failures are reported as warnings: a cache that cannot be written only costs speed.
    public func store(key: String, object: [UInt8]) {
        let url = url(forKey: key)
        do {
            // Private to this user, whatever the umask (XDG's rule for cache folders).
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let temp = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
            let bytes = Self.encode(key: key, object: object)
            try Self.writeNew(temp, bytes)
            guard rename(temp.path, url.path) == 0 else {
                let code = errno
                try? FileManager.default.removeItem(at: temp)
                throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
            }
        } catch {
            lock.lock()
            let first = reported.insert(directory.path).inserted
            lock.unlock()
            if first { warn("swiftjit: warning: cannot write the object cache in '\(directory.path)': \(FileErrors.reason(error))") }
            return
        }
        if let total = addToTotal(Self.headerSize + key.utf8.count + object.count), total > sizeLimit { sweep() }
    }

    /// Creates `url` (it must not exist) with mode 0644 whatever the umask, and writes `bytes`.
    private static func writeNew(_ url: URL, _ bytes: [UInt8]) throws {
        func fail() -> POSIXError { POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail() }
        var ok = fchmod(fd, 0o644) == 0
        var done = 0
        while ok, done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0, errno == EINTR { continue }
            ok = n > 0
            done += max(0, n)
        }
        let error = fail()
        close(fd)
        if !ok {
            unlink(url.path)
            throw error
        }
    }

    // MARK: management

    /// One file in the folder.
    public struct FileInfo {
        public var url: URL
        public var size: Int
        public var modified: Date
    }

    /// Every entry file (not temporary files), least recently used first. One `readdir` pass
    /// and one `fstatat` per file (Foundation's URL resource values took quadratic time here:
    /// 45 s for 10,000 files); files that vanish meanwhile are skipped.
    public func files() -> [FileInfo] {
        scans += 1
        let suffix = "." + Self.fileExtension
        var result: [FileInfo] = []
        forEachFile { name, info in
            guard name.hasSuffix(suffix), !name.hasPrefix(".") else { return }
            let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
            result.append(FileInfo(url: directory.appendingPathComponent(name), size: Int(info.st_size), modified: modified))
        }
        return result.sorted { $0.modified < $1.modified }
    }

    /// Calls `body` with the name and status of every regular file in the folder.
    private func forEachFile(_ body: (String, stat) -> Void) {
        guard let dir = opendir(directory.path) else { return }
        defer { closedir(dir) }
        let fd = dirfd(dir)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            var info = stat()
            guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            body(name, info)
        }
    }

    /// Total bytes of entries.
    public var totalSize: Int { files().reduce(0) { $0 + $1.size } }

    /// Removes least recently used entries until the total is at most `limit` (the cap by
    /// default); returns the files removed. One sweep of the folder; files that another process
    /// removed meanwhile are skipped. Waits for a sweep of another process to finish first.
    @discardableResult
    public func evict(toAtMost limit: Int? = nil) -> [URL] {
        withSweepLock(wait: true) { sweepFolder(toAtMost: limit ?? sizeLimit) } ?? []
    }

    /// Checks every entry file; returns the bad ones with the reason.
    public func verify() -> [(URL, String)] {
        files().compactMap { f in
            do {
                guard let bytes = try Self.readTrusted(f.url) else { return (f.url, "unreadable") }
                let entry = try Self.decode(bytes)
                guard url(forKey: entry.key).lastPathComponent == f.url.lastPathComponent else { throw Problem.otherKey }
                return nil
            } catch {
                return (f.url, "\(error)")
            }
        }
    }

    /// Removes temporary files older than `age` seconds (left by writers that crashed before
    /// their rename); returns how many went.
    @discardableResult
    public func removeTemporaries(olderThan age: TimeInterval) -> Int {
        let limit = Date(timeIntervalSinceNow: -age).timeIntervalSince1970
        var count = 0
        forEachFile { name, info in
            guard name.hasSuffix(".tmp"), Double(info.st_mtim.tv_sec) < limit else { return }
            if unlink(directory.appendingPathComponent(name).path) == 0 { count += 1 }
        }
        return count
    }

    /// Removes every entry and leftover temporary file; returns how many files went.
    @discardableResult
    public func clear() -> Int {
        defer { resetTotal() }
        var count = 0
        forEachFile { name, _ in
            guard name.hasSuffix("." + Self.fileExtension) || name.hasSuffix(".tmp") else { return }
            if unlink(directory.appendingPathComponent(name).path) == 0 { count += 1 }
        }
        return count
    }

    static func readLE(_ bytes: [UInt8], _ at: Int, _ count: Int) -> UInt64 {
        (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << UInt64(8 * $1) }
    }

    static func appendLE(_ out: inout [UInt8], _ value: UInt64, _ count: Int) {
        for i in 0..<count { out.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * i))) }
    }
}
