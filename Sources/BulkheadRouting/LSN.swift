// PostgreSQL's write-ahead-log position (pg_lsn): its "X/Y" text form, ordering and distance in bytes.

/// A position in PostgreSQL's write-ahead log, as `pg_current_wal_insert_lsn()` or `pg_last_wal_replay_lsn()` report it.
///
/// The text form is the high and low 32 bits in hexadecimal, at most 8 digits each, joined by `/` (`16/B374D848`).
/// Positions only grow on a cluster, across timeline switches too, so comparing them tells which node has seen more.
public struct LSN: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The position as one 64-bit byte offset.
    public var value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    /// `0/0`, PostgreSQL's "invalid" position: every real position is at or after it.
    public static let zero = LSN(0)

    /// Parses the text form, or returns nil for anything PostgreSQL's `pg_lsn` input would reject
    /// (empty parts, more than 8 digits, signs, spaces, a missing or second `/`).
    public init?(_ text: some StringProtocol) {
        self.init(utf8: text.utf8)
    }

    /// Parses the text form from its bytes, as a DataRow carries it. Inlinable so that callers get it
    /// specialized for their byte collection: it runs after every write a routing client commits.
    @inlinable
    public init?<Bytes: Sequence>(utf8 bytes: Bytes) where Bytes.Element == UInt8 {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        var inLowPart = false
        for byte in bytes {
            if byte == UInt8(ascii: "/") {
                guard !inLowPart, digits > 0 else { return nil }
                inLowPart = true
                digits = 0
                continue
            }
            guard digits < 8, let nibble = LSN.hexValue(byte) else { return nil }
            digits += 1
            if inLowPart { low = low << 4 | nibble } else { high = high << 4 | nibble }
        }
        guard inLowPart, digits > 0 else { return nil }
        self.init(high << 32 | low)
    }

    /// The text form PostgreSQL prints: upper-case hexadecimal without leading zeros.
    public var description: String {
        String(value >> 32, radix: 16, uppercase: true) + "/" + String(value & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    /// Bytes of WAL from `earlier` up to this position; zero when `earlier` is not behind,
    /// because two samples taken at different moments can cross and a lag is never negative.
    public func bytes(since earlier: LSN) -> UInt64 {
        value > earlier.value ? value - earlier.value : 0
    }

    /// PostgreSQL's WAL page size (XLOG_BLCKSZ), as Debian's and every common build has it.
    static let walPageSize: UInt64 = 8192
    /// The longest WAL page header, that of a segment's first page.
    static let longPageHeaderSize: UInt64 = 40

    /// The replay position at which a replica has seen everything inserted before this insert position.
    ///
    /// `pg_current_wal_insert_lsn()` at the very start of a page points past the page's header, while a
    /// replica's `pg_last_wal_replay_lsn()` stops at the end of the last record: the page boundary. On an idle
    /// primary no replica would ever reach the insert position, and every read that must see the write would
    /// go to the primary. In a page's first 40 bytes lie only its header and the tail of the one record that
    /// crosses into it, so no record ends between the page's start and this position: requiring the page's
    /// start requires exactly the same records.
    public var replayRequirement: LSN {
        let offset = value % Self.walPageSize
        guard offset > 0, offset <= Self.longPageHeaderSize else { return self }
        return LSN(value - offset)
    }

    /// The position `bytes` further on, stopping at the largest position rather than wrapping around.
    public func advanced(by bytes: UInt64) -> LSN {
        let (sum, overflow) = value.addingReportingOverflow(bytes)
        return LSN(overflow ? UInt64.max : sum)
    }

    public static func < (lhs: LSN, rhs: LSN) -> Bool {
        lhs.value < rhs.value
    }

    @usableFromInline
    static func hexValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt64(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
