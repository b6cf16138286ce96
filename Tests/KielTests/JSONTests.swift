import XCTest
@testable import Kiel

final class JSONTests: XCTestCase {
    /// Expected text produced by Python 3.11:
    /// `json.dumps({"b": 1.0, "a": [1e16, 1e15, 0.0001, 0.00001, 1.5e-7, 123.456, -2.5, 1e100],
    ///   "é": "π/\x7f\n😀", "z": None, "t": True}, sort_keys=True)`
    func testMatchesPythonJsonDumpsSortKeys() {
        let value: JSON = [
            "b": 1.0,
            "a": [1e16, 1e15, 0.0001, 0.00001, 1.5e-7, 123.456, -2.5, 1e100],
            "é": "π/\u{7f}\n😀", "z": nil, "t": true,
        ]
        let expected = #"{"a": [1e+16, 1000000000000000.0, 0.0001, 1e-05, 1.5e-07, 123.456, -2.5, 1e+100], "b": 1.0, "t": true, "z": null, "\u00e9": "\u03c0/\u007f\n\ud83d\ude00"}"#
        XCTAssertEqual(String(decoding: value.pythonSerialized(), as: UTF8.self), expected)
    }

    func testPythonReprOfFloats() {
        let cases: [(Double, String)] = [
            (0, "0.0"), (-0.0, "-0.0"), (1, "1.0"), (0.1, "0.1"), (1e-4, "0.0001"), (1e-5, "1e-05"),
            (1234567890123456.0, "1234567890123456.0"), (12345678901234567.0, "1.2345678901234568e+16"),
            (.infinity, "Infinity"), (-.infinity, "-Infinity"), (.nan, "NaN"), (2.5e-300, "2.5e-300"),
        ]
        for (d, text) in cases { XCTAssertEqual(JSON.pythonRepr(d), text, "\(d)") }
    }

    func testParseRoundTripsPythonOutput() throws {
        let text = #"{"a": [1, -2, 3.5, 1e+16], "s": "x\"\\\/\u00e9\ud83d\ude00", "n": null, "f": false}"#
        let parsed = try JSON.parse(text)
        XCTAssertEqual(parsed["a"], [1, -2, 3.5, 1e16])
        XCTAssertEqual(parsed["s"], "x\"\\/é😀")
        XCTAssertEqual(parsed["n"], JSON.null)
        XCTAssertEqual(parsed["f"], false)
        XCTAssertEqual(try JSON.parse(parsed.pythonSerialized()), parsed)
    }

    func testParseRejectsMalformedInputWithoutCrashing() {
        for bad in ["", "{", "[1,", "{\"a\" 1}", "tru", "\"abc", "1 2", "{\"a\":1,}", "\"\\x\"", "-"] {
            XCTAssertThrowsError(try JSON.parse(bad), bad)
        }
        let deep = String(repeating: "[", count: 100_000)
        XCTAssertThrowsError(try JSON.parse(deep))
    }

    func testHugeIntegerFallsBackToDouble() throws {
        XCTAssertEqual(try JSON.parse("123456789012345678901234"), .double(123456789012345678901234.0))
        XCTAssertEqual(try JSON.parse("-9223372036854775808"), .int(Int64.min))
    }

    /// Runs `body` on a thread with a 128 KiB stack (a host's loop thread may have one that
    /// small) and waits for it.
    private func onSmallStack(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.stackSize = 128 << 10
        thread.start()
        done.wait()
    }

    func testDeepNestingIsAClearErrorEvenOnASmallStack() {
        // Written on the small-stack thread before it signals, read here after the wait.
        nonisolated(unsafe) var errors: [String] = []
        nonisolated(unsafe) var withinCap: [JSON] = []
        onSmallStack {
            let hostile = String(repeating: "[", count: 100_000)
            let objects = String(repeating: #"{"a":"#, count: 100_000)
            for text in [hostile, objects] {
                do {
                    _ = try JSON.parse(text)
                } catch {
                    errors.append((error as? JSON.ParseError)?.reason ?? "\(error)")
                }
            }
            let depth = JSON.maxNestingDepth
            let arrays = String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
            let members = String(repeating: #"{"a": "#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
            withinCap = [arrays, members].compactMap { try? JSON.parse($0) }
        }
        XCTAssertEqual(JSON.maxNestingDepth, 256)
        XCTAssertEqual(errors, ["nesting deeper than 256 levels", "nesting deeper than 256 levels"])
        XCTAssertEqual(withinCap.count, 2, "256 levels still parse")

        let tooDeep = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
        XCTAssertThrowsError(try JSON.parse(tooDeep)) { XCTAssertEqual(($0 as? JSON.ParseError)?.offset, 256) }
        XCTAssertEqual(try JSON.parse("[[1]]", maxDepth: 2), [[1]])
        XCTAssertThrowsError(try JSON.parse("[[1]]", maxDepth: 1))
        // The consumer wraps what the deserializer throws in KielError.serialization.
        XCTAssertThrowsError(try Deserializer<JSON>.json.deserialize(Array(tooDeep.utf8))) {
            XCTAssertEqual(($0 as? JSON.ParseError)?.reason, "nesting deeper than 256 levels")
        }
    }

    func testIterativeParsingKeepsStructureAndErrors() throws {
        let text = #" { "a" : [ 1 , { "b" : [ ] , "c" : { } } , [ [ "x" ] ] ] , "d" : null } "#
        XCTAssertEqual(try JSON.parse(text), ["a": [1, ["b": [], "c": [:]], [["x"]]], "d": nil])
        for (bad, reason) in [("[1 2]", "expected , or ]"), (#"{"a":1 "b":2}"#, "expected , or }"),
                              ("[1,]", "unexpected character"), (#"{"a":1,}"#, "expected key"),
                              (#"{"a" 1}"#, "expected :"), ("[[1]", "unterminated array"),
                              (#"{"a":{}"#, "unterminated object"), ("[", "unexpected end")] {
            XCTAssertThrowsError(try JSON.parse(bad), bad) { XCTAssertEqual(($0 as? JSON.ParseError)?.reason, reason, bad) }
        }
    }

    func testRuntimeValuesAndPrintingAsJSONText() {
        let count = 3, ratio = 0.5, name = "kiel", missing: Int? = nil
        let doc: JSON = ["n": JSON(count), "r": JSON(ratio), "name": JSON(name), "none": JSON(missing),
                         "list": JSON([JSON(1), JSON(true)])]
        XCTAssertEqual(doc["n"], .int(3))
        XCTAssertEqual(doc["none"], .null)
        XCTAssertEqual("\(doc)", #"{"list": [1, true], "n": 3, "name": "kiel", "none": null, "r": 0.5}"#)
    }
}
