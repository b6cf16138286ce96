/// Severity of a `KielLog` message.
public enum LogLevel: Int, Comparable, Sendable, CustomStringConvertible {
    case debug, info, warning, error

    /// `.debug` is the lowest, `.error` the highest.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The level's name in lower case.
    public var description: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        }
    }
}

/// The library's logging hook. Silent until a handler is installed; when off (or below the
/// level), a message costs one lock and a comparison: the message text is never built.
/// Any thread may log or install a handler; the handler may be called from any thread.
///
/// ```swift
/// KielLog.setHandler(level: .info) { level, message in print("[\(level)] \(message)") }
/// ```
public enum KielLog {
    private static let lock = Lock()
    nonisolated(unsafe) private static var threshold: LogLevel?
    nonisolated(unsafe) private static var handler: (@Sendable (LogLevel, String) -> Void)?

    /// Installs `handler` for messages at `level` and above; `nil` silences logging.
    public static func setHandler(level: LogLevel, _ handler: (@Sendable (LogLevel, String) -> Void)?) {
        lock.withLock {
            self.threshold = handler == nil ? nil : level
            self.handler = handler
        }
    }

    /// Whether a message at `level` would reach the handler; lets a caller skip costly work.
    public static func isEnabled(_ level: LogLevel) -> Bool {
        lock.withLock { threshold.map { level >= $0 } ?? false }
    }

    /// Hands `message` to the handler if one is installed for `level`; the text is built only then.
    public static func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        let sink: (@Sendable (LogLevel, String) -> Void)? = lock.withLock {
            guard let threshold, level >= threshold else { return nil }
            return handler
        }
        guard let sink else { return }
        sink(level, message())
    }

    /// Logs `message` at `.debug`.
    public static func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    /// Logs `message` at `.info`.
    public static func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    /// Logs `message` at `.warning`.
    public static func warning(_ message: @autoclosure () -> String) { log(.warning, message()) }
    /// Logs `message` at `.error`.
    public static func error(_ message: @autoclosure () -> String) { log(.error, message()) }
}
