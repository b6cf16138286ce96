/// A large frame read straight into the array it is handed over in, so its bytes are copied
/// once, from the socket, instead of into a carry-over buffer that doubles and then into the
/// frame. The array of the last frame handed over is kept and read into again once its
/// receiver has let go of it: fetch answers of several MiB then land in memory that is already
/// mapped, instead of the allocator handing the freed pages back to the kernel after each
/// answer and the next one faulting them in again.
///
/// Memory follows what arrived, not what a size prefix announced: a new buffer starts at
/// `threshold` or twice the bytes in hand and doubles as it fills, never past the frame's
/// size; a reused one is memory already held. The kept array is held until the next large
/// frame on the same stream, or its close.
struct FrameAssembly {
    /// Frames larger than this are assembled here; smaller ones are cut from the read buffer.
    static let threshold = 64 * 1024

    /// The frame so far; `count` is the space made for it, `filled` how much arrived.
    private var buffer: [UInt8] = []
    private var filled = 0
    /// The announced size of the frame under way; 0 when there is none.
    private var size = 0
    /// The last frame handed over, to be read into again once nothing else holds it.
    private var recycled: [UInt8] = []

    var isAssembling: Bool { size > 0 }
    var isComplete: Bool { size > 0 && filled == size }
    /// Reserved for the frame under way, for tests.
    var reservedBytes: Int { buffer.capacity }

    /// Begins a frame of `size` bytes with the `first` of them (fewer than `size`).
    mutating func start(size: Int, with first: UnsafeRawBufferPointer) {
        precondition(size > first.count && self.size == 0)
        var allowance = max(Self.threshold, 2 * first.count)
        // Read on its own: a debug build holds a temporary copy of `recycled` to the end of
        // the statement that reads a property of it.
        let kept = recycled.capacity
        if kept > 0 {
            // Reused only while it is not far larger than needed: the frame's receiver keeps
            // the whole array alive through its views, so it should not be twice the frame.
            if kept <= 2 * size && Self.holdsStorageAlone(&recycled) {
                swap(&buffer, &recycled)
                allowance = max(allowance, kept)
            }
            recycled = []
        }
        let target = min(size, allowance)
        if buffer.capacity < target {
            buffer = []
            buffer.reserveCapacity(target)
        }
        Self.resize(&buffer, to: target)
        self.size = size
        filled = 0
        _ = append(first)
    }

    /// Copies what fits of `bytes` into the frame; returns how many were taken.
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        var taken = 0
        while taken < bytes.count && filled < size {
            makeSpace()
            let n = min(bytes.count - taken, buffer.count - filled)
            buffer.withUnsafeMutableBytes { space in
                (space.baseAddress! + filled).copyMemory(from: bytes.baseAddress! + taken, byteCount: n)
            }
            taken += n
            filled += n
        }
        return taken
    }

    /// Lets `read` write into the frame's free space (made first when it is full), and counts
    /// what it reports written. Returns `read`'s result and the space it was offered.
    mutating func receive(_ read: (UnsafeMutableRawBufferPointer) -> Int) -> (result: Int, offered: Int) {
        makeSpace()
        let offered = buffer.count - filled
        let result = buffer.withUnsafeMutableBytes { space in
            read(UnsafeMutableRawBufferPointer(rebasing: space[filled...]))
        }
        if result > 0 { filled += result }
        return (result, offered)
    }

    /// The complete frame; its array is kept to be read into again.
    mutating func finish() -> [UInt8] {
        precondition(isComplete)
        var frame: [UInt8] = []
        swap(&frame, &buffer)
        size = 0
        filled = 0
        recycled = frame
        return frame
    }

    /// Drops the frame under way and the kept array.
    mutating func reset() {
        self = FrameAssembly()
    }

    /// Doubles the space when it is all filled, up to the frame's size.
    private mutating func makeSpace() {
        guard filled == buffer.count, filled < size else { return }
        let target = min(size, max(Self.threshold, 2 * buffer.count))
        buffer.reserveCapacity(target)
        Self.resize(&buffer, to: target)
    }

    private static func resize(_ bytes: inout [UInt8], to count: Int) {
        if bytes.count > count { bytes.removeLast(bytes.count - count) }
        // From an array, not `repeatElement`: a debug build appends a sequence one
        // allocation per element.
        while bytes.count < count { bytes.append(contentsOf: zeros.prefix(count - bytes.count)) }
    }

    private static let zeros = [UInt8](repeating: 0, count: 64 * 1024)

    /// Whether `bytes` alone holds its storage, so writing into it copies nothing. The
    /// standard library keeps this check to itself; an array is a single reference to its
    /// storage, which is what is checked here. A wrong answer would cost a copy, never the
    /// bytes of whoever else holds them: writing into a shared array copies it first.
    static func holdsStorageAlone(_ bytes: inout [UInt8]) -> Bool {
        guard MemoryLayout<[UInt8]>.size == MemoryLayout<AnyObject?>.size else { return false }
        return withUnsafeMutablePointer(to: &bytes) { array in
            // The shared empty array's storage never counts as held alone.
            let storage = UnsafeMutableRawPointer(array).assumingMemoryBound(to: AnyObject?.self)
            return isKnownUniquelyReferenced(&storage.pointee)
        }
    }
}

