// .npy reading and writing, and NumPy-style array printing. Files "written by NumPy" are built
// byte by byte here exactly as numpy.save lays them out (no Python at test time).
import Foundation
import XCTest
@testable import JITRuntime
import JITSema

final class NPYTests: XCTestCase {
    // MARK: helpers

    /// The bytes numpy.save writes: magic, version, length, the header padded with spaces and a
    /// newline so the data starts at a multiple of 64, then `data`.
    func npy(_ header: String, _ data: [UInt8], version: UInt8 = 1) -> [UInt8] {
        let lengthSize = version == 1 ? 2 : 4
        let unpadded = 6 + 2 + lengthSize + header.utf8.count + 1
        let padding = (64 - unpadded % 64) % 64
        let headerLength = header.utf8.count + padding + 1
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        for i in 0..<lengthSize { bytes.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
        bytes += Array(header.utf8) + [UInt8](repeating: 0x20, count: padding) + [0x0A]
        return bytes + data
    }

    func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    }
    func be<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    }
    func le(_ values: [Double]) -> [UInt8] { le(values.map { $0.bitPattern }) }
    func be(_ values: [Double]) -> [UInt8] { be(values.map { $0.bitPattern }) }

    func assertFileError(_ bytes: [UInt8], contains parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try NPY.read(bytes: bytes, name: "t.npy"), file: file, line: line) { error in
            guard case JITError.file(let message) = error else {
                return XCTFail("expected JITError.file, got \(error)", file: file, line: line)
            }
            XCTAssertTrue(message.contains("t.npy"), "message does not name the file: \(message)", file: file, line: line)
            for p in parts {
                XCTAssertTrue(message.contains(p), "'\(message)' does not mention '\(p)'", file: file, line: line)
            }
        }
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("npytests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func sample(_ dtype: DType, count: Int) -> [ScalarValue] {
        (0..<count).map { i in
            switch dtype {
            case .bool: return .bool(i % 3 == 0)
            case .int32: return .int(Int64(i * 7 - 11))
            case .int64: return .int(Int64(i) * 3_000_000_000 - 5)
            case .float32: return .float(Double(Float(Double(i) * 0.25 - 1.5)))
            case .float64: return .float(Double(i) / 3 - 0.5)
            case .complex64, .complex128: return .complex(Double(i) - 1.5, Double(i) * 0.25)
            default: return ScalarSemantics.normalize(.int(Int64(i * 37 - 5)), dtype)
            }
        }
    }

    // MARK: round trips

    func testRoundTripEveryDTypeAndShape() throws {
        let dir = try temporaryDirectory()
        for dtype in DType.allCases {
            for shape in [[], [0], [5], [2, 3], [2, 1, 3]] {
                let a = NDArray(zeros: dtype, shape: shape)
                let values = sample(dtype, count: a.count)
                for (i, v) in values.enumerated() { a.setElement(i, v) }
                let bytes = NPY.encode(a)
                XCTAssertEqual(bytes.count % 64, (a.count * dtype.size) % 64, "data starts 64-byte aligned")
                let b = try NPY.read(bytes: bytes, name: "mem")
                XCTAssertEqual(b.dtype, dtype)
                XCTAssertEqual(b.shape, shape)
                XCTAssertEqual((0..<b.count).map { b.element($0) }, values, "\(dtype) \(shape)")

                let path = dir.appendingPathComponent("a.npy").path
                try NPY.write(a, to: path)
                let c = try NPY.read(path: path)
                XCTAssertEqual(c.shape, shape)
                XCTAssertEqual((0..<c.count).map { c.element($0) }, values, "\(dtype) \(shape) via file")
            }
        }
        // Only the final file remains: the temporary was renamed.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["a.npy"])
    }

    func testEncodeMatchesNumPyBytes() {
        // numpy.save of np.arange(3.0): header padded with NumPy's 21-digit growth room.
        let a = NDArray([0.0, 1.0, 2.0])
        let expectedHeader = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }" + String(repeating: " ", count: 60)
        let expected: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, 0x76, 0] + Array(expectedHeader.utf8) + [0x0A] + le([0.0, 1.0, 2.0])
        XCTAssertEqual(NPY.encode(a), expected)
        XCTAssertEqual(NPY.encode(a).count, 152)
        // A 0-d array: shape (), 128 bytes in all as NumPy writes it.
        let s = NPY.encode(NDArray(scalar: 2.5))
        XCTAssertEqual(s.count, 136)
        XCTAssertTrue(String(decoding: s[10..<74], as: UTF8.self).hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': (), }"))
        // Bools as '|b1', int32 as '<i4'.
        XCTAssertTrue(String(decoding: NPY.encode(NDArray([true, false])), as: UTF8.self).contains("'descr': '|b1'"))
        XCTAssertTrue(String(decoding: NPY.encode(NDArray([Int32(1)])), as: UTF8.self).contains("'descr': '<i4'"))
    }

    func testWritesNonContiguousArraysRowMajor() throws {
        // The transpose of [[0, 1, 2], [3, 4, 5]] as a strided view.
        let base = NDArray([0.0, 1, 2, 3, 4, 5], shape: [2, 3])
        let t = NDArray(dtype: .float64, shape: [3, 2], strides: [1, 3], storage: base.storage)
        XCTAssertFalse(t.isContiguous)
        let back = try NPY.read(bytes: NPY.encode(t), name: "t")
        XCTAssertEqual(back.shape, [3, 2])
        XCTAssertEqual(back.doubles, [0, 3, 1, 4, 2, 5])
    }

    // MARK: files as NumPy writes them

    func testReadsNumPyFloat64() throws {
        let a = try NPY.read(bytes: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", le([1.0, 2.5, -3.0])), name: "x")
        XCTAssertEqual(a.dtype, .float64)
        XCTAssertEqual(a.shape, [3])
        XCTAssertEqual(a.doubles, [1.0, 2.5, -3.0])
    }

    func testReadsOtherDTypes() throws {
        let i4 = try NPY.read(bytes: npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", le([Int32](0..<6))), name: "i4")
        XCTAssertEqual(i4.dtype, .int32)
        XCTAssertEqual(i4.shape, [2, 3])
        XCTAssertEqual(i4.toArray(Int32.self), [0, 1, 2, 3, 4, 5])

        let i8 = try NPY.read(bytes: npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", le([Int64(-7), Int64.max])), name: "i8")
        XCTAssertEqual(i8.toArray(Int64.self), [-7, Int64.max])

        let f4 = try NPY.read(bytes: npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", le([Float(0.5).bitPattern, Float(-2).bitPattern])), name: "f4")
        XCTAssertEqual(f4.dtype, .float32)
        XCTAssertEqual(f4.toArray(Float.self), [0.5, -2])

        let b1 = try NPY.read(bytes: npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", [1, 0, 1]), name: "b1")
        XCTAssertEqual(b1.dtype, .bool)
        XCTAssertEqual(b1.toArray(Bool.self), [true, false, true])
        let question = try NPY.read(bytes: npy("{'descr': '<?', 'fortran_order': False, 'shape': (2,), }", [0, 2]), name: "b1")
        XCTAssertEqual(question.dtype, .bool)
        XCTAssertEqual(question.toArray(Bool.self), [false, true])

        let scalar = try NPY.read(bytes: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", le([2.5])), name: "s")
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(scalar.element(0), .float(2.5))

        let empty = try NPY.read(bytes: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }", []), name: "e")
        XCTAssertEqual(empty.shape, [0])
        XCTAssertEqual(empty.count, 0)
    }

    func testReadsBigEndian() throws {
        let f8 = try NPY.read(bytes: npy("{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }", be([1.0, -2.5, 1e300])), name: "be")
        XCTAssertEqual(f8.doubles, [1.0, -2.5, 1e300])
        let i4 = try NPY.read(bytes: npy("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", be([Int32(1), Int32(-2)])), name: "be")
        XCTAssertEqual(i4.toArray(Int32.self), [1, -2])
        let i8 = try NPY.read(bytes: npy("{'descr': '>i8', 'fortran_order': False, 'shape': (1,), }", be([Int64(0x0102_0304_0506_0708)])), name: "be")
        XCTAssertEqual(i8.toArray(Int64.self), [0x0102_0304_0506_0708])
        let f4 = try NPY.read(bytes: npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", be([Float(3.25).bitPattern])), name: "be")
        XCTAssertEqual(f4.toArray(Float.self), [3.25])
    }

    func testReadsFortranOrder() throws {
        // np.asfortranarray(np.arange(6.).reshape(2, 3)): memory holds columns 0 3 1 4 2 5.
        let f2 = try NPY.read(bytes: npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", le([0.0, 3, 1, 4, 2, 5])), name: "f")
        XCTAssertEqual(f2.shape, [2, 3])
        XCTAssertTrue(f2.isContiguous)
        XCTAssertEqual(f2.doubles, [0, 1, 2, 3, 4, 5])

        // np.asfortranarray(np.arange(24).reshape(2, 3, 4)) as int32: element (i, j, k) at i + 2j + 6k.
        var column = [Int32](repeating: 0, count: 24)
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { column[i + 2 * j + 6 * k] = Int32(i * 12 + j * 4 + k) } } }
        let f3 = try NPY.read(bytes: npy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3, 4), }", le(column)), name: "f")
        XCTAssertEqual(f3.shape, [2, 3, 4])
        XCTAssertEqual(f3.toArray(Int32.self), (0..<24).map(Int32.init))

        // Big-endian and Fortran together.
        let both = try NPY.read(bytes: npy("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 2), }", be([1.0, 3, 2, 4])), name: "f")
        XCTAssertEqual(both.doubles, [1, 2, 3, 4])
    }

    func testVersions2And3AndLooseHeaders() throws {
        let data = le([1.0, 2.0])
        for version: UInt8 in [2, 3] {
            let a = try NPY.read(bytes: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", data, version: version), name: "v")
            XCTAssertEqual(a.doubles, [1, 2])
        }
        // Keys in any order, spaces anywhere, double quotes, no trailing comma, Python 2 longs.
        let headers = [
            "{'shape': (2,), 'fortran_order': False, 'descr': '<f8'}",
            "{ \"descr\" :'<f8' ,'fortran_order':False,'shape':( 2 , ) , }",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2L,), }",
        ]
        for h in headers {
            XCTAssertEqual(try NPY.read(bytes: npy(h, data), name: h).doubles, [1, 2], h)
        }
        // Trailing bytes after the data are ignored.
        XCTAssertEqual(try NPY.read(bytes: npy(headers[0], data + [1, 2, 3]), name: "t").doubles, [1, 2])
    }

    // MARK: errors

    func testErrors() {
        let good = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", le([1.0, 2.0, 3.0]))
        assertFileError([], contains: ["empty"])
        assertFileError([0x93, 0x4E], contains: ["too short"])
        assertFileError(Array(good.prefix(good.count - 8)), contains: ["truncated", "expected 24 bytes", "found 16"])
        assertFileError(Array(good.prefix(70)), contains: ["truncated header"])
        var magic = good
        magic[1] = UInt8(ascii: "X")
        assertFileError(magic, contains: ["magic"])
        assertFileError(Array("PK\u{3}\u{4}this is a zip file".utf8), contains: ["magic"])
        var version = good
        version[6] = 4
        assertFileError(version, contains: ["version 4.0"])
        assertFileError(npy("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", [UInt8](repeating: 0, count: 12)),
                        contains: ["unsupported dtype '<U3'", "<f8", "|b1"])
        assertFileError(npy("{'descr': '|S4', 'fortran_order': False, 'shape': (1,), }", [UInt8](repeating: 0, count: 4)),
                        contains: ["unsupported dtype '|S4'"])
        assertFileError(npy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", le([1.0])),
                        contains: ["unsupported dtype"])
        assertFileError(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)", le([1.0, 2, 3])),
                        contains: ["malformed header"])
        assertFileError(npy("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (3,), }", le([1.0, 2, 3])),
                        contains: ["malformed header", "Maybe"])
        assertFileError(npy("{'descr': '<f8', 'shape': (3,), }", le([1.0, 2, 3])), contains: ["malformed header", "fortran_order"])
        assertFileError(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3.5,), }", le([1.0, 2, 3])), contains: ["malformed header"])
        assertFileError(npy("not a dict", []), contains: ["malformed header"])
        assertFileError(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }", []), contains: ["negative"])
        assertFileError(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627777,), }", []),
                        contains: ["too large", "2^40"])
        assertFileError(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", []),
                        contains: ["too large"])
        assertFileError(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }", []),
                        contains: ["too large"])
        assertFileError(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000,), }", le([1.0])),
                        contains: ["expected 8000000 bytes", "found 8"])
    }

    func testFileErrors() throws {
        XCTAssertThrowsError(try NPY.read(path: "/nonexistent/dir/x.npy")) { error in
            XCTAssertTrue("\(error)".contains("no such file"), "\(error)")
            XCTAssertTrue("\(error)".contains("/nonexistent/dir/x.npy"), "\(error)")
        }
        let dir = try temporaryDirectory()
        XCTAssertThrowsError(try NPY.read(path: dir.path)) { error in
            XCTAssertTrue("\(error)".contains("directory"), "\(error)")
        }
        XCTAssertThrowsError(try NPY.write(NDArray([1.0]), to: "/nonexistent/dir/x.npy")) { error in
            guard case JITError.file(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("cannot write '/nonexistent/dir/x.npy'"), message)
        }
    }

    func testNeverCrashesOnDamagedInput() {
        let good = npy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", le([Int32](0..<6)))
        // Every prefix.
        for n in 0..<good.count { _ = try? NPY.read(bytes: Array(good.prefix(n)), name: "p") }
        // Random byte changes, in the header especially.
        var state: UInt64 = 0x1234_5678_9ABC_DEF1
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(truncatingIfNeeded: state & 0x7FFF_FFFF)
        }
        for _ in 0..<3000 {
            var bytes = good
            for _ in 0..<(1 + next() % 4) {
                bytes[next() % min(bytes.count, 80)] = UInt8(truncatingIfNeeded: next())
            }
            _ = try? NPY.read(bytes: bytes, name: "fuzz")
        }
    }

    // MARK: ArrayFormatter (expected strings are NumPy 2.4's repr)

    func testFormatFloats() {
        XCTAssertEqual(ArrayFormatter.format(NDArray([1.0, 2.5, 3.0])), "array([1. , 2.5, 3. ])")
        XCTAssertEqual(ArrayFormatter.format(NDArray([1e-5, 1.5, 1e10])), "array([1.0e-05, 1.5e+00, 1.0e+10])")
        XCTAssertEqual(ArrayFormatter.format(NDArray([Double.nan, 1.0, -Double.infinity])), "array([ nan,   1., -inf])")
        XCTAssertEqual(ArrayFormatter.format(NDArray([1.0 / 3, 2.0 / 3, 100.0])), "array([  0.33333333,   0.66666667, 100.        ])")
        XCTAssertEqual(ArrayFormatter.format(NDArray([1e100, 1e-5])), "array([1.e+100, 1.e-005])")
        XCTAssertEqual(ArrayFormatter.format(NDArray([-0.0, 1.0])), "array([-0.,  1.])")
        XCTAssertEqual(ArrayFormatter.format(NDArray([Float(0.1), Float(0.2)])), "array([0.1, 0.2], dtype=float32)")
    }

    func testFormatIntsBoolsAndShapes() {
        XCTAssertEqual(ArrayFormatter.format(NDArray([Int32(1), 2, 3, 4], shape: [2, 2])),
                       "array([[1, 2],\n       [3, 4]], dtype=int32)")
        XCTAssertEqual(ArrayFormatter.format(NDArray([true, false])), "array([ True, False])")
        XCTAssertEqual(ArrayFormatter.format(NDArray((0..<30).map { Int64($0) })),
                       "array([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16,\n"
                       + "       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])")
        XCTAssertEqual(ArrayFormatter.format(NDArray((0..<24).map(Double.init), shape: [2, 3, 4])),
                       """
                       array([[[ 0.,  1.,  2.,  3.],
                               [ 4.,  5.,  6.,  7.],
                               [ 8.,  9., 10., 11.]],

                              [[12., 13., 14., 15.],
                               [16., 17., 18., 19.],
                               [20., 21., 22., 23.]]])
                       """)
        XCTAssertEqual(ArrayFormatter.format(NDArray(zeros: .float64, shape: [0])), "array([], dtype=float64)")
        XCTAssertEqual(ArrayFormatter.format(NDArray(zeros: .float64, shape: [0, 3])), "array([], shape=(0, 3), dtype=float64)")
    }

    func testFormatSummaries() {
        let n = 300_000
        let x = NDArray((0..<n).map { -10 + 20 * Double($0) / Double(n - 1) })
        XCTAssertEqual(ArrayFormatter.format(x),
                       "array([-10.        ,  -9.99993333,  -9.99986667, ...,   9.99986667,\n"
                       + "         9.99993333,  10.        ], shape=(300000,))")
        let m = NDArray((0..<3000).map { Int64($0) }, shape: [30, 100])
        let text = ArrayFormatter.format(m)
        XCTAssertTrue(text.hasPrefix("array([[   0,    1,    2, ...,   97,   98,   99],\n       [ 100,  101,  102, ...,  197,  198,  199],"), text)
        XCTAssertTrue(text.contains("       ...,\n"), text)
        XCTAssertTrue(text.hasSuffix("[2900, 2901, 2902, ..., 2997, 2998, 2999]], shape=(30, 100))"), text)
        XCTAssertEqual(ArrayFormatter.format(NDArray((0..<10).map(Double.init)), maxElements: 5, edgeItems: 2),
                       "array([0., 1., ..., 8., 9.], shape=(10,))")
    }

    func testFormatScalarsAndDescribe() {
        XCTAssertEqual(ArrayFormatter.format(NDArray(scalar: 2.5)), "2.5")
        XCTAssertEqual(ArrayFormatter.format(NDArray(scalar: 5.0)), "5.0")
        XCTAssertEqual(ArrayFormatter.format(NDArray(scalar: 1e16)), "1e+16")
        XCTAssertEqual(ArrayFormatter.format(NDArray(scalar: 1e-5)), "1e-05")
        XCTAssertEqual(ArrayFormatter.format(NDArray(scalar: Float(2.5))), "np.float32(2.5)")
        XCTAssertEqual(ArrayFormatter.format(NDArray(scalar: Float(1e8))), "np.float32(1e+08)")
        XCTAssertEqual(ArrayFormatter.format(NDArray(scalar: Int32(3))), "np.int32(3)")
        XCTAssertEqual(ArrayFormatter.format(NDArray(scalar: Int64(3))), "np.int64(3)")
        XCTAssertEqual(ArrayFormatter.format(NDArray(scalar: true)), "np.True_")
        XCTAssertEqual(ArrayFormatter.describe(NDArray(zeros: .float64, shape: [300000])), "float64 (300000,)")
        XCTAssertEqual(ArrayFormatter.describe(NDArray(zeros: .int32, shape: [2, 3])), "int32 (2, 3)")
        XCTAssertEqual(ArrayFormatter.describe(NDArray(scalar: true)), "bool ()")
    }
}
