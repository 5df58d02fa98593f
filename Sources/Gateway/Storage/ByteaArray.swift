import NIOCore
import PostgresNIO

/// A `bytea[]` parameter written straight from byte arrays in PostgreSQL's binary array format. postgres-nio binds
/// `bytea[]` from `[ByteBuffer]`: a buffer allocated and filled for every element, then copied again into the bind.
struct ByteaArray: PostgresEncodable {
    static var psqlType: PostgresDataType { .byteaArray }
    static var psqlFormat: PostgresFormat { .binary }

    let elements: [[UInt8]]

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)  // dimensions
        buffer.writeInteger(0, as: Int32.self)  // no element is NULL
        buffer.writeInteger(PostgresDataType.bytea.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)  // lower bound
        for element in elements {
            buffer.writeInteger(Int32(element.count))
            buffer.writeBytes(element)
        }
    }
}
