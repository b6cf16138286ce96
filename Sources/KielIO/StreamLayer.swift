/// Something between the socket and the frames that rewrites the bytes both ways, such as TLS
/// (the `KielTLS` module has one). The `FramedStream` keeps doing all the socket work. It
/// hands the layer what it read before looking for frames in it, and it hands over the
/// frames it has to send before they go to the socket. The layer never touches the
/// descriptor, so it works the same on a host-driven loop.
///
/// A stream with a layer holds its frames back until the layer `isEstablished` (its
/// handshake is done). `FramedStream.connect(…, layer:)` completes only then.
///
/// Loop-confined: the stream calls it on the loop thread only, and one layer serves one
/// stream. Errors thrown from these methods close the stream with that error.
public protocol StreamLayer: AnyObject {
    /// Whether the handshake is done, so frames may flow.
    var isEstablished: Bool { get }

    /// The TCP connection is up: append to `wire` the bytes to send first (a ClientHello).
    func start(wire: inout [UInt8]) throws(IOError)

    /// Bytes read from the socket. Appends what they decode to (for the framer) to
    /// `plaintext`, and any bytes the layer answers with (handshake messages) to `wire`.
    /// Throws `.closedByPeer` when the peer ended the session in the layer's own protocol.
    func receive(_ bytes: UnsafeRawBufferPointer, plaintext: inout [UInt8], wire: inout [UInt8]) throws(IOError)

    /// Plaintext to send (frames with their length prefixes), only once established. Appends
    /// the bytes for the socket to `wire` and returns how many plaintext bytes it took; the
    /// stream offers the rest again after the next `receive`.
    func send(_ plaintext: UnsafeRawBufferPointer, wire: inout [UInt8]) throws(IOError) -> Int
}

/// Why a `StreamLayer` could not go on (a TLS alert, a refused certificate): the layer's own
/// error, kept whole so whoever chose the layer can switch on it. Two are equal when they
/// describe the same failure.
public struct StreamLayerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The layer's own error (a `TLSError` for TLS).
    public let underlying: any Error & Sendable

    /// Wraps a layer error.
    public init(_ underlying: any Error & Sendable) {
        self.underlying = underlying
    }

    /// The layer error's own description.
    public var description: String { "\(underlying)" }

    /// Equal when they describe the same failure.
    public static func == (a: StreamLayerError, b: StreamLayerError) -> Bool {
        a.description == b.description
    }
}
