// Throughput of the record batch codec, the checksums and the compression codecs, with the
// system zlib's crc32 and gzip alongside as the reference point.
//
//     swift run -c release CodecBenchmarks
import Foundation
import KafkaProtocol

/// Runs `body` repeatedly for at least `minimum` seconds; returns seconds per run.
func measure(_ minimum: Double = 0.5, _ body: () throws -> Void) rethrows -> Double {
    try body()  // warm-up
    let clock = ContinuousClock()
    var runs = 0
    let start = clock.now
    var elapsed = 0.0
    repeat {
        try body()
        runs += 1
        let d = clock.now - start
        elapsed = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    } while elapsed < minimum
    return elapsed / Double(runs)
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
func rate(_ bytes: Int, _ seconds: Double, unit: Double = 1e6) -> String { String(format: "%8.1f", Double(bytes) / seconds / unit) }

/// Log-like text: compressible the way real payloads are, not trivially.
func sampleData(_ size: Int) -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(size + 100)
    var state: UInt64 = 42
    let words = ["GET", "/api/v1/orders", "user=", "status=200", "latency_ms=", "region=eu-west", "{\"id\":", "}", "\n"]
    while out.count < size {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let w = words[Int(state >> 59) % words.count]
        out += Array(w.utf8)
        out += Array(String(state >> 48 & 0xFFF).utf8)
        out.append(0x20)
    }
    return Array(out.prefix(size))
}

// MARK: checksums

let oneMiB = sampleData(1 << 20)
print("== checksums (1 MiB buffer)")
let crc32cTime = measure { _ = CRC32C.checksum(oneMiB) }
let crc32Time = measure { _ = CRC32.checksum(oneMiB) }
let crc32cName = CRC32C.usesHardware ? "CRC32C (CPU instruction)" : "CRC32C (Swift, slicing-by-16)"
print(crc32cName.padding(toLength: 29, withPad: " ", startingAt: 0) + "\(rate(oneMiB.count, crc32cTime, unit: 1e9)) GB/s")
print("CRC32 (zlib crc32)           \(rate(oneMiB.count, crc32Time, unit: 1e9)) GB/s   ratio CRC32C/zlib \(String(format: "%.2f", crc32Time / crc32cTime))")
let xxTime = measure { _ = XXHash32.hash(oneMiB) }
print("xxHash32                     \(rate(oneMiB.count, xxTime, unit: 1e9)) GB/s")
// A record batch's CRC-32C is checked on every fetch, and most batches are far below 1 MiB.
for size in [1 << 10, 16 << 10] {
    let bytes = Array(oneMiB.prefix(size))
    let time = measure { for _ in 0..<(oneMiB.count / size) { _ = CRC32C.checksum(bytes) } }
    print("CRC32C, \(size >> 10) KiB buffers".padding(toLength: 29, withPad: " ", startingAt: 0) + "\(rate(oneMiB.count, time, unit: 1e9)) GB/s")
}

// MARK: codecs

print("\n== codecs on 1 MiB of log-like text (MB/s of uncompressed bytes)")
print("codec     compress  decompress  ratio   vs gzip (c/d)")
var gzipRates = (1.0, 1.0)
for codec in [CompressionCodec.gzip, .snappy, .lz4] {
    let packed = try codec.compress(oneMiB)
    let c = try measure { _ = try codec.compress(oneMiB) }
    let d = try measure { _ = try codec.decompress(packed, maxSize: oneMiB.count) }
    if codec == .gzip { gzipRates = (c, d) }
    let ratio = String(format: "%5.2f", Double(oneMiB.count) / Double(packed.count))
    let versus = String(format: "%5.1fx / %5.1fx", gzipRates.0 / c, gzipRates.1 / d)
    print("\(pad(codec.description, 8)) \(rate(oneMiB.count, c))   \(rate(oneMiB.count, d))   \(ratio)   \(versus)")
}

// MARK: record batches

print("\n== record batches (v2; MB/s of record values, records/s)")
print("records          codec     encode MB/s  encode rec/s   decode MB/s  decode rec/s")
for (valueSize, count) in [(100, 2000), (10_000, 100)] {
    let value = sampleData(valueSize)
    let key = Array("key-000000".utf8)
    let headers = [RecordHeader(key: "trace", value: Array("abc".utf8))]
    for codec in [CompressionCodec.none, .gzip, .snappy, .lz4] {
        func build() throws -> [UInt8] {
            var builder = RecordBatchBuilder(compression: codec, capacity: count * (valueSize + 40))
            for i in 0..<count {
                builder.append(timestamp: 1_700_000_000_000 + Int64(i), key: key, value: value, headers: headers)
            }
            return try builder.build()
        }
        let batch = try build()
        let encode = try measure { _ = try build() }
        let decoder = RecordBatchDecoder(topic: "bench", partition: 0)
        let decoded = try decoder.decode(batch)
        precondition(decoded.records.count == count)
        let decode = try measure { _ = try decoder.decode(batch) }
        let payload = valueSize * count
        let label = pad("\(count) x \(valueSize) B", 16)
        print("\(label) \(pad(codec.description, 8)) \(rate(payload, encode))  \(String(format: "%12.0f", Double(count) / encode))  \(rate(payload, decode))  \(String(format: "%12.0f", Double(count) / decode))")
    }
}
