/// A request waiting for its answer: how to encode it once a correlation id and version are
/// known, and whom to tell. Loop-confined.
final class PendingRequest {
    let apiKey: ApiKey
    let encode: (Int32) throws -> (frame: [UInt8], version: Int16)
    private var completion: ((Result<([UInt8], Int16), KielError>) -> Void)?
    var version: Int16 = 0
    var expectsResponse = true
    /// When it was written to the socket (monotonic nanoseconds), for the round-trip time.
    var sentAt: UInt64 = 0

    init(apiKey: ApiKey, encode: @escaping (Int32) throws -> ([UInt8], Int16),
         complete: @escaping (Result<([UInt8], Int16), KielError>) -> Void) {
        self.apiKey = apiKey
        self.encode = encode
        self.completion = complete
    }

    /// Delivers the outcome; a second call is ignored, so the exactly-once rule holds even if
    /// two failure paths race within one turn.
    func complete(_ result: Result<([UInt8], Int16), KielError>) {
        guard let completion else { return }
        self.completion = nil
        completion(result)
    }
}
