/// Decoding tables for the three sequence symbol types (literals lengths, match lengths,
/// offsets): each FSE state row carries the code's baseline value and extra-bit count so the
/// sequence loop needs a single lookup per symbol. Immutable values; any thread.
struct ZstdSequenceTable: Sendable {
    struct Entry: Sendable {
        var baseValue: UInt32
        var nextBase: UInt16
        var nbBits: UInt8
        var extraBits: UInt8
    }

    enum Kind: Sendable {
        case literalsLength, matchLength, offset

        var maxSymbol: Int {
            switch self {
            case .literalsLength: return 35
            case .matchLength: return 52
            case .offset: return 31
            }
        }

        var maxAccuracyLog: Int { self == .offset ? 8 : 9 }

        var defaultDistribution: (counts: [Int16], accuracyLog: Int) {
            switch self {
            case .literalsLength: return (ZstdFSE.literalsLengthDefault, 6)
            case .matchLength: return (ZstdFSE.matchLengthDefault, 6)
            case .offset: return (ZstdFSE.offsetDefault, 5)
            }
        }

        /// Baseline value and extra bits for a code (RFC 8878 section 3.1.1.3.2.1).
        func code(_ symbol: Int) -> (base: UInt32, bits: UInt8) {
            switch self {
            case .literalsLength:
                if symbol < 16 { return (UInt32(symbol), 0) }
                return (ZstdSequenceTable.literalsLengthBase[symbol - 16],
                        ZstdSequenceTable.literalsLengthBits[symbol - 16])
            case .matchLength:
                if symbol < 32 { return (UInt32(symbol + 3), 0) }
                return (ZstdSequenceTable.matchLengthBase[symbol - 32],
                        ZstdSequenceTable.matchLengthBits[symbol - 32])
            case .offset:
                return (UInt32(1) << UInt32(symbol), UInt8(symbol))
            }
        }
    }

    static let literalsLengthBase: [UInt32] = [
        16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096,
        8192, 16384, 32768, 65536,
    ]
    static let literalsLengthBits: [UInt8] = [
        1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    ]
    static let matchLengthBase: [UInt32] = [
        35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051,
        4099, 8195, 16387, 32771, 65539,
    ]
    static let matchLengthBits: [UInt8] = [
        1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    ]

    var accuracyLog: Int
    var entries: [Entry]

    init(fse: ZstdFSE.Table, kind: Kind) {
        accuracyLog = fse.accuracyLog
        entries = fse.entries.map { e in
            let (base, bits) = kind.code(Int(e.symbol))
            return Entry(baseValue: base, nextBase: e.baseline, nbBits: e.nbBits, extraBits: bits)
        }
    }

    /// A one-state table that always yields `symbol` (RLE_Mode).
    init(rle symbol: Int, kind: Kind) {
        let (base, bits) = kind.code(symbol)
        accuracyLog = 0
        entries = [Entry(baseValue: base, nextBase: 0, nbBits: 0, extraBits: bits)]
    }

    static func predefined(_ kind: Kind) -> ZstdSequenceTable {
        switch kind {
        case .literalsLength: return predefinedLiteralsLength
        case .matchLength: return predefinedMatchLength
        case .offset: return predefinedOffset
        }
    }

    private static func build(_ kind: Kind) -> ZstdSequenceTable {
        let (counts, log) = kind.defaultDistribution
        // The default distributions are valid by construction.
        let fse = (try? ZstdFSE.buildTable(counts: counts, accuracyLog: log)) ?? ZstdFSE.Table(accuracyLog: 0, entries: [])
        return ZstdSequenceTable(fse: fse, kind: kind)
    }

    static let predefinedLiteralsLength = build(.literalsLength)
    static let predefinedMatchLength = build(.matchLength)
    static let predefinedOffset = build(.offset)
}
