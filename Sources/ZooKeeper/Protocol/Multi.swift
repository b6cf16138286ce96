/// One operation of a multi (transaction). All operations apply atomically or none does.
public enum MultiOp: Equatable, Sendable {
    case create(path: String, data: [UInt8] = [], acl: [ACL] = ACL.openUnsafe, mode: CreateMode = .persistent)
    case delete(path: String, version: Int32 = -1)
    case setData(path: String, data: [UInt8], version: Int32 = -1)
    /// Fails the transaction unless the node's data version equals `version`.
    case check(path: String, version: Int32)

    /// The node the operation is on.
    public var path: String {
        switch self {
        case .create(let path, _, _, _), .delete(let path, _), .setData(let path, _, _),
             .check(let path, _):
            return path
        }
    }

    var opCode: OpCode {
        switch self {
        case .create: return .create
        case .delete: return .delete
        case .setData: return .setData
        case .check: return .check
        }
    }

    /// The same operation with its path rewritten (for chroot).
    func withPath(_ newPath: String) -> MultiOp {
        switch self {
        case .create(_, let data, let acl, let mode): return .create(path: newPath, data: data, acl: acl, mode: mode)
        case .delete(_, let version): return .delete(path: newPath, version: version)
        case .setData(_, let data, let version): return .setData(path: newPath, data: data, version: version)
        case .check(_, let version): return .check(path: newPath, version: version)
        }
    }

    func encodeBody(into w: inout JuteWriter) {
        switch self {
        case .create(let path, let data, let acl, let mode):
            CreateRequest(path: path, data: data, acl: acl, mode: mode).encode(into: &w)
        case .delete(let path, let version):
            DeleteRequest(path: path, version: version).encode(into: &w)
        case .setData(let path, let data, let version):
            SetDataRequest(path: path, data: data, version: version).encode(into: &w)
        case .check(let path, let version):
            CheckVersionRequest(path: path, version: version).encode(into: &w)
        }
    }
}

/// The outcome of one operation in a multi reply.
public enum MultiOpResult: Equatable, Sendable {
    case create(path: String)
    case delete
    case setData(Stat)
    case check
    /// Raw server code for this op (0 means "would have succeeded but was rolled back").
    case error(code: Int32)
}

/// A multi request: each op preceded by a `MultiHeader{type, done=false, err=-1}`, then the end
/// marker `{-1, true, -1}`. The reply is the same shape with one result per op.
public struct MultiRequest: ZooKeeperRequest, Equatable {
    /// Op 14.
    public static let opCode = OpCode.multi
    /// The operations, applied in order, all or none.
    public var ops: [MultiOp]

    /// A transaction of `ops`.
    public init(ops: [MultiOp]) { self.ops = ops }

    /// Appends each op with its header, then the end marker.
    public func encode(into w: inout JuteWriter) {
        for op in ops {
            w.writeInt32(op.opCode.rawValue)
            w.writeBool(false)
            w.writeInt32(-1)
            op.encodeBody(into: &w)
        }
        w.writeInt32(-1)
        w.writeBool(true)
        w.writeInt32(-1)
    }

    /// One result per op, in order; in a rolled-back transaction every one is an `.error`
    /// (0 for the ops that would have succeeded).
    public static func decodeResponse(from r: inout JuteReader) -> [MultiOpResult] {
        var results: [MultiOpResult] = []
        while r.error == nil {
            let type = r.readInt32()
            let done = r.readBool()
            let err = r.readInt32()
            if done || r.error != nil { break }
            switch OpCode(rawValue: type) {
            case .create: results.append(.create(path: r.readString() ?? ""))
            case .create2:
                let path = r.readString() ?? ""
                _ = Stat(from: &r)
                results.append(.create(path: path))
            case .delete: results.append(.delete)
            case .setData: results.append(.setData(Stat(from: &r)))
            case .check: results.append(.check)
            case .error:
                // The body repeats the code; the header's may be -1 on some servers.
                let code = r.readInt32()
                results.append(.error(code: code != 0 || err == -1 ? code : err))
            default:
                r.fail(.badLength(offset: r.offset, length: type))
            }
        }
        return results
    }

    /// The first failing op of a rolled-back multi, as the error a caller sees.
    public static func failure(in results: [MultiOpResult]) -> ZooKeeperError? {
        for (index, result) in results.enumerated() {
            if case .error(let code) = result, code != 0,
               code != -2, let reason = ZooKeeperError(code: code) {
                return .transactionFailed(index: index, reason: reason)
            }
        }
        for (index, result) in results.enumerated() {
            if case .error(let code) = result, let reason = ZooKeeperError(code: code) {
                return .transactionFailed(index: index, reason: reason)
            }
        }
        return nil
    }
}
