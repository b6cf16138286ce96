import CLinux
import Glibc

/// The eventfd that lets another thread interrupt the loop's poll. Its `wake()` may be called
/// from outside the event loop; `drain()` only on the loop thread.
final class Waker: @unchecked Sendable {
    let fd: Int32
    private let closeLock = Lock()
    private var closed = false

    init() throws {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw SystemCallError(call: "eventfd", errno: errno) }
        self.fd = fd
    }

    /// May be called from outside the event loop.
    func wake() {
        closeLock.withLock {
            guard !closed else { return }
            var one: UInt64 = 1
            // EAGAIN means the counter is saturated: the loop is going to wake anyway.
            _ = Glibc.write(fd, &one, MemoryLayout<UInt64>.size)
        }
    }

    func drain() {
        var value: UInt64 = 0
        _ = Glibc.read(fd, &value, MemoryLayout<UInt64>.size)
    }

    func close() {
        closeLock.withLock {
            guard !closed else { return }
            closed = true
            _ = Glibc.close(fd)
        }
    }
}
