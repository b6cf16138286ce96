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
/// allocation. An incomplete small frame is carried over in a buffer; a large one is read
/// straight into the array it is delivered in (`FrameAssembly`). Either grows with the bytes
/// that arrived, not with the size the prefix announced. Writing queues bytes and flushes once
/// per loop turn, coping with partial writes and `EAGAIN`; the stream asks for write
/// readiness only while output is pending.
/// Writes use `MSG_NOSIGNAL`, so a dead peer is an error, never a `SIGPIPE`.
///
/// A stream may carry a `StreamLayer` (TLS): bytes read go through it before framing, and
/// frames go through it, once per flush, before the socket. Without one, nothing extra runs.
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
    /// Bytes of an incomplete small frame carried over to the next read.
    private var partial: [UInt8] = []
    /// An incomplete large frame.
    private var assembly = FrameAssembly()

    private var outbound: [UInt8] = []
    private var outboundStart = 0
    private var flushScheduled = false
    private var waitingForWritable = false

    /// The layer the bytes pass through, or nil for plain TCP.
    public let layer: (any StreamLayer)?
    /// With a layer: frames not yet handed to it, and plaintext it decoded.
    private var layerOutbound: [UInt8] = []
    private var layerInbound: [UInt8] = []
    /// Called once when the layer's handshake is done, before any frame is delivered.
    var onEstablished: (() -> Void)?

    init(loop: IOLoop, fd: Int32, host: String, port: Int, maxFrameSize: Int, layer: (any StreamLayer)? = nil) {
        self.loop = loop
        self.fd = fd
        self.host = host
        self.port = port
        self.maxFrameSize = maxFrameSize
        self.layer = layer
        self.readBuffer = [UInt8](repeating: 0, count: Self.readChunk)
        loop.addHandler(fd, events: .read) { [self] events in self.handle(events) }
    }

    /// Lets the layer open its session (the TLS ClientHello); callbacks are set by now.
    func startLayer() {
        guard let layer, isOpen else { return }
        do throws(IOError) { try layer.start(wire: &outbound) } catch { return fail(error) }
        scheduleFlush()
    }

    /// The socket, for tests and diagnostics; -1 once closed.
    var fileDescriptor: Int32 { fd }

    /// What the buffers of an incomplete frame have reserved, for tests.
    var pendingBufferCapacity: Int { max(partial.capacity, assembly.reservedBytes) }

    /// Bytes queued but not yet accepted by the kernel (for back-pressure).
    public var bufferedOutputBytes: Int { outbound.count - outboundStart + layerOutbound.count }

    /// Queues one frame; the stream adds the 4-byte length prefix. Ignored once closed.
    public func send(_ frame: [UInt8]) {
        loop.assertInLoop()
        guard isOpen else { return }
        if layer == nil {
            Self.append(frame, to: &outbound)
        } else {
            Self.append(frame, to: &layerOutbound)
        }
        scheduleFlush()
    }

    private static func append(_ frame: [UInt8], to buffer: inout [UInt8]) {
        let size = UInt32(frame.count)
        buffer.append(UInt8(truncatingIfNeeded: size >> 24))
        buffer.append(UInt8(truncatingIfNeeded: size >> 16))
        buffer.append(UInt8(truncatingIfNeeded: size >> 8))
        buffer.append(UInt8(truncatingIfNeeded: size))
        buffer.append(contentsOf: frame)
    }

    /// Queues bytes exactly as given (the caller framed them). Ignored once closed.
    public func sendRaw(_ bytes: [UInt8]) {
        loop.assertInLoop()
        guard isOpen else { return }
        if layer == nil {
            outbound.append(contentsOf: bytes)
        } else {
            layerOutbound.append(contentsOf: bytes)
        }
        scheduleFlush()
    }

    /// Writes what is queued now instead of at the end of the turn: for a request whose
    /// answer the peer can prepare while this side goes on with other work. A write that fails
    /// here is reported by the flush already due at the end of the turn, never from inside
    /// this call, so no close handler runs in the middle of the caller's work.
    public func flushNow() {
        loop.assertInLoop()
        guard isOpen, !waitingForWritable, bufferedOutputBytes > 0 else { return }
        flush(failing: false)
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
            let count: Int, asked: Int
            if layer == nil && assembly.isAssembling {
                // The rest of a large frame goes straight where it will be delivered from.
                (count, asked) = assembly.receive { space in recv(fd, space.baseAddress, space.count, 0) }
                if assembly.isComplete { deliver(assembly.finish()) }
            } else {
                count = readBuffer.withUnsafeMutableBytes { buffer in
                    recv(fd, buffer.baseAddress, buffer.count, 0)
                }
                asked = Self.readChunk
                if count > 0 {
                    readBuffer.withUnsafeBytes { buffer in
                        let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
                        if let layer { unwrap(bytes, with: layer) } else { consume(bytes) }
                    }
                }
            }
            if count > 0 {
                if !isOpen || count < asked { return }
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

    /// Hands socket bytes to the layer, sends what it answers, and frames what it decoded.
    /// What the layer decoded before it failed (the peer's last answer, then its TLS
    /// close_notify in the same read) is delivered before the failure closes the stream.
    private func unwrap(_ bytes: UnsafeRawBufferPointer, with layer: any StreamLayer) {
        let wasEstablished = layer.isEstablished
        let wireBefore = outbound.count
        var failure: IOError?
        do throws(IOError) {
            try layer.receive(bytes, plaintext: &layerInbound, wire: &outbound)
        } catch {
            failure = error
        }
        if failure == nil {
            if outbound.count > wireBefore || (layer.isEstablished && !layerOutbound.isEmpty) { scheduleFlush() }
            if !wasEstablished && layer.isEstablished, let established = onEstablished {
                onEstablished = nil
                established()
                guard isOpen else { return }
            }
        }
        if !layerInbound.isEmpty && layer.isEstablished {
            // Framed from a local: a frame handler that closes the stream clears the buffers.
            var decoded: [UInt8] = []
            swap(&decoded, &layerInbound)
            decoded.withUnsafeBytes { consume($0) }
            if isOpen {
                decoded.removeAll(keepingCapacity: decoded.capacity <= 1 << 20)
                layerInbound = decoded
            }
        }
        if let failure, isOpen { fail(failure) }
    }

    private func consume(_ bytes: UnsafeRawBufferPointer) {
        var bytes = bytes
        if assembly.isAssembling {
            let taken = assembly.append(bytes)
            if assembly.isComplete { deliver(assembly.finish()) }
            guard isOpen, taken < bytes.count else { return }
            bytes = UnsafeRawBufferPointer(rebasing: bytes[taken...])
        }
        if partial.isEmpty {
            guard let used = deliverFrames(in: bytes) else { return }
            if used < bytes.count { carryOver(UnsafeRawBufferPointer(rebasing: bytes[used...])) }
        } else {
            partial.append(contentsOf: bytes)
            let used = partial.withUnsafeBytes { deliverFrames(in: $0) }
            guard let used, isOpen else { return }
            if Self.startsLargeFrame(partial[used...]) {
                partial.withUnsafeBytes { carryOver(UnsafeRawBufferPointer(rebasing: $0[used...])) }
                partial.removeAll(keepingCapacity: partial.capacity <= 1 << 20)
            } else {
                partial.removeFirst(used)
                // Don't keep a grown buffer around for the small frames that follow.
                if partial.capacity > 1 << 20 && partial.count < partial.capacity / 4 {
                    partial = Array(partial)
                }
            }
        }
        // No reserving for the announced size: a peer could announce maxFrameSize and send
        // 4 bytes. The buffers grow geometrically, so a large frame still costs only a few
        // copies, and never more than about twice what actually arrived.
    }

    /// Keeps the start of an incomplete frame (its size already checked): a large one begins
    /// its assembly, a small one (or a size prefix not yet whole) waits in `partial`.
    private func carryOver(_ rest: UnsafeRawBufferPointer) {
        if Self.startsLargeFrame(rest) {
            assembly.start(size: Int(Self.announcedSize(rest)), with: UnsafeRawBufferPointer(rebasing: rest[4...]))
        } else {
            partial.append(contentsOf: rest)
        }
    }

    /// Whether `bytes` begin with the size prefix of a frame that is assembled in place.
    private static func startsLargeFrame(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.count >= 4 && Int(announcedSize(bytes)) > FrameAssembly.threshold
    }

    /// The size prefix at the start of `bytes` (at least 4 of them).
    private static func announcedSize(_ bytes: some Collection<UInt8>) -> Int32 {
        var size: UInt32 = 0
        for byte in bytes.prefix(4) { size = size << 8 | UInt32(byte) }
        return Int32(bitPattern: size)
    }

    private func deliver(_ frame: [UInt8]) {
        onFrame?(frame)
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

    /// Hands the frames queued since the last flush to the layer, in one piece; false if the
    /// layer failed.
    private func sealForLayer(_ layer: any StreamLayer, failing: Bool) -> Bool {
        var failure: IOError?
        let taken = layerOutbound.withUnsafeBytes { plaintext -> Int in
            do throws(IOError) { return try layer.send(plaintext, wire: &outbound) } catch {
                failure = error
                return 0
            }
        }
        if let failure {
            if failing { fail(failure) }
            return false
        }
        if taken == layerOutbound.count {
            layerOutbound.removeAll(keepingCapacity: layerOutbound.capacity <= 1 << 20)
        } else {
            layerOutbound.removeFirst(taken)
        }
        return true
    }

    /// Writes what the socket takes; `failing: false` leaves a failed write for the next flush
    /// to report (the queued bytes are still there).
    private func flush(failing: Bool = true) {
        if let layer, layer.isEstablished, !layerOutbound.isEmpty {
            guard sealForLayer(layer, failing: failing), isOpen else { return }
        }
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
            if failing { fail(.connectionReset(errno: sent < 0 ? code : EPIPE)) }
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
        assembly.reset()
        layerOutbound = []
        layerInbound = []
        onEstablished = nil
    }

    private func reportClose(_ error: IOError?) {
        let handler = onClose
        // Break cycles through user closures that capture the stream.
        onClose = nil
        onFrame = nil
        handler?(error)
    }
}
