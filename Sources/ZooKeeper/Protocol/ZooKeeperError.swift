/// Every way a ZooKeeper operation can fail, named so a caller can switch on them.
///
/// Server error codes map to named cases (`init(code:)`); `server(code:)` keeps any code this
/// client does not know. Client-side failures: `connectionLoss` (the connection dropped before
/// an answer came; the operation may or may not have been applied), `sessionExpired`, `closed`
/// (the client was closed), `timeout` (no connection within the time allowed), `protocol`
/// (the server sent something we could not decode).
public indirect enum ZooKeeperError: Error, Equatable, Hashable, Sendable {
    case systemError
    case runtimeInconsistency
    case dataInconsistency
    case connectionLoss
    case marshallingError
    case unimplemented
    case operationTimeout
    case badArguments
    case unknownSession
    case newConfigNoQuorum
    case reconfigInProgress
    case apiError
    case noNode
    case noAuth
    case badVersion
    case noChildrenForEphemerals
    case nodeExists
    case notEmpty
    case sessionExpired
    case invalidCallback
    case invalidACL
    case authFailed
    case sessionMoved
    case notReadOnly
    case ephemeralOnLocalSession
    case noWatcher
    case requestTimeout
    case reconfigDisabled
    case sessionClosedRequireSASL
    case quotaExceeded
    case throttled
    /// A server code this client has no name for.
    case server(code: Int32)
    /// The client was closed (by `close()`) before the operation completed.
    case closed
    /// No connection could be used within the allowed time.
    case timeout
    /// A reply that could not be decoded, or a connect string that could not be parsed.
    case `protocol`(String)
    /// A multi/transaction was rolled back: operation `index` failed with `reason`.
    case transactionFailed(index: Int, reason: ZooKeeperError)

    /// Maps a server error code; nil for 0 (OK).
    public init?(code: Int32) {
        switch code {
        case 0: return nil
        case -1: self = .systemError
        case -2: self = .runtimeInconsistency
        case -3: self = .dataInconsistency
        case -4: self = .connectionLoss
        case -5: self = .marshallingError
        case -6: self = .unimplemented
        case -7: self = .operationTimeout
        case -8: self = .badArguments
        case -12: self = .unknownSession
        case -13: self = .newConfigNoQuorum
        case -14: self = .reconfigInProgress
        case -100: self = .apiError
        case -101: self = .noNode
        case -102: self = .noAuth
        case -103: self = .badVersion
        case -108: self = .noChildrenForEphemerals
        case -110: self = .nodeExists
        case -111: self = .notEmpty
        case -112: self = .sessionExpired
        case -113: self = .invalidCallback
        case -114: self = .invalidACL
        case -115: self = .authFailed
        case -118: self = .sessionMoved
        case -119: self = .notReadOnly
        case -120: self = .ephemeralOnLocalSession
        case -121: self = .noWatcher
        case -122: self = .requestTimeout
        case -123: self = .reconfigDisabled
        case -124: self = .sessionClosedRequireSASL
        case -125: self = .quotaExceeded
        case -127: self = .throttled
        default: self = .server(code: code)
        }
    }

    /// The server's code for this error, if it has one.
    public var code: Int32? {
        switch self {
        case .systemError: return -1
        case .runtimeInconsistency: return -2
        case .dataInconsistency: return -3
        case .connectionLoss: return -4
        case .marshallingError: return -5
        case .unimplemented: return -6
        case .operationTimeout: return -7
        case .badArguments: return -8
        case .unknownSession: return -12
        case .newConfigNoQuorum: return -13
        case .reconfigInProgress: return -14
        case .apiError: return -100
        case .noNode: return -101
        case .noAuth: return -102
        case .badVersion: return -103
        case .noChildrenForEphemerals: return -108
        case .nodeExists: return -110
        case .notEmpty: return -111
        case .sessionExpired: return -112
        case .invalidCallback: return -113
        case .invalidACL: return -114
        case .authFailed: return -115
        case .sessionMoved: return -118
        case .notReadOnly: return -119
        case .ephemeralOnLocalSession: return -120
        case .noWatcher: return -121
        case .requestTimeout: return -122
        case .reconfigDisabled: return -123
        case .sessionClosedRequireSASL: return -124
        case .quotaExceeded: return -125
        case .throttled: return -127
        case .server(let code): return code
        case .closed, .timeout, .protocol, .transactionFailed: return nil
        }
    }
}
