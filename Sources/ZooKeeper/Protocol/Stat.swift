/// A znode's metadata (jute `org.apache.zookeeper.data.Stat`).
public struct Stat: Equatable, Hashable, Sendable {
    /// zxid of the change that created the node.
    public var czxid: Int64
    /// zxid of the last data change.
    public var mzxid: Int64
    /// Creation time, milliseconds since the epoch.
    public var ctime: Int64
    /// Last modification time, milliseconds since the epoch.
    public var mtime: Int64
    /// Data version (the `version` argument of setData/delete/check).
    public var version: Int32
    /// Child list version.
    public var cversion: Int32
    /// ACL version.
    public var aversion: Int32
    /// Session id owning this node if it is ephemeral, else 0.
    public var ephemeralOwner: Int64
    /// The data's size in bytes.
    public var dataLength: Int32
    /// How many children the node has.
    public var numChildren: Int32
    /// zxid of the last child list change.
    public var pzxid: Int64

    /// Bytes on the wire: five longs and six ints.
    public static let encodedSize = 68

    /// A stat with these fields, zero where not given (for tests and scripted servers).
    public init(czxid: Int64 = 0, mzxid: Int64 = 0, ctime: Int64 = 0, mtime: Int64 = 0,
                version: Int32 = 0, cversion: Int32 = 0, aversion: Int32 = 0,
                ephemeralOwner: Int64 = 0, dataLength: Int32 = 0, numChildren: Int32 = 0,
                pzxid: Int64 = 0) {
        self.czxid = czxid; self.mzxid = mzxid; self.ctime = ctime; self.mtime = mtime
        self.version = version; self.cversion = cversion; self.aversion = aversion
        self.ephemeralOwner = ephemeralOwner; self.dataLength = dataLength
        self.numChildren = numChildren; self.pzxid = pzxid
    }

    /// Reads a stat; failures stay in `r`.
    public init(from r: inout JuteReader) {
        czxid = r.readInt64(); mzxid = r.readInt64(); ctime = r.readInt64(); mtime = r.readInt64()
        version = r.readInt32(); cversion = r.readInt32(); aversion = r.readInt32()
        ephemeralOwner = r.readInt64(); dataLength = r.readInt32(); numChildren = r.readInt32()
        pzxid = r.readInt64()
    }

    /// Appends the stat's fields in wire order.
    public func encode(into w: inout JuteWriter) {
        w.writeInt64(czxid); w.writeInt64(mzxid); w.writeInt64(ctime); w.writeInt64(mtime)
        w.writeInt32(version); w.writeInt32(cversion); w.writeInt32(aversion)
        w.writeInt64(ephemeralOwner); w.writeInt32(dataLength); w.writeInt32(numChildren)
        w.writeInt64(pzxid)
    }
}
