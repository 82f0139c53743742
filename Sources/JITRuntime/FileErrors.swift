// File-system errors as one sentence naming the path and the reason ("cannot write
// '/tmp/x/y.o': not a directory"), instead of Foundation's `NSCocoaErrorDomain Code=512` dumps.
import Foundation

/// Sentences for file-system errors.
public enum FileErrors {
    /// The reason of a file-system error as a short lowercase phrase: the C library's text for
    /// its errno (`not a directory`, `permission denied`), else Foundation's description.
    public static func reason(_ error: Error) -> String {
        if let posix = error as? POSIXError { return text(errno: posix.code.rawValue) }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] {
            // A POSIX error under Foundation's (bridged differently on Linux and Darwin).
            if let posix = underlying as? POSIXError { return text(errno: posix.code.rawValue) }
            if let u = underlying as? Error, (u as NSError).domain == NSPOSIXErrorDomain {
                return text(errno: Int32((u as NSError).code))
            }
        }
        if ns.domain == NSPOSIXErrorDomain { return text(errno: Int32(ns.code)) }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file"
            case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
            case NSFileWriteOutOfSpaceError: return "no space left on device"
            case NSFileWriteVolumeReadOnlyError: return "read-only file system"
            default: break
            }
        }
        return ns.localizedDescription
    }

    /// The C library's message for `errno`, its first letter lowercased.
    public static func text(errno code: Int32) -> String {
        let message = String(cString: strerror(code))
        return message.prefix(1).lowercased() + message.dropFirst()
    }

    /// `cannot ACTION 'PATH': REASON`.
    public static func sentence(_ action: String, _ path: String, _ error: Error) -> String {
        "cannot \(action) '\(path)': \(reason(error))"
    }

    /// Writes `bytes` to `path`, throwing `JITError.file` with one sentence when it cannot.
    public static func write(_ bytes: Data, to path: String) throws {
        do { try bytes.write(to: URL(fileURLWithPath: path)) } catch {
            throw JITError.file(sentence("write", path, error))
        }
    }
}
