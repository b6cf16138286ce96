/// What each produced value holds. The throughput cases send one byte repeated; the codec cases
/// send text that compresses the way records often do, partly: `VALUE_POOL` (256) distinct
/// values that cycle, each made of 16-byte cells holding a fixed 8-byte field name and 8
/// pseudo-random hex digits, so that both LZ matching and entropy coding find something to do.
/// rdkafka_bench.c (`payload=text`) builds the same bytes.
enum Payload {
    case repeated
    case text

    /// The values to cycle through, each `size` bytes.
    func values(size: Int) -> [[UInt8]] {
        switch self {
        case .repeated: return [[UInt8](repeating: 0x78, count: size)]
        case .text: return (0..<256).map { Self.textValue(size: size, k: UInt64($0)) }
        }
    }

    /// The `k`th value of the text pool (the same 64-bit LCG as the C harness).
    static func textValue(size: Int, k: UInt64) -> [UInt8] {
        let name = Array("\"field\":".utf8), hex = Array("0123456789abcdef".utf8)
        var x = k &+ 1
        return (0..<size).map { j in
            if j % 16 < 8 { return name[j % 16] }
            x = x &* 6364136223846793005 &+ 1442695040888963407
            return hex[Int(x >> 60)]
        }
    }

    /// The argument that asks rdkafka_bench for the same values.
    var nativeProperties: [String] { self == .text ? ["payload=text"] : [] }
}
