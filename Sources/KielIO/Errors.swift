import Glibc

/// Why a connection failed or closed. Delivered to `FramedStream` completions and `onClose`.
public enum IOError: Error, Equatable, Sendable {
    case resolveFailed(host: String, message: String)
    case connectFailed(host: String, port: Int, errno: Int32)
    case connectTimedOut(host: String, port: Int)
    case connectionReset(errno: Int32)
    case closedByPeer
    case frameTooLarge(size: Int, limit: Int)
    case negativeFrameSize(Int32)
    /// The stream's layer (TLS) failed: a refused certificate, an alert from the peer, bytes
    /// that are not the layer's protocol.
    case layerFailed(StreamLayerError)
    /// We closed it (or it was closed before the operation could run).
    case closed
}

/// `IOLoop.runUntilComplete(timeout:_:)` gave up: `done` was not called within `timeout`.
public struct LoopTimeoutError: Error, Equatable, Sendable {
    /// The time `runUntilComplete` waited.
    public let timeout: Duration
    /// The error for a wait of `timeout`.
    public init(timeout: Duration) { self.timeout = timeout }
}

/// `IOLoop.runUntilComplete(timeout:_:)` ended because `stop()` was called before `done`.
public struct LoopStoppedError: Error, Equatable, Sendable {
    /// The error; it carries nothing more.
    public init() {}
}

/// A system call the loop cannot do without failed (creating the wake-up eventfd).
public struct SystemCallError: Error, Equatable, Sendable {
    /// The system call's name, e.g. "eventfd".
    public let call: String
    /// The `errno` it left.
    public let errno: Int32
    /// The failure of `call` with `errno`.
    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }
}

extension IOError: CustomStringConvertible {
    /// Says what happened in words ("connect failed: connection refused (errno 111)"), with
    /// the errno for searching. The address is left to whoever knows which one was meant.
    public var description: String {
        switch self {
        case .resolveFailed(let host, let message): return "cannot resolve \(host): \(message)"
        case .connectFailed(_, _, let errno): return "connect failed: \(Self.explain(errno))"
        case .connectTimedOut: return "connect timed out"
        case .connectionReset(let errno): return "connection lost: \(Self.explain(errno))"
        case .closedByPeer: return "the peer closed the connection"
        case .frameTooLarge(let size, let limit): return "frame of \(size) bytes is over the limit of \(limit)"
        case .negativeFrameSize(let size): return "frame announces a negative size (\(size))"
        case .layerFailed(let error): return error.description
        case .closed: return "closed"
        }
    }

    /// `strerror`'s text in lower case, then the number: "connection refused (errno 111)".
    static func explain(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text).lowercased() + " (errno \(code))"
    }
}
