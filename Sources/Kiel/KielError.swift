import ZooKeeper

/// The one error type the Kafka clients report. Every completion and delivery report carries a
/// `Result<…, KielError>`; the cases are meant to be switched on.
///
/// Lower layers' errors (socket errors, decoder errors, ZooKeeper errors) are wrapped, not
/// flattened, so the original stays inspectable through `underlying`.
/// A plain value: safe to pass between threads.
public enum KielError: Error, CustomStringConvertible {
    /// Could not connect to, or lost the connection to, a broker. `underlying` is the socket-level
    /// error (a `KielIO.IOError` when it came from the reactor).
    case connection(host: String, port: Int, underlying: any Error)
    /// The broker answered with an error code for this request (and topic/partition, when the
    /// code was per partition).
    case broker(BrokerError)
    /// The operation did not complete in time; the text says what timed out.
    case timeout(String)
    /// The peer sent something that does not follow the Kafka protocol (a malformed frame, an
    /// unexpected correlation id, a CRC mismatch, …).
    case protocolViolation(String)
    /// A value could not be serialized or a record's bytes could not be deserialized.
    case serialization(String, underlying: (any Error)?)
    /// A ZooKeeper operation failed (the grouped consumer's coordination layer).
    case zookeeper(ZooKeeperError)
    /// The client (or connection) was closed before the operation could complete.
    case closed
    /// The producer's buffer is full: the caller must wait for delivery reports or `flush()`.
    case bufferFull(bufferedBytes: Int, limit: Int)
    /// The topic does not exist on the cluster (and auto-creation is off or was refused).
    case unknownTopic(String)
    /// The topic exists but has no such partition.
    case unknownPartition(topic: String, partition: Int32)
    /// A record is larger than the client's or the broker's limit.
    case messageTooLarge(size: Int, limit: Int)
    /// No bootstrap host or broker could be reached.
    case noBrokersAvailable(String)
    /// A caller-supplied argument or option is invalid.
    case invalidArgument(String)
    /// TLS to a broker failed: its certificate was refused, it refused ours or the handshake,
    /// it does not speak TLS, or our TLS settings cannot be loaded (`TLSError.kind` says
    /// which). Not retriable: the connection that got it stays failed, without reconnecting,
    /// until the client is made again with settings that work.
    case tls(TLSError)
    /// SASL authentication failed: wrong credentials, a mechanism the broker does not offer,
    /// a token refused, or a broker that could not prove it knows the password (SCRAM). Not
    /// retriable, like `.tls`: the connection stays failed, without reconnecting.
    case authentication(String)
    /// The broker offers no version of this API that this library speaks (or none at all):
    /// asking it again cannot help. Tansu 0.6, for one, has no CreatePartitions.
    case unsupportedByBroker(ApiKey)

    /// Whether trying again later (after a metadata refresh or a reconnect) may succeed.
    public var isRetriable: Bool {
        switch self {
        case .connection, .timeout, .noBrokersAvailable: return true
        case .broker(let error): return error.isRetriable
        default: return false
        }
    }

    /// Whether a connection that met this error has given up for good (`.tls`,
    /// `.authentication`): asking again cannot help until the settings change.
    public var endsConnection: Bool {
        switch self {
        case .tls, .authentication: return true
        default: return false
        }
    }

    /// The wrapped lower-level error, if this case carries one.
    public var underlying: (any Error)? {
        switch self {
        case .connection(_, _, let error): return error
        case .serialization(_, let error): return error
        case .zookeeper(let error): return error
        default: return nil
        }
    }

    /// What went wrong, in one line.
    public var description: String {
        switch self {
        case .connection(let host, let port, let error): return "connection to \(host):\(port): \(error)"
        case .broker(let error): return error.description
        case .timeout(let what): return "timed out: \(what)"
        case .protocolViolation(let what): return "protocol violation: \(what)"
        case .serialization(let what, let error):
            return "serialization failed: \(what)" + (error.map { " (\($0))" } ?? "")
        case .zookeeper(let error): return "zookeeper: \(error)"
        case .closed: return "closed"
        case .bufferFull(let bytes, let limit): return "producer buffer full (\(bytes) of \(limit) bytes)"
        case .unknownTopic(let topic): return "unknown topic \(topic)"
        case .unknownPartition(let topic, let partition): return "unknown partition \(topic)/\(partition)"
        case .messageTooLarge(let size, let limit): return "message of \(size) bytes exceeds the limit of \(limit)"
        case .noBrokersAvailable(let what): return "no brokers available: \(what)"
        case .invalidArgument(let what): return "invalid argument: \(what)"
        case .tls(let error): return error.description
        case .authentication(let what): return "authentication failed: \(what)"
        case .unsupportedByBroker(let api):
            return "unsupported by this broker: it offers no version of \(api.name) (key \(api.rawValue)) this client speaks"
        }
    }
}
