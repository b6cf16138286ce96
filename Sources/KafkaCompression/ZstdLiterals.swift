extension ZstdDecoder {
    /// Decodes the literals section of a compressed block into `literals`; returns its size.
    func decodeLiterals(_ block: UnsafePointer<UInt8>, count: Int) throws(ZstdError) -> Int {
        guard count >= 1 else { throw .corruptLiterals }
        let b0 = Int(block[0])
        let type = b0 & 3
        let sizeFormat = (b0 >> 2) & 3
        if type < 2 {
            var headerSize: Int
            var regenerated: Int
            switch sizeFormat {
            case 0, 2:
                headerSize = 1
                regenerated = b0 >> 3
            case 1:
                guard count >= 2 else { throw .corruptLiterals }
                headerSize = 2
                regenerated = (b0 >> 4) + (Int(block[1]) << 4)
            default:
                guard count >= 3 else { throw .corruptLiterals }
                headerSize = 3
                regenerated = (b0 >> 4) + (Int(block[1]) << 4) + (Int(block[2]) << 12)
            }
            guard regenerated <= Self.maxBlockSize else { throw .corruptLiterals }
            reserveLiterals(regenerated)
            literalsCount = regenerated
            if type == 0 {
                guard count - headerSize >= regenerated else { throw .corruptLiterals }
                literals.update(from: block + headerSize, count: regenerated)
                return headerSize + regenerated
            }
            guard count - headerSize >= 1 else { throw .corruptLiterals }
            literals.update(repeating: block[headerSize], count: regenerated)
            return headerSize + 1
        }

        var headerSize: Int
        var regenerated: Int
        var compressed: Int
        switch sizeFormat {
        case 0, 1:
            guard count >= 3 else { throw .corruptLiterals }
            let h = b0 | Int(block[1]) << 8 | Int(block[2]) << 16
            headerSize = 3
            regenerated = (h >> 4) & 0x3FF
            compressed = (h >> 14) & 0x3FF
        case 2:
            guard count >= 4 else { throw .corruptLiterals }
            let h = b0 | Int(block[1]) << 8 | Int(block[2]) << 16 | Int(block[3]) << 24
            headerSize = 4
            regenerated = (h >> 4) & 0x3FFF
            compressed = (h >> 18) & 0x3FFF
        default:
            guard count >= 5 else { throw .corruptLiterals }
            let h = b0 | Int(block[1]) << 8 | Int(block[2]) << 16 | Int(block[3]) << 24 | Int(block[4]) << 32
            headerSize = 5
            regenerated = (h >> 4) & 0x3FFFF
            compressed = (h >> 22) & 0x3FFFF
        }
        guard regenerated <= Self.maxBlockSize, compressed >= 1, count - headerSize >= compressed else {
            throw .corruptLiterals
        }
        var streams = block + headerSize
        var streamsSize = compressed
        if type == 2 {
            let (table, used) = try ZstdHuffman.readTable(base: streams, count: streamsSize)
            huffman = table
            streams += used
            streamsSize -= used
        }
        guard var table = huffman else { throw .corruptLiterals }
        // Two symbols per lookup repay the pair table's 2048 cells only over some thousands of
        // literals; a repeated table keeps it for later blocks.
        if table.pairs.isEmpty && regenerated >= 6144 {
            table.pairs = ZstdHuffman.pairTable(table)
            huffman = table
        }
        reserveLiterals(regenerated)
        literalsCount = regenerated
        let out = literals
        try table.cells.withUnsafeBufferPointer { cells throws(ZstdError) in
            try table.pairs.withUnsafeBufferPointer { pairs throws(ZstdError) in
                guard let cellBase = cells.baseAddress else { throw .corruptLiterals }
                try Self.decodeHuffmanStreams(
                    table: cellBase, pairs: pairs.isEmpty ? nil : pairs.baseAddress, tableLog: table.tableLog,
                    fourStreams: sizeFormat != 0, streams: streams, streamsSize: streamsSize,
                    out: out, count: regenerated)
            }
        }
        return headerSize + compressed
    }

    /// Decodes one stream, or four (after their jump table) into four consecutive segments.
    private static func decodeHuffmanStreams(
        table: UnsafePointer<UInt16>, pairs: UnsafePointer<UInt32>?, tableLog: Int, fourStreams: Bool,
        streams: UnsafePointer<UInt8>, streamsSize: Int, out: UnsafeMutablePointer<UInt8>, count: Int
    ) throws(ZstdError) {
        guard fourStreams else {
            try ZstdHuffman.decodeStream(
                table: table, pairs: pairs, tableLog: tableLog, source: streams, sourceCount: streamsSize,
                out: out, outCount: count)
            return
        }
        guard streamsSize >= 10 else { throw .corruptLiterals }
        let size1 = Int(streams[0]) | Int(streams[1]) << 8
        let size2 = Int(streams[2]) | Int(streams[3]) << 8
        let size3 = Int(streams[4]) | Int(streams[5]) << 8
        let size4 = streamsSize - 6 - size1 - size2 - size3
        guard size4 >= 1 else { throw .corruptLiterals }
        let segment = (count + 3) / 4
        let lastSegment = count - 3 * segment
        guard lastSegment >= 0 else { throw .corruptLiterals }
        var source = streams + 6
        for index in 0..<4 {
            let size = index == 0 ? size1 : index == 1 ? size2 : index == 2 ? size3 : size4
            try ZstdHuffman.decodeStream(
                table: table, pairs: pairs, tableLog: tableLog, source: source, sourceCount: size,
                out: out + index * segment, outCount: index == 3 ? lastSegment : segment)
            source += size
        }
    }
}
