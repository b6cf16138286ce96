/// Growable output for the decoder, with spare bytes past `capacity` so hot loops may copy in
/// 8- or 16-byte chunks that overshoot the logical end. Never grows beyond `limit` bytes of
/// content. Confined to the decoding thread.
final class ZstdOutputBuffer {
    static let slack = 64
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0
    let limit: Int
    /// False when the memory belongs to the caller: then the buffer never grows.
    private let owned: Bool
    /// True once a borrowed buffer was asked to hold more than its capacity (the caller then
    /// decodes again into memory the buffer owns).
    private(set) var outgrown = false

    init(initialCapacity: Int, limit: Int) {
        self.limit = limit
        capacity = max(0, min(initialCapacity, limit))
        base = .allocate(capacity: capacity + Self.slack)
        owned = true
    }

    /// Writes into `storage`, which the caller owns and keeps alive: `capacity` bytes of
    /// content plus `slack` spare bytes. Decoding straight into the result's memory saves
    /// the final copy.
    init(borrowing storage: UnsafeMutablePointer<UInt8>, capacity: Int, limit: Int) {
        self.limit = limit
        self.capacity = min(capacity, limit)
        base = storage
        owned = false
    }

    deinit { if owned { base.deallocate() } }

    /// Makes room for `total` bytes of content in all, or throws when that passes `limit`
    /// (or, for borrowed memory, its capacity).
    func reserve(total: Int) throws(ZstdError) {
        guard total <= limit else { throw .outputTooLarge(limit: limit) }
        if total <= capacity { return }
        guard owned else {
            outgrown = true
            throw .outputTooLarge(limit: limit)
        }
        var newCapacity = max(total, capacity < limit / 2 ? capacity * 2 : limit)
        newCapacity = min(max(newCapacity, 4096), limit)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity + Self.slack)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }

    func append(_ source: UnsafePointer<UInt8>, count n: Int) throws(ZstdError) {
        try reserve(total: count + n)
        (base + count).update(from: source, count: n)
        count += n
    }

    func append(repeating byte: UInt8, count n: Int) throws(ZstdError) {
        try reserve(total: count + n)
        (base + count).update(repeating: byte, count: n)
        count += n
    }

    func toArray() -> [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }
}
