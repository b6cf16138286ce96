/// The request header (v1, or v2 in flexible versions).
///
/// Value type; any thread. The client id always keeps the old INT16 length prefix, even in
/// v2, so that any broker can read the header of any request.
public struct RequestHeader: Equatable, Sendable {
    /// The API (`ApiKey.rawValue`).
    public var apiKey: Int16
    /// The version of the body that follows.
    public var apiVersion: Int16
    /// Echoed in the response header, to pair the answer with the request.
    public var correlationId: Int32
    /// The client id for the broker's logs and quotas; nil for none.
    public var clientId: String?

    /// A header with these fields.
    public init(apiKey: Int16, apiVersion: Int16, correlationId: Int32, clientId: String?) {
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationId = correlationId
        self.clientId = clientId
    }

    /// Throws `stringTooLong` for a client id over 32,767 bytes.
    public func encode(headerVersion: Int16, into w: inout ByteWriter) throws(ProtocolError) {
        w.writeInt16(apiKey)
        w.writeInt16(apiVersion)
        w.writeInt32(correlationId)
        if headerVersion >= 1 { try w.writeNullableString(clientId, compact: false) }
        if headerVersion >= 2 { w.writeEmptyTaggedFields() }
    }

    /// Reads a header, choosing its version from the API key and version it carries (APIs
    /// outside the `ApiSpec` table are read as v1).
    public static func decode(from r: inout ByteReader) -> RequestHeader {
        let key = r.readInt16("request api key")
        let version = r.readInt16("request api version")
        let correlationId = r.readInt32("correlation id")
        let clientId = r.readNullableString(compact: false, "client id")
        if let spec = ApiKey(rawValue: key)?.spec, spec.requestHeaderVersion(version) >= 2 {
            r.skipTaggedFields()
        }
        return RequestHeader(apiKey: key, apiVersion: version, correlationId: correlationId, clientId: clientId)
    }
}

/// The response header (v0, or v1 with a tagged-field section in flexible versions).
public struct ResponseHeader: Equatable, Sendable {
    /// The request's correlation id.
    public var correlationId: Int32

    /// The header answering `correlationId`.
    public init(correlationId: Int32) { self.correlationId = correlationId }

    /// Appends the header: v0 is the correlation id alone, v1 adds an empty tagged-field section.
    public func encode(headerVersion: Int16, into w: inout ByteWriter) {
        w.writeInt32(correlationId)
        if headerVersion >= 1 { w.writeEmptyTaggedFields() }
    }

    /// Reads a header of `headerVersion` (0 or 1); failures stay in `r`.
    public static func decode(headerVersion: Int16, from r: inout ByteReader) -> ResponseHeader {
        let id = r.readInt32("correlation id")
        if headerVersion >= 1 { r.skipTaggedFields() }
        return ResponseHeader(correlationId: id)
    }
}

/// Whole frames: size prefix, header and body. Stateless; any thread.
public enum KafkaFrame {
    /// Encodes `request` with its header and the INT32 size prefix, ready for the socket.
    /// Throws `unsupportedVersion` if `version` is outside `R.api.versions`, and
    /// `stringTooLong` for a string its encoding cannot hold.
    public static func encodeRequest<R: KafkaRequest>(_ request: R, version: Int16, correlationId: Int32,
                                                      clientId: String?) throws(ProtocolError) -> [UInt8] {
        var w = ByteWriter()
        try encodeRequest(request, version: version, correlationId: correlationId, clientId: clientId, into: &w)
        return w.bytes
    }

    /// Appends the framed request to `w` (several requests can share one buffer). On failure
    /// `w` is left as it was.
    public static func encodeRequest<R: KafkaRequest>(_ request: R, version: Int16, correlationId: Int32,
                                                      clientId: String?, into w: inout ByteWriter) throws(ProtocolError) {
        guard R.api.versions.contains(version) else { throw .unsupportedVersion(api: R.apiKey, version: version) }
        try w.check()
        let start = w.count
        let mark = w.beginLength()
        do {
            try RequestHeader(apiKey: R.apiKey.rawValue, apiVersion: version, correlationId: correlationId, clientId: clientId)
                .encode(headerVersion: R.api.requestHeaderVersion(version), into: &w)
            request.encode(version: version, into: &w)
            try w.check()
        } catch {
            w.rollBack(to: start)
            throw error.inContext("\(R.self) v\(version)")
        }
        w.endLength(mark)
    }

    /// The correlation id at the start of a response frame (the bytes after the size prefix),
    /// so a connection can route the frame before decoding it.
    public static func correlationId(ofResponse frame: [UInt8]) -> Int32? {
        var r = ByteReader(frame)
        let id = r.readInt32()
        return r.failed ? nil : id
    }

    /// Decodes a response frame (without its size prefix) as `R` at `version`. Every byte
    /// must be used.
    public static func decodeResponse<R: KafkaResponse>(_ type: R.Type, frame: [UInt8],
                                                        version: Int16) throws(ProtocolError) -> (header: ResponseHeader, body: R) {
        guard R.api.versions.contains(version) else { throw .unsupportedVersion(api: R.apiKey, version: version) }
        var r = ByteReader(frame)
        let header = ResponseHeader.decode(headerVersion: R.api.responseHeaderVersion(version), from: &r)
        let body = R(from: &r, version: version)
        do {
            try r.finish("\(R.self) v\(version)")
        } catch {
            throw error.inContext("\(R.self) v\(version)")
        }
        return (header, body)
    }

    /// Decodes a request frame (without its size prefix) as `R`; for scripted brokers in
    /// tests. Throws if the header names another API or an unsupported version.
    public static func decodeRequest<R: KafkaRequest>(_ type: R.Type, frame: [UInt8]) throws(ProtocolError) -> (header: RequestHeader, body: R) {
        var r = ByteReader(frame)
        let header = RequestHeader.decode(from: &r)
        try r.check()
        guard header.apiKey == R.apiKey.rawValue else {
            throw .corrupt("expected a \(R.apiKey) request, got API key \(header.apiKey)")
        }
        guard R.api.versions.contains(header.apiVersion) else {
            throw .unsupportedVersion(api: R.apiKey, version: header.apiVersion)
        }
        let body = R(from: &r, version: header.apiVersion)
        do {
            try r.finish("\(R.self) v\(header.apiVersion)")
        } catch {
            throw error.inContext("\(R.self) v\(header.apiVersion)")
        }
        return (header, body)
    }

    /// The header of a request frame (without its size prefix), so a scripted broker can
    /// dispatch on the API key and version before decoding the body.
    public static func requestHeader(of frame: [UInt8]) throws(ProtocolError) -> RequestHeader {
        var r = ByteReader(frame)
        let header = RequestHeader.decode(from: &r)
        try r.check()
        return header
    }

    /// Encodes a response with its header and size prefix (for scripted brokers in tests).
    public static func encodeResponse<R: KafkaResponse>(_ response: R, version: Int16,
                                                        correlationId: Int32) throws(ProtocolError) -> [UInt8] {
        guard R.api.versions.contains(version) else { throw .unsupportedVersion(api: R.apiKey, version: version) }
        var w = ByteWriter()
        let mark = w.beginLength()
        ResponseHeader(correlationId: correlationId)
            .encode(headerVersion: R.api.responseHeaderVersion(version), into: &w)
        response.encode(version: version, into: &w)
        try w.check()
        w.endLength(mark)
        return w.bytes
    }
}
