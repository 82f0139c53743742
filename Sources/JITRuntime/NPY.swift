// NumPy's .npy file format: reading versions 1.0, 2.0 and 3.0 and writing 1.0 (2.0 when the
// header does not fit), for the dtypes SwiftJIT has. Every input byte is distrusted: sizes are
// checked before slicing, the shape product is guarded against overflow, and every problem is a
// `JITError.file` naming the file and saying what is wrong.
//
// Layout (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
//   "\x93NUMPY" major minor  header-length (u16 LE for 1.x, u32 LE for 2.x/3.x)
//   header: a Python dict literal such as {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
//           padded with spaces and ended by '\n' so the data starts 64-byte aligned
//   data:   the elements, row-major unless fortran_order is True.
import Foundation
import JITSema

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing NumPy .npy files.
public enum NPY {
    /// Most elements a file may declare (2^40).
    public static let maxElements = 1 << 40

    /// The dtype spellings `read` accepts, for messages.
    public static let supportedDescriptors = ["<f8", "<f4", "<i8", "<i4", "<i2", "|i1", "<u8", "<u4", "<u2", "|u1", "|b1",
                                              "<c16", "<c8", ">f8", ">f4", ">i8", ">i4", ">i2", ">u8", ">u4", ">u2",
                                              ">c16", ">c8"]

    private static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    // MARK: reading

    /// Reads the .npy file at `path`.
    public static func read(path: String) throws -> NDArray {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw JITError.file("cannot read '\(path)': no such file")
        }
        if isDirectory.boolValue { throw JITError.file("cannot read '\(path)': it is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw JITError.file("cannot read '\(path)': \(reason(error))")
        }
        return try data.withUnsafeBytes { try parse($0, name: path) }
    }

    /// Reads .npy content from memory; `name` is used in messages.
    public static func read(bytes: [UInt8], name: String) throws -> NDArray {
        try bytes.withUnsafeBytes { try parse($0, name: name) }
    }

    private struct Header {
        var dtype: DType
        var descriptor: String
        var bigEndian: Bool
        var fortranOrder: Bool
        var shape: [Int]
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer, name: String) throws -> NDArray {
        func fail(_ message: String) -> JITError { .file("'\(name)' is not a valid .npy file: \(message)") }

        guard bytes.count >= 8 else {
            throw fail(bytes.isEmpty ? "the file is empty" : "too short (\(bytes.count) bytes; the magic string and version alone take 8)")
        }
        guard bytes.prefix(6).elementsEqual(magic) else {
            throw fail("wrong magic string (expected \\x93NUMPY, found \(describeMagic(bytes.prefix(6))))")
        }
        let major = bytes[6], minor = bytes[7]
        let lengthSize: Int
        switch (major, minor) {
        case (1, 0): lengthSize = 2
        case (2, 0), (3, 0): lengthSize = 4
        default: throw fail("unsupported format version \(major).\(minor) (supported: 1.0, 2.0, 3.0)")
        }
        guard bytes.count >= 8 + lengthSize else {
            throw fail("truncated header: expected at least \(8 + lengthSize) bytes, found \(bytes.count)")
        }
        var headerLength = 0
        for i in 0..<lengthSize { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let headerStart = 8 + lengthSize
        let dataStart = headerStart + headerLength
        guard bytes.count >= dataStart else {
            throw fail("truncated header: the header declares \(headerLength) bytes, but only \(bytes.count - headerStart) follow")
        }
        let headerBytes = Array(bytes[headerStart..<dataStart])
        // 1.0 and 2.0 headers are latin-1, 3.0 headers UTF-8; our keys and values are ASCII, so
        // parse bytes and let non-ASCII bytes fail the parse.
        let header = try parseHeader(headerBytes, fail: fail)

        // Element count with overflow and size guards. The nonzero extents are bounded too: with a
        // 0 extent the count is 0, but the strides are still products of the others (the fuzzer's
        // `(0, 2, 20, 555...5)` trapped computing them).
        var nonzero = 1
        for extent in header.shape {
            guard extent >= 0 else { throw fail("negative dimension in shape \(shapeText(header.shape))") }
            if extent == 0 { continue }
            let (product, overflow) = nonzero.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= maxElements else {
                let what = header.shape.contains(0) ? "its nonzero extents multiply to" : "it has"
                throw fail("shape \(shapeText(header.shape)) is too large (\(what) more than 2^40 elements)")
            }
            nonzero = product
        }
        let count = header.shape.contains(0) ? 0 : nonzero
        let itemSize = header.dtype.size
        let descriptorText = header.descriptor
        let byteCount = count * itemSize  // <= 2^43: no overflow
        let available = bytes.count - dataStart
        guard available >= byteCount else {
            throw fail("truncated data: expected \(byteCount) bytes for shape \(shapeText(header.shape)) of '\(descriptorText)', found \(available)")
        }
        // Trailing bytes beyond the data are ignored.

        let result = NDArray(zeros: header.dtype, shape: header.shape)
        let dst = result.baseAddress
        guard byteCount > 0, let base = bytes.baseAddress else { return result }
        let src = base + dataStart
        if header.fortranOrder && header.shape.count > 1 {
            copyFortranToRowMajor(from: src, to: dst, shape: header.shape, itemSize: itemSize)
        } else {
            dst.copyMemory(from: src, byteCount: byteCount)
        }
        if header.bigEndian && itemSize > 1 {
            // A complex element swaps each of its two parts.
            let complex = header.dtype.isComplex
            byteSwap(dst, count: complex ? 2 * count : count, itemSize: complex ? itemSize / 2 : itemSize)
        }
        if header.dtype == .bool {
            // NumPy bools are 0/1 bytes; make any other nonzero byte 1 as NumPy's casts would.
            let p = dst.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count where p[i] > 1 { p[i] = 1 }
        }
        return result
    }

    /// Copies column-major elements into row-major order.
    private static func copyFortranToRowMajor(from src: UnsafeRawPointer, to dst: UnsafeMutableRawPointer,
                                              shape: [Int], itemSize: Int) {
        let rank = shape.count
        // Column-major strides of the source, in elements.
        var fstrides = [Int](repeating: 1, count: rank)
        for d in 1..<rank { fstrides[d] = fstrides[d - 1] * shape[d - 1] }
        let count = shape.reduce(1, *)
        guard count > 0 else { return }
        var index = [Int](repeating: 0, count: rank)
        var srcOffset = 0
        let last = rank - 1
        let innerExtent = shape[last], innerStride = fstrides[last] * itemSize
        var flat = 0
        while flat < count {
            // The innermost (row-major) dimension: a strided gather.
            var s = srcOffset * itemSize
            var d = flat * itemSize
            for _ in 0..<innerExtent {
                (dst + d).copyMemory(from: src + s, byteCount: itemSize)
                s += innerStride
                d += itemSize
            }
            flat += innerExtent
            // Advance the outer dimensions like an odometer.
            var k = last - 1
            while k >= 0 {
                index[k] += 1
                srcOffset += fstrides[k]
                if index[k] < shape[k] { break }
                srcOffset -= fstrides[k] * shape[k]
                index[k] = 0
                k -= 1
            }
        }
    }

    private static func byteSwap(_ p: UnsafeMutableRawPointer, count: Int, itemSize: Int) {
        switch itemSize {
        case 2:
            for i in 0..<count {
                let v = (p + 2 * i).loadUnaligned(as: UInt16.self)
                (p + 2 * i).storeBytes(of: v.byteSwapped, as: UInt16.self)
            }
        case 4:
            for i in 0..<count {
                let v = (p + 4 * i).loadUnaligned(as: UInt32.self)
                (p + 4 * i).storeBytes(of: v.byteSwapped, as: UInt32.self)
            }
        case 8:
            for i in 0..<count {
                let v = (p + 8 * i).loadUnaligned(as: UInt64.self)
                (p + 8 * i).storeBytes(of: v.byteSwapped, as: UInt64.self)
            }
        default:
            break
        }
    }

    // MARK: header parsing

    private static func parseHeader(_ bytes: [UInt8], fail: (String) -> JITError) throws -> Header {
        var parser = LiteralParser(bytes)
        let literal: Literal
        do {
            literal = try parser.value()
            parser.skipSpace()
            if parser.i < bytes.count {
                throw LiteralParser.Failure(message: "unexpected text after the dictionary at offset \(parser.i)")
            }
        } catch let f as LiteralParser.Failure {
            throw fail("malformed header (\(f.message)): \(headerPreview(bytes))")
        }
        guard case .dict(let items) = literal else {
            throw fail("malformed header (not a dictionary): \(headerPreview(bytes))")
        }
        var descr: Literal?, fortran: Literal?, shape: Literal?
        for (key, value) in items {
            switch key {
            case "descr": descr = value
            case "fortran_order": fortran = value
            case "shape": shape = value
            default: break  // NumPy writes no other keys; tolerate them
            }
        }
        let missing = [("descr", descr), ("fortran_order", fortran), ("shape", shape)].filter { $0.1 == nil }.map { "'\($0.0)'" }
        if !missing.isEmpty {
            throw fail("malformed header (missing \(missing.joined(separator: ", "))): \(headerPreview(bytes))")
        }
        guard case .bool(let fortranOrder)? = fortran else {
            throw fail("malformed header ('fortran_order' must be True or False): \(headerPreview(bytes))")
        }
        guard case .tuple(let extents)? = shape else {
            throw fail("malformed header ('shape' must be a tuple of integers): \(headerPreview(bytes))")
        }
        var dims: [Int] = []
        for e in extents {
            guard case .int(let n) = e else {
                throw fail("malformed header ('shape' must be a tuple of integers): \(headerPreview(bytes))")
            }
            dims.append(n)
        }
        guard dims.count <= 64 else { throw fail("shape has \(dims.count) dimensions (at most 64 are supported)") }
        guard case .string(let d)? = descr else {
            throw fail("unsupported dtype (structured or non-string 'descr'); supported: \(supportedDescriptors.joined(separator: ", "))")
        }
        guard let (dtype, bigEndian) = decodeDescriptor(d) else {
            throw fail("unsupported dtype '\(d)'; supported: \(supportedDescriptors.joined(separator: ", "))")
        }
        return Header(dtype: dtype, descriptor: d, bigEndian: bigEndian, fortranOrder: fortranOrder, shape: dims)
    }

    /// `<f8` -> (float64, little-endian). Byte-order characters: `<` little, `>` big, `=` native,
    /// `|` not applicable (1-byte types), none = native.
    private static func decodeDescriptor(_ d: String) -> (DType, Bool)? {
        var s = Substring(d)
        var order: Character = "="
        if let first = s.first, "<>=|".contains(first) { order = first; s = s.dropFirst() }
        let dtype: DType
        switch s {
        case "f8", "d": dtype = .float64
        case "f4", "f": dtype = .float32
        case "i8", "q": dtype = .int64
        case "i4", "i": dtype = .int32
        case "i2", "h": dtype = .int16
        case "i1", "b": dtype = .int8
        case "u8", "Q": dtype = .uint64
        case "u4", "I": dtype = .uint32
        case "u2", "H": dtype = .uint16
        case "u1", "B": dtype = .uint8
        case "c16", "D": dtype = .complex128
        case "c8", "F": dtype = .complex64
        case "b1", "?": dtype = .bool
        default: return nil
        }
        let nativeBig = 1.bigEndian == 1
        let big: Bool
        switch order {
        case ">": big = true
        case "<": big = false
        case "|": big = nativeBig  // only meaningful for 1-byte types; treat as native
        default: big = nativeBig
        }
        // Data is stored as-is; swap when the file's order differs from the host's.
        return (dtype, big != nativeBig)
    }

    private static func descriptor(_ dtype: DType) -> String {
        switch dtype {
        case .bool: return "|b1"
        case .int8: return "|i1"
        case .int16: return "<i2"
        case .int32: return "<i4"
        case .int64: return "<i8"
        case .uint8: return "|u1"
        case .uint16: return "<u2"
        case .uint32: return "<u4"
        case .uint64: return "<u8"
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .complex64: return "<c8"
        case .complex128: return "<c16"
        }
    }

    private static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    private static func headerPreview(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(120).map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return "\"\(trimmed)\"" + (bytes.count > 120 ? "..." : "")
    }

    private static func describeMagic(_ bytes: UnsafeRawBufferPointer.SubSequence) -> String {
        bytes.map { $0 >= 0x20 && $0 < 0x7F ? String(Character(UnicodeScalar($0))) : "\\x" + String(format: "%02x", $0) }
            .joined()
    }

    private static func reason(_ error: Error) -> String { FileErrors.reason(error) }

    // MARK: writing

    /// The header bytes (magic, version, length, padded dict) NumPy would write for `a`.
    static func header(for a: NDArray) -> [UInt8] {
        var dict = "{'descr': '\(descriptor(a.dtype))', 'fortran_order': False, 'shape': \(shapeText(a.shape)), }"
        // NumPy leaves room to grow the first axis in place (GROWTH_AXIS_MAX_DIGITS = 21).
        if let first = a.shape.first { dict += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        var bytes = magic
        var lengthSize = 2
        var total = 6 + 2 + lengthSize + dict.utf8.count + 1
        if total + (64 - total % 64) % 64 - 10 > 65535 {
            lengthSize = 4
            total = 6 + 2 + lengthSize + dict.utf8.count + 1
            bytes += [2, 0]
        } else {
            bytes += [1, 0]
        }
        let padding = (64 - total % 64) % 64
        let headerLength = dict.utf8.count + padding + 1
        for i in 0..<lengthSize { bytes.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
        bytes += Array(dict.utf8)
        bytes += [UInt8](repeating: 0x20, count: padding)
        bytes.append(0x0A)
        return bytes
    }

    /// The .npy bytes of `a` (row-major, little-endian, version 1.0 unless the header needs 2.0).
    public static func encode(_ a: NDArray) -> [UInt8] {
        let c = a.contiguous()
        var bytes = header(for: c)
        let n = c.count * c.dtype.size
        bytes.reserveCapacity(bytes.count + n)
        withExtendedLifetime(c) {
            bytes += UnsafeRawBufferPointer(start: c.baseAddress, count: n)
        }
        if 1.bigEndian == 1 { swapAfterHeader(&bytes, headerSize: bytes.count - n, itemSize: c.dtype.size) }
        return bytes
    }

    private static func swapAfterHeader(_ bytes: inout [UInt8], headerSize: Int, itemSize: Int) {
        guard itemSize > 1 else { return }
        var i = headerSize
        while i + itemSize <= bytes.count {
            bytes[i..<(i + itemSize)].reverse()
            i += itemSize
        }
    }

    /// Writes `a` to `path` atomically: a temporary file in the same directory, then a rename.
    public static func write(_ a: NDArray, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw JITError.file("cannot write '\(path)': \(FileErrors.text(errno: errno))")
        }
        var closed = false
        func cleanUp() {
            if !closed { close(fd); closed = true }
            unlink(temporary)
        }
        func writeAll(_ p: UnsafeRawPointer?, _ n: Int) throws {
            guard var p, n > 0 else { return }
            var left = n
            while left > 0 {
                let w = posixWrite(fd, p, min(left, 1 << 30))
                if w < 0 {
                    if errno == EINTR { continue }
                    let message = FileErrors.text(errno: errno)
                    cleanUp()
                    throw JITError.file("cannot write '\(path)': \(message)")
                }
                p += w
                left -= w
            }
        }
        let c = a.contiguous()
        let headerBytes = header(for: c)
        try headerBytes.withUnsafeBytes { try writeAll($0.baseAddress, $0.count) }
        if 1.bigEndian == 1 {
            let body = Array(encode(c).dropFirst(headerBytes.count))
            try body.withUnsafeBytes { try writeAll($0.baseAddress, $0.count) }
        } else {
            try withExtendedLifetime(c) { try writeAll(UnsafeRawPointer(c.baseAddress), c.count * c.dtype.size) }
        }
        closed = true
        if close(fd) != 0 {
            let message = FileErrors.text(errno: errno)
            unlink(temporary)
            throw JITError.file("cannot write '\(path)': \(message)")
        }
        if rename(temporary, path) != 0 {
            let message = FileErrors.text(errno: errno)
            unlink(temporary)
            throw JITError.file("cannot write '\(path)': \(message)")
        }
    }
}

/// POSIX write(2), named apart from `NPY.write`.
private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #elseif canImport(Musl)
    return Musl.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}
