/// The arrays decompressed batches were written into, kept so that later batches are written
/// into them again once nothing else holds them: a consumer decodes its records as views into
/// a batch's array, so an array is free again when the records from it are gone. Batches of
/// about a MiB each otherwise get fresh memory from the allocator, which maps or trims it and
/// has the kernel fault every page in again, batch after batch.
///
/// An array is reused only while it alone holds its storage (the check `FrameAssembly` makes
/// for network frames), and only for an output that needs at least its capacity's half, so
/// that records viewing it do not keep much more than their bytes alive. Writing into a
/// reused array gives the codec its earlier bytes, never uninitialized memory; the codecs
/// write every byte they hand out, and their limits (`maxSize`) stay what they were: a
/// reused array is memory already held, never an allocation that a claimed size asked for.
///
/// Memory stays bounded: at most `maxCount` arrays of at most `maxBytes` capacity in all are
/// kept, the oldest let go first, and one array the compressed bytes are copied into. The
/// arrays a consumer's records still view cost nothing more for being kept; the others are
/// what the consumer's last fetches needed, until `removeAll()` (on close).
///
/// Plain value, confined to whoever owns it (a consumer keeps one for its fetches).
public struct DecompressionBuffers: Sendable {
    /// The most capacity, in bytes, kept in all; 0 keeps nothing (every output is new).
    public let maxBytes: Int
    /// The most arrays kept.
    public static let maxCount = 64

    private var kept: [[UInt8]] = []
    private var keptBytes = 0
    /// Where a batch's compressed bytes are copied to be decompressed (see `input(copying:)`).
    private var spareInput: [UInt8] = []
    /// Outputs written into a kept array (for tests and statistics).
    public private(set) var reused = 0
    /// Outputs that needed a new array (for tests and statistics).
    public private(set) var allocated = 0

    /// Keeps arrays of up to `maxBytes` capacity in all.
    public init(maxBytes: Int) {
        self.maxBytes = max(0, maxBytes)
    }

    /// Keeps nothing: every output gets an array of its own.
    public static var none: DecompressionBuffers { DecompressionBuffers(maxBytes: 0) }

    /// Capacity kept right now, in bytes (the input copy included).
    public var bytesKept: Int { keptBytes + spareInput.capacity }

    /// Lets go of every kept array.
    public mutating func removeAll() {
        kept = []
        keptBytes = 0
        spareInput = []
    }

    /// `bytes` in an array to decompress from: the kept input array once nothing else holds
    /// it, or a new one. Hand it back with `returnInput(_:)` when done.
    public mutating func input(copying bytes: ArraySlice<UInt8>) -> [UInt8] {
        var input: [UInt8] = []
        swap(&input, &spareInput)
        if input.capacity >= bytes.count && Self.holdsStorageAlone(&input) {
            input.removeAll(keepingCapacity: true)
            input.append(contentsOf: bytes)
            return input
        }
        return Array(bytes)
    }

    /// Keeps `input` (from `input(copying:)`) for the next batch's compressed bytes, if it
    /// fits within `maxBytes`.
    public mutating func returnInput(_ input: [UInt8]) {
        if input.capacity <= maxBytes && input.capacity > spareInput.capacity { spareInput = input }
    }

    /// A kept array held by nothing else with at least `capacity` bytes of capacity and at
    /// most twice that (or 64 KiB more), taken out of the kept ones; nil when none is.
    mutating func take(capacity: Int) -> [UInt8]? {
        var i = kept.count - 1
        while i >= 0 {
            // Read on its own: a debug build holds a temporary copy of the element to the end
            // of the statement that reads a property of it.
            let room = kept[i].capacity
            if room >= capacity && room <= max(2 * capacity, capacity + 64 * 1024) {
                var candidate: [UInt8] = []
                swap(&candidate, &kept[i])
                if Self.holdsStorageAlone(&candidate) {
                    kept.remove(at: i)
                    keptBytes -= room
                    return candidate
                }
                swap(&candidate, &kept[i])
            }
            i -= 1
        }
        return nil
    }

    /// Keeps `output`, to be written into again once nothing else holds it; the oldest kept
    /// arrays go to stay within `maxCount` and `maxBytes`.
    mutating func keep(_ output: [UInt8]) {
        let room = output.capacity
        guard room > 0, room <= maxBytes else { return }
        while !kept.isEmpty && (kept.count >= Self.maxCount || keptBytes + room > maxBytes) {
            keptBytes -= kept.removeFirst().capacity
        }
        kept.append(output)
        keptBytes += room
    }

    /// An output of up to `capacity` bytes written by `body`, which gets that much room
    /// (a kept array's earlier bytes, or uninitialized memory) and returns how many bytes it
    /// wrote from the start; it must read none it did not write. The output is kept for later.
    /// What `body` throws is thrown, after any kept array it was given went back.
    mutating func fill<E: Error>(capacity: Int,
                                 _ body: (UnsafeMutableBufferPointer<UInt8>) throws(E) -> Int) throws(E) -> [UInt8] {
        var failure: E?
        if var output = take(capacity: capacity) {
            Self.resize(&output, to: capacity)
            let written = output.withUnsafeMutableBufferPointer { space in
                do throws(E) {
                    return try body(space)
                } catch {
                    failure = error
                    return 0
                }
            }
            precondition(written <= capacity)
            output.removeLast(capacity - written)
            if let failure {
                keep(output)
                throw failure
            }
            reused += 1
            return keepAndHandOut(output)
        }
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { space, initialized in
            do throws(E) {
                initialized = try body(space)
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        allocated += 1
        return keepAndHandOut(output)
    }

    /// Keeps `output` and hands it out; but when most of its capacity went unused (an input
    /// whose stated or bounded size was far above what it held, which a producer can make
    /// on purpose), hands out an exact copy instead: the records viewing it would otherwise
    /// keep the whole capacity alive. The kept array is free to be written into again.
    mutating func keepAndHandOut(_ output: [UInt8]) -> [UInt8] {
        keep(output)
        guard output.capacity - output.count > max(output.count, 4096) else { return output }
        // Through a buffer pointer: an Array made from a slice of all of another shares its storage.
        return output.withUnsafeBufferPointer { Array($0) }
    }

    /// An empty array with room for at least `capacity` bytes, for a decoder that appends
    /// (`capacity` is a hint: it reserves `fresh` bytes when no kept array fits). Hand the
    /// result to `keepAndHandOut(_:)`.
    mutating func appendable(capacity hint: Int, fresh: Int) -> [UInt8] {
        if var output = take(capacity: hint) {
            output.removeAll(keepingCapacity: true)
            reused += 1
            return output
        }
        allocated += 1
        var output: [UInt8] = []
        output.reserveCapacity(fresh)
        return output
    }

    /// Sets `bytes.count` to `count`: drops bytes from the end, or appends zeros (only past
    /// the bytes it held last, which are few when consecutive batches are alike).
    private static func resize(_ bytes: inout [UInt8], to count: Int) {
        if bytes.count > count { bytes.removeLast(bytes.count - count) }
        while bytes.count < count { bytes.append(contentsOf: zeros.prefix(count - bytes.count)) }
    }

    private static let zeros = [UInt8](repeating: 0, count: 64 * 1024)

    /// Whether `bytes` alone holds its storage, so writing into it copies nothing and changes
    /// no one else's bytes. An array is a single reference to its storage, which is what is
    /// checked (as `FrameAssembly.holdsStorageAlone` does for frames). A wrong answer would
    /// cost a copy, never someone else's bytes: writing into a shared array copies it first.
    static func holdsStorageAlone(_ bytes: inout [UInt8]) -> Bool {
        guard MemoryLayout<[UInt8]>.size == MemoryLayout<AnyObject?>.size, bytes.capacity > 0 else { return false }
        return withUnsafeMutablePointer(to: &bytes) { array in
            let storage = UnsafeMutableRawPointer(array).assumingMemoryBound(to: AnyObject?.self)
            return isKnownUniquelyReferenced(&storage.pointee)
        }
    }
}
