// One column of a RowDescription.
import NIOCore

/// Describes one result column.
public struct FieldDescription: Sendable, Hashable {
    /// Column name.
    public var name: String
    /// OID of the source table, or 0.
    public var tableOID: UInt32
    /// Attribute number of the source column, or 0.
    public var columnAttribute: Int16
    /// OID of the column's data type.
    public var dataTypeOID: UInt32
    /// pg_type.typlen; negative for variable width.
    public var dataTypeSize: Int16
    /// pg_attribute.atttypmod; type-specific.
    public var typeModifier: Int32
    /// Format code (0 text, 1 binary).
    public var format: Int16

    /// Fixed-size part of a field after its name: Int32, Int16, Int32, Int16, Int32, Int16.
    static let fixedLength = 18
    /// Smallest encoded field: an empty name's NUL plus the fixed part.
    static let minimumLength = 1 + fixedLength

    /// Creates a field description.
    public init(
        name: String,
        tableOID: UInt32,
        columnAttribute: Int16,
        dataTypeOID: UInt32,
        dataTypeSize: Int16,
        typeModifier: Int32,
        format: Int16
    ) {
        self.name = name
        self.tableOID = tableOID
        self.columnAttribute = columnAttribute
        self.dataTypeOID = dataTypeOID
        self.dataTypeSize = dataTypeSize
        self.typeModifier = typeModifier
        self.format = format
    }

    static func decode(body: inout ByteBuffer) throws(ProtocolViolation) -> FieldDescription {
        let name = try body.readWireCString("RowDescription field name")
        guard body.readableBytes >= Self.fixedLength,
            let tableOID = body.readInteger(as: UInt32.self),
            let columnAttribute = body.readInteger(as: Int16.self),
            let dataTypeOID = body.readInteger(as: UInt32.self),
            let dataTypeSize = body.readInteger(as: Int16.self),
            let typeModifier = body.readInteger(as: Int32.self),
            let format = body.readInteger(as: Int16.self)
        else {
            throw ProtocolViolation("truncated RowDescription field")
        }
        return FieldDescription(
            name: name,
            tableOID: tableOID,
            columnAttribute: columnAttribute,
            dataTypeOID: dataTypeOID,
            dataTypeSize: dataTypeSize,
            typeModifier: typeModifier,
            format: format
        )
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeWireCString(self.name)
        buffer.writeInteger(self.tableOID)
        buffer.writeInteger(self.columnAttribute)
        buffer.writeInteger(self.dataTypeOID)
        buffer.writeInteger(self.dataTypeSize)
        buffer.writeInteger(self.typeModifier)
        buffer.writeInteger(self.format)
    }
}
