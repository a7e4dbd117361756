// One lexical token of a statement, as PostgreSQL's own scanner (pg_query_scan) sees it.

/// A token with its byte range in the query text. Rewriting splices only at token boundaries, so inserted
/// text can never land inside a comment, string or quoted identifier.
public struct SQLToken: Sendable, Equatable {
    /// libpg_query's `Token` enum value (see `pg_query.proto`): ASCII value for single-character tokens.
    public let kind: Int32
    /// Byte offset of the first byte of the token.
    public let start: Int
    /// Byte offset just past the token.
    public let end: Int
    /// True when the scanner reports a keyword (reserved or not); `text` then tells which one.
    public let isKeyword: Bool

    public init(kind: Int32, start: Int, end: Int, isKeyword: Bool) {
        self.kind = kind
        self.start = start
        self.end = end
        self.isKeyword = isKeyword
    }

    public static let openParen: Int32 = 40
    public static let closeParen: Int32 = 41
    public static let comma: Int32 = 44
    public static let dot: Int32 = 46
    public static let semicolon: Int32 = 59
    public static let identifier: Int32 = 258
    public static let unicodeIdentifier: Int32 = 259
    public static let integerConstant: Int32 = 266
    public static let minus: Int32 = 45
    public static let lineComment: Int32 = 275
    public static let blockComment: Int32 = 276

    /// Comments carry no syntax, so token walks skip them.
    public var isComment: Bool { kind == Self.lineComment || kind == Self.blockComment }
}
