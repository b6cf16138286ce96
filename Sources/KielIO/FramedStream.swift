import Glibc

/// A TCP connection carrying 4-byte big-endian length-prefixed frames (Kafka and ZooKeeper
/// both frame this way). Create one with `FramedStream.connect(loop:host:port:timeout:...)`.
///
/// Loop-confined: every method and callback runs on the loop thread. While open, the loop
/// keeps the stream alive (its fd handler holds it), so dropping your reference does not
/// close it: call `close()`.
///
/// Reading uses one reusable buffer and delivers every complete frame in it; a declared
/// frame size above `maxFrameSize`, or negative, closes the stream with an error before any
/// allocation. An incomplete frame is carried over in a buffer that grows with the bytes
/// that arrived, not with the size the prefix announced. Writing queues bytes and flushes once per loop turn, coping with partial
/// writes and `EAGAIN`; the stream asks for write readiness only while output is pending.
/// Writes use `MSG_NOSIGNAL`, so a dead peer is an error, never a `SIGPIPE`.
public final class FramedStream {
    /// The host as given to `connect` (a name or an address).
    public let host: String
    /// The TCP port connected to.
    public let port: Int
    /// The largest frame payload accepted, in bytes; a larger announced size closes the stream.
    public let maxFrameSize: Int
    let loop: IOLoop

    /// Called with each frame's payload (without the 4-byte prefix).
    public var onFrame: (([UInt8]) -> Void)?
    /// Called exactly once when the stream closes: `nil` after `close()`, otherwise the
    /// reason. After `close()` it is delivered on a later loop turn, never inside `close()`.
    public var onClose: ((IOError?) -> Void)?

    /// False from the moment it closes, by `close()` or by error.
    public private(set) var isOpen = true
    private var fd: Int32

    private static let readChunk = 64 * 1024
    private var readBuffer: [UInt8]
    /// Bytes of an incomplete frame carried over to the next read.
    private var partial: [UInt8] = []

    private var outbound: [UInt8] = []
    private var outboundStart = 0
    private var flushScheduled = false
    private var waitingForWritable = false

    init(loop: IOLoop, fd: Int32, host: String, port: Int, maxFrameSize: Int) {
        self.loop = loop
        self.fd = fd
        self.host = host
        self.port = port
        self.maxFrameSize = maxFrameSize
        self.readBuffer = [UInt8](repeating: 0, count: Self.readChunk)
        loop.addHandler(fd, events: .read) { [self] events in self.handle(events) }
    }

    /// The socket, for tests and diagnostics; -1 once closed.
    var fileDescriptor: Int32 { fd }

    /// What the carry-over buffer of an incomplete frame has reserved, for tests.
    var pendingBufferCapacity: Int { partial.capacity }

    /// Bytes queued but not yet accepted by the kernel (for back-pressure).
    public var bufferedOutputBytes: Int { outbound.count - outboundStart }

    /// Queues one frame; the stream adds the 4-byte length prefix. Ignored once closed.
    public func send(_ frame: [UInt8]) {
        loop.assertInLoop()
        guard isOpen else { return }
        let size = UInt32(frame.count)
        outbound.append(UInt8(truncatingIfNeeded: size >> 24))
        outbound.append(UInt8(truncatingIfNeeded: size >> 16))
        outbound.append(UInt8(truncatingIfNeeded: size >> 8))
        outbound.append(UInt8(truncatingIfNeeded: size))
        outbound.append(contentsOf: frame)
        scheduleFlush()
    }

    /// Queues bytes exactly as given (the caller framed them). Ignored once closed.
    public func sendRaw(_ bytes: [UInt8]) {
        loop.assertInLoop()
        guard isOpen else { return }
        outbound.append(contentsOf: bytes)
        scheduleFlush()
    }

    /// Closes the socket now, dropping unsent output; `onClose(nil)` follows on a later turn.
    public func close() {
        loop.assertInLoop()
        guard isOpen else { return }
        teardown()
        loop.callSoon { [self] in self.reportClose(nil) }
    }

    // MARK: Events

    private func handle(_ events: IOEvents) {
        if !events.isDisjoint(with: [.read, .error]) {
            readAvailable(errorOnly: !events.contains(.read))
        }
        if isOpen && events.contains(.write) {
            flush()
        }
    }

    private func readAvailable(errorOnly: Bool) {
        // A few reads per wake-up: enough to drain a busy socket without starving others.
        for _ in 0..<8 {
            let count = readBuffer.withUnsafeMutableBytes { buffer in
                recv(fd, buffer.baseAddress, buffer.count, 0)
            }
            if count > 0 {
                readBuffer.withUnsafeBytes { buffer in
                    consume(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                }
                if !isOpen || count < Self.readChunk { return }
            } else if count == 0 {
                fail(.closedByPeer)
                return
            } else {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    if errorOnly { fail(.connectionReset(errno: pendingSocketError() ?? ECONNRESET)) }
                    return
                }
                fail(.connectionReset(errno: code))
                return
            }
        }
    }

    private func consume(_ bytes: UnsafeRawBufferPointer) {
        if partial.isEmpty {
            guard let used = deliverFrames(in: bytes) else { return }
            if used < bytes.count { partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...])) }
        } else {
            partial.append(contentsOf: bytes)
            let used = partial.withUnsafeBytes { deliverFrames(in: $0) }
            guard let used, isOpen else { return }
            partial.removeFirst(used)
            // Don't keep a large frame's buffer around for the small frames that follow.
            if partial.capacity > 1 << 20 && partial.count < partial.capacity / 4 {
                partial = Array(partial)
            }
        }
        // No reserving for the announced size: a peer could announce maxFrameSize and send
        // 4 bytes. Appending grows the buffer geometrically, so a large frame still costs
        // only a few copies, and never more than about twice what actually arrived.
    }

    /// Delivers every complete frame in `bytes`; returns the bytes used, or nil if the
    /// stream closed (by a bad size, or by a frame handler).
    private func deliverFrames(in bytes: UnsafeRawBufferPointer) -> Int? {
        var offset = 0
        while bytes.count - offset >= 4 {
            let size = Int32(bitPattern: UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
                             | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3]))
            if size < 0 {
                fail(.negativeFrameSize(size))
                return nil
            }
            if Int(size) > maxFrameSize {
                fail(.frameTooLarge(size: Int(size), limit: maxFrameSize))
                return nil
            }
            let end = offset + 4 + Int(size)
            guard end <= bytes.count else { break }
            let frame = Array(UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<end]))
            offset = end
            onFrame?(frame)
            if !isOpen { return nil }
        }
        return offset
    }

    private func pendingSocketError() -> Int32? {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0, code != 0 else { return nil }
        return code
    }

    // MARK: Writing

    /// Sends issued during one turn leave in one system call.
    private func scheduleFlush() {
        guard !flushScheduled, !waitingForWritable else { return }
        flushScheduled = true
        loop.callSoon { [self] in
            self.flushScheduled = false
            if self.isOpen { self.flush() }
        }
    }

    private func flush() {
        while outboundStart < outbound.count {
            let sent = outbound.withUnsafeBytes { buffer in
                Glibc.send(fd, buffer.baseAddress! + outboundStart, buffer.count - outboundStart,
                           Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                outboundStart += sent
                continue
            }
            let code = errno
            if sent < 0 && code == EINTR { continue }
            if sent < 0 && (code == EAGAIN || code == EWOULDBLOCK) { break }
            fail(.connectionReset(errno: sent < 0 ? code : EPIPE))
            return
        }
        if outboundStart == outbound.count {
            outbound.removeAll(keepingCapacity: outbound.capacity <= 1 << 20)
            outboundStart = 0
            if waitingForWritable {
                waitingForWritable = false
                loop.updateHandler(fd, events: .read)
            }
        } else {
            // Drop the sent prefix only once it is the larger part: amortised O(1) per byte.
            if outboundStart > outbound.count / 2 {
                outbound.removeFirst(outboundStart)
                outboundStart = 0
            }
            if !waitingForWritable {
                waitingForWritable = true
                loop.updateHandler(fd, events: [.read, .write])
            }
        }
    }

    // MARK: Closing

    private func fail(_ error: IOError) {
        guard isOpen else { return }
        KielLog.debug("stream \(host):\(port) closed: \(error)")
        teardown()
        reportClose(error)
    }

    private func teardown() {
        isOpen = false
        loop.removeHandler(fd)
        _ = Glibc.close(fd)
        fd = -1
        outbound = []
        outboundStart = 0
        partial = []
    }

    private func reportClose(_ error: IOError?) {
        let handler = onClose
        // Break cycles through user closures that capture the stream.
        onClose = nil
        onFrame = nil
        handler?(error)
    }
}
