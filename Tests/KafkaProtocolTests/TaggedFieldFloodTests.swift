import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// A peer may send any number of tagged fields we don't know. Decoding skips them: the
/// section being decoded keeps nothing per unknown field (it used to keep a sub-reader for
/// each, some 64 bytes of memory per 2 bytes of wire), and a known field among them still
/// decodes.
final class TaggedFieldFloodTests: XCTestCase {
    /// One known tagged field (tag 1); notes how many elements its section holds while the
    /// fields are being declared.
    private struct Probe: WireStruct {
        var known: Int32 = 0
        var heldBySection = -1

        mutating func code<C: WireCoder>(_ c: inout C, version: Int16) {
            c.taggedFields { t in
                heldBySection = Self.held(t)
                t.field(1, present: known != 0) { c in c.int32(&known) }
            }
        }

        /// The elements in the section's collections, counted by reflection so the count
        /// doesn't depend on what the section calls them.
        static func held(_ section: Any) -> Int {
            Mirror(reflecting: section).children.reduce(0) { n, child in
                let m = Mirror(reflecting: child.value)
                return n + (m.displayStyle == .collection ? m.children.count : 0)
            }
        }
    }

    /// A section of `unknown` empty fields with tag 100, then tag 1 holding `known`.
    private func flood(_ unknown: Int, known: Int32) -> [UInt8] {
        var w = ByteWriter(capacity: 2 * unknown + 16)
        w.writeUnsignedVarint(UInt32(unknown + 1))
        for _ in 0..<unknown {
            w.writeUnsignedVarint(100)
            w.writeUnsignedVarint(0)
        }
        w.writeUnsignedVarint(1)
        w.writeUnsignedVarint(4)
        w.writeInt32(known)
        return w.bytes
    }

    func testAFloodOfUnknownTagsIsSkippedWithoutKeepingThem() throws {
        let bytes = flood(1_000_000, known: 42)
        var r = ByteReader(bytes)
        r.flexible = true
        var probe = Probe()
        probe.code(&r, version: 0)
        try r.finish()
        XCTAssertEqual(probe.known, 42, "the known field after the flood still decodes")
        XCTAssertEqual(probe.heldBySection, 0, "nothing kept per unknown field")
    }

    func testABadFieldInTheSectionStillFailsTheFrame() throws {
        // Tag 1 announces 4 bytes but the frame ends after 2.
        var r = ByteReader([UInt8](hex: "0201000104aabb")!)
        r.flexible = true
        var probe = Probe()
        probe.code(&r, version: 0)
        XCTAssertNotNil(r.error)
        // Tag 1 holds 2 bytes, too few for its int32: the field's failure is the frame's.
        var short = ByteReader([UInt8](hex: "010102aabb")!)
        short.flexible = true
        probe.code(&short, version: 0)
        XCTAssertNotNil(short.error)
    }
}
