/// Why a connection failed or closed. Delivered to `FramedStream` completions and `onClose`.
public enum IOError: Error, Equatable, Sendable {
    case resolveFailed(host: String, message: String)
    case connectFailed(host: String, port: Int, errno: Int32)
    case connectTimedOut(host: String, port: Int)
    case connectionReset(errno: Int32)
    case closedByPeer
    case frameTooLarge(size: Int, limit: Int)
    case negativeFrameSize(Int32)
    /// We closed it (or it was closed before the operation could run).
    case closed
}

/// `IOLoop.runUntilComplete(timeout:_:)` gave up: `done` was not called within `timeout`.
public struct LoopTimeoutError: Error, Equatable, Sendable {
    public let timeout: Duration
    public init(timeout: Duration) { self.timeout = timeout }
}

/// `IOLoop.runUntilComplete(timeout:_:)` ended because `stop()` was called before `done`.
public struct LoopStoppedError: Error, Equatable, Sendable {
    public init() {}
}

/// A system call the loop cannot do without failed (creating the wake-up eventfd).
public struct SystemCallError: Error, Equatable, Sendable {
    public let call: String
    public let errno: Int32
    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }
}
