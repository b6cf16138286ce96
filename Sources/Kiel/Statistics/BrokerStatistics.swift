/// The counters one broker connection keeps for the statistics: plain integers bumped where
/// requests go out and answers come in, and a round-trip histogram. Loop-confined, like the
/// connection.
struct ConnectionCounters {
    var requestsSent = 0
    var bytesSent = 0
    var responsesReceived = 0
    var bytesReceived = 0
    var timeouts = 0
    var connects = 0
    var disconnects = 0
    var roundTrip = LatencyHistogram()
}

/// One broker connection's statistics: traffic, what is on the wire now, round-trip times,
/// and how often the connection was made and lost. Counters count from the connection's
/// creation; `roundTrip` covers the last statistics interval.
public struct BrokerStatistics: Sendable, Equatable {
    /// The broker's address.
    public var address: BrokerAddress
    /// Its node id from metadata; nil for a bootstrap connection.
    public var nodeID: Int32?
    /// Where the connection is now.
    public var state: BrokerConnection.State
    /// Requests written to the socket (ApiVersions and SASL handshakes not counted).
    public var requestsSent = 0
    /// Bytes of those requests, length prefixes included.
    public var bytesSent = 0
    /// Answers received and matched to a request.
    public var responsesReceived = 0
    /// Bytes of those answers, length prefixes included.
    public var bytesReceived = 0
    /// Requests on the wire awaiting their answer now.
    public var requestsInFlight = 0
    /// Requests waiting for room on the wire (or for the connection) now.
    public var requestsWaiting = 0
    /// Requests that got no answer within their deadline.
    public var timeouts = 0
    /// Times the connection became ready (socket open, versions agreed, authenticated).
    public var connects = 0
    /// Times a ready or opening connection was lost (closed by the broker, cut, timed out).
    public var disconnects = 0
    /// From a request's write to its answer's arrival.
    public var roundTrip = LatencySummary()

    /// Connections made after the first: `connects - 1`, or 0.
    public var reconnects: Int { max(0, connects - 1) }

    /// Statistics of a connection that did nothing yet.
    public init(address: BrokerAddress, nodeID: Int32? = nil, state: BrokerConnection.State = .disconnected) {
        self.address = address
        self.nodeID = nodeID
        self.state = state
    }
}

extension BrokerConnection {
    /// This connection's statistics now.
    public var statistics: BrokerStatistics {
        loop.assertInLoop()
        var s = BrokerStatistics(address: address, nodeID: nodeID, state: state)
        s.requestsSent = counters.requestsSent
        s.bytesSent = counters.bytesSent
        s.responsesReceived = counters.responsesReceived
        s.bytesReceived = counters.bytesReceived
        s.requestsInFlight = requestsInFlightCount
        s.requestsWaiting = requestsWaitingCount
        s.timeouts = counters.timeouts
        s.connects = counters.connects
        s.disconnects = counters.disconnects
        s.roundTrip = counters.roundTrip.summary
        return s
    }

    /// Starts the next statistics interval: the round-trip times measured so far are forgotten.
    func resetStatisticsInterval() { counters.roundTrip.reset() }
}

extension Cluster {
    /// The statistics of every broker connection the cluster holds now, by address.
    public var brokerStatistics: [BrokerStatistics] {
        loop.assertInLoop()
        return openConnections.map(\.statistics).sorted { ($0.address.host, $0.address.port) < ($1.address.host, $1.address.port) }
    }

    /// Starts the next statistics interval on every connection.
    func resetStatisticsInterval() {
        for c in openConnections { c.resetStatisticsInterval() }
    }
}
